// Package loopback finds free 127.0.0.1 ports for the servers that tests
// start, and waits for those servers to listen.
package loopback

import (
	"fmt"
	"net"
	"time"
)

// FreeAddr returns a 127.0.0.1:port address whose port was free a moment
// ago. Another process may take it before the caller binds, so callers
// that cannot retry should expect a rare bind failure.
func FreeAddr() (string, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer listener.Close()
	return listener.Addr().String(), nil
}

// WaitForPort polls addr until a TCP connection succeeds, and returns an
// error when none does within limit.
func WaitForPort(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("nothing listened on %s within %s", addr, limit)
}
