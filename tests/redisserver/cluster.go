package redisserver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterNodes is the number of masters in a test cluster, the fewest that
// redis-cli --cluster create accepts.
const clusterNodes = 3

// clusterReadyTimeout bounds the wait for cluster_state:ok on every node.
const clusterReadyTimeout = 20 * time.Second

// Cluster is a running Redis Cluster of three masters without replicas.
type Cluster struct {
	// Addrs are the host:port addresses of the masters.
	Addrs []string
	nodes []*Server
	dirs  []string
}

// Stop ends every node process and removes the node directories. It is
// safe to call more than once.
func (c *Cluster) Stop() {
	for _, node := range c.nodes {
		node.Stop()
	}
	for _, dir := range c.dirs {
		_ = os.RemoveAll(dir)
	}
	c.dirs = nil
}

// StartCluster starts a three-master Redis Cluster on free 127.0.0.1 ports,
// waits until every node reports cluster_state:ok, and registers its stop
// with tb.Cleanup. It fails the test when redis-server or redis-cli is not
// installed.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	cluster, err := LaunchCluster()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(cluster.Stop)
	return cluster
}

// LaunchCluster is StartCluster for callers without a testing.TB, such as
// TestMain. The caller must call Stop.
func LaunchCluster() (*Cluster, error) {
	serverPath, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found on PATH: install the Debian package redis-server (make test does so with apt-get)")
	}
	cliPath, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, errors.New("redis-cli not found on PATH: install the Debian package redis-tools")
	}

	cluster := &Cluster{}
	for len(cluster.nodes) < clusterNodes {
		node, dir, err := launchClusterNode(serverPath)
		if err != nil {
			cluster.Stop()
			return nil, err
		}
		cluster.nodes = append(cluster.nodes, node)
		cluster.dirs = append(cluster.dirs, dir)
		cluster.Addrs = append(cluster.Addrs, node.Addr)
	}

	if err := createCluster(cliPath, cluster.Addrs); err != nil {
		cluster.Stop()
		return nil, err
	}
	if err := waitClusterReady(cluster.Addrs); err != nil {
		cluster.Stop()
		return nil, err
	}
	return cluster, nil
}

// launchClusterNode starts one cluster-enabled redis-server in a temporary
// directory of its own, retrying a few times on another port when the
// chosen one was taken meanwhile.
func launchClusterNode(serverPath string) (*Server, string, error) {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freeClusterPort()
		if err != nil {
			return nil, "", err
		}
		dir, err := os.MkdirTemp("", "scim-redis-cluster-")
		if err != nil {
			return nil, "", fmt.Errorf("create a cluster node directory: %w", err)
		}
		node, err := launchOn(serverPath, port, dir,
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(port)+".conf"),
			"--cluster-node-timeout", "5000")
		if err == nil {
			return node, dir, nil
		}
		_ = os.RemoveAll(dir)
		lastErr = err
	}
	return nil, "", lastErr
}

// freeClusterPort returns a 127.0.0.1 port that is free together with its
// cluster bus port, which Redis places 10000 above it. The range keeps the
// bus port below 65536.
func freeClusterPort() (int, error) {
	for attempt := 0; attempt < 50; attempt++ {
		port := 20000 + rand.IntN(20000)
		if portFree(port) && portFree(port+10000) {
			return port, nil
		}
	}
	return 0, errors.New("find a free port pair for a cluster node: 50 random ports in 20000-39999 were taken")
}

func portFree(port int) bool {
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	listener.Close()
	return true
}

// createCluster assigns the hash slots over the nodes with redis-cli.
func createCluster(cliPath string, addrs []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), clusterReadyTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	output, err := exec.CommandContext(ctx, cliPath, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("redis-cli --cluster create %s failed: %w\n%s", strings.Join(addrs, " "), err, output)
	}
	return nil
}

// waitClusterReady polls CLUSTER INFO on every node until each reports
// cluster_state:ok, for at most clusterReadyTimeout.
func waitClusterReady(addrs []string) error {
	deadline := time.Now().Add(clusterReadyTimeout)
	for _, addr := range addrs {
		client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		var info string
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			info, _ = client.ClusterInfo(ctx).Result()
			cancel()
			if strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				client.Close()
				return fmt.Errorf("redis cluster node %s did not report cluster_state:ok within %s; last CLUSTER INFO:\n%s", addr, clusterReadyTimeout, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		client.Close()
	}
	return nil
}
