// Package redisserver starts a real redis-server on a free loopback port for
// tests, and stops it when the test ends.
package redisserver

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server process.
type Server struct {
	// Addr is the host:port the server listens on.
	Addr string
	cmd  *exec.Cmd
}

// URL returns the redis:// URL of database 0 of the server.
func (s *Server) URL() string {
	return "redis://" + s.Addr + "/0"
}

// Stop ends the server process. It is safe to call more than once.
func (s *Server) Stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// Start runs redis-server on a free 127.0.0.1 port with persistence off,
// waits until it replies to PING, and registers its stop with tb.Cleanup. It
// fails the test when redis-server is not installed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	srv, err := Launch()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Stop)
	return srv
}

// Launch is Start for callers without a testing.TB, such as TestMain. The
// caller must call Stop.
func Launch() (*Server, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found on PATH: install the Debian package redis-server (make test does so with apt-get)")
	}

	// A few attempts, because another process may take the free port
	// between the probe and the server's bind.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		srv, err := launchOn(path, port, "")
		if err == nil {
			return srv, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// launchOn starts redis-server on port with the extra arguments, in dir when
// it is not empty, and waits until it replies to PING.
func launchOn(path string, port int, dir string, extra ...string) (*Server, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{
		"--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning",
	}
	cmd := exec.Command(path, append(args, extra...)...)
	cmd.Dir = dir
	// Output stays detached: a server that outlives a test must not hold
	// the test's output pipe open, or "go test | tee" never ends.
	cmd.Stdout = nil
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	srv := &Server{Addr: addr, cmd: cmd}

	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer client.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := client.Ping(ctx).Err()
		cancel()
		if err == nil {
			return srv, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.Stop()
	return nil, fmt.Errorf("redis-server on %s did not answer PING within 10s", addr)
}

func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}
