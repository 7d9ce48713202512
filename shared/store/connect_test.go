package store_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/scimfaas/scimfaas/shared/store"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

func TestConnectRejectsTopologyCount(t *testing.T) {
	tests := []struct {
		name string
		opts store.Options
	}{
		{"none", store.Options{}},
		{"url and cluster", store.Options{URL: "redis://127.0.0.1:1/0", ClusterAddrs: []string{"127.0.0.1:1"}}},
		{"sentinel without master", store.Options{SentinelAddrs: []string{"127.0.0.1:1"}}},
		{"invalid url", store.Options{URL: "http://127.0.0.1:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := store.Connect(tt.opts); err == nil {
				t.Error("Connect() = nil error, want one")
			}
		})
	}
}

// TestConnectSentinel starts a master and one Sentinel that monitors it,
// connects through the Sentinel, and writes and reads a record.
func TestConnectSentinel(t *testing.T) {
	master := redisserver.Start(t)
	_, masterPort, _ := net.SplitHostPort(master.Addr)
	sentinelAddr := startSentinel(t, masterPort)

	client, err := store.Connect(store.Options{
		SentinelAddrs:  []string{sentinelAddr},
		SentinelMaster: "scimmaster",
	})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	if _, ok := client.(*redis.Client); !ok {
		t.Errorf("client is %T, want the failover *redis.Client", client)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := store.New(client, "test")
	if err := s.Create(ctx, "User", record("u1", "alice")); err != nil {
		t.Fatalf("create through Sentinel: %v", err)
	}
	got, err := s.Get(ctx, "User", "u1")
	if err != nil {
		t.Fatalf("get through Sentinel: %v", err)
	}
	if got.Version != 1 {
		t.Errorf("version = %d, want 1", got.Version)
	}

	direct := redis.NewClient(&redis.Options{Addr: master.Addr})
	defer direct.Close()
	if n, err := direct.Exists(ctx, "{test}:User:r:u1").Result(); err != nil || n != 1 {
		t.Errorf("record on the master: exists = %d, %v; want 1", n, err)
	}
}

// startSentinel runs redis-server --sentinel on a free loopback port,
// monitoring the master on 127.0.0.1:masterPort as "scimmaster", and
// returns its address once it reports the master.
func startSentinel(t *testing.T, masterPort string) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found on PATH")
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	listener.Close()

	// Sentinel rewrites its configuration file, so it gets a fresh one.
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	content := fmt.Sprintf("bind 127.0.0.1\nport %d\nprotected-mode yes\ndir %s\nsentinel monitor scimmaster 127.0.0.1 %s 1\n", port, dir, masterPort)
	if err := os.WriteFile(conf, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, conf, "--sentinel")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server --sentinel: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer sentinel.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := sentinel.GetMasterAddrByName(ctx, "scimmaster").Result()
		cancel()
		if err == nil {
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("Sentinel on %s did not report master scimmaster within 10s", addr)
	return ""
}
