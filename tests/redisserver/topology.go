package redisserver

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TopologyVariable selects the Redis topology of the tests that use
// StartTopology or LaunchTopology: "single" (the default when empty) or
// "cluster".
const TopologyVariable = "SCIM_TEST_REDIS"

// Topology is a running Redis of the selected kind with a ready client.
type Topology struct {
	// Cluster is true for a Redis Cluster and false for a single server.
	Cluster bool
	// Addrs are the host:port addresses of the server or of the masters.
	Addrs []string
	// URL is the redis:// URL of the single server, and empty for a cluster.
	URL string
	// Client is connected to the topology; Stop closes it.
	Client redis.UniversalClient
	// Env holds the SCIM_ variables that point a server process at this
	// topology. It empties the variables of the other topologies, so that
	// it can be appended to os.Environ().
	Env map[string]string

	stop func()
}

// Stop closes the client and ends the processes that this topology
// started. It is safe to call more than once.
func (t *Topology) Stop() {
	if t.stop != nil {
		t.stop()
		t.stop = nil
	}
}

// Environ returns Env as KEY=VALUE strings in sorted order, for exec.Cmd.Env.
func (t *Topology) Environ() []string {
	var env []string
	for name, value := range t.Env {
		env = append(env, name+"="+value)
	}
	sort.Strings(env)
	return env
}

// clusterSelected reports whether TopologyVariable selects a cluster, and
// returns an error for a value it does not know.
func clusterSelected() (bool, error) {
	switch value := os.Getenv(TopologyVariable); value {
	case "", "single":
		return false, nil
	case "cluster":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q is invalid: use single or cluster", TopologyVariable, value)
	}
}

// StartTopology returns the topology that SCIM_TEST_REDIS selects, empty
// and with a ready client, and registers its stop with tb.Cleanup. A single
// server is started for each test. A cluster is started once per test
// binary, because creating one takes seconds, and every master is flushed
// before each test. The package's TestMain must then call RunTests, which
// stops that shared cluster. Tests that use it must not run in parallel.
func StartTopology(tb testing.TB) *Topology {
	tb.Helper()
	cluster, err := clusterSelected()
	if err != nil {
		tb.Fatal(err)
	}
	if !cluster {
		srv := Start(tb)
		topology := singleTopology(srv)
		tb.Cleanup(topology.Stop)
		return topology
	}

	shared, err := sharedCluster()
	if err != nil {
		tb.Fatal(err)
	}
	topology := clusterTopology(shared)
	topology.stop = func() { topology.Client.Close() }
	tb.Cleanup(topology.Stop)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = topology.Client.(*redis.ClusterClient).ForEachMaster(ctx, func(ctx context.Context, master *redis.Client) error {
		return master.FlushAll(ctx).Err()
	})
	if err != nil {
		tb.Fatalf("flush the shared Redis Cluster: %v", err)
	}
	return topology
}

// LaunchTopology starts a new topology of the kind SCIM_TEST_REDIS selects,
// for callers without a testing.TB, such as TestMain. The caller must call
// Stop.
func LaunchTopology() (*Topology, error) {
	cluster, err := clusterSelected()
	if err != nil {
		return nil, err
	}
	if !cluster {
		srv, err := Launch()
		if err != nil {
			return nil, err
		}
		return singleTopology(srv), nil
	}
	started, err := LaunchCluster()
	if err != nil {
		return nil, err
	}
	topology := clusterTopology(started)
	topology.stop = func() {
		topology.Client.Close()
		started.Stop()
	}
	return topology, nil
}

// RunTests runs the tests and then stops the cluster that StartTopology
// shares, if it started one. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(redisserver.RunTests(m)) }
func RunTests(m *testing.M) int {
	shared.mu.Lock()
	shared.managed = true
	shared.mu.Unlock()

	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster != nil {
		shared.cluster.Stop()
		shared.cluster = nil
	}
	return code
}

// shared is the cluster that StartTopology reuses within one test binary.
var shared struct {
	mu      sync.Mutex
	cluster *Cluster
	// managed is set by RunTests, which stops the cluster at the end.
	managed bool
}

func sharedCluster() (*Cluster, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.managed {
		return nil, fmt.Errorf("%s=cluster needs the package's TestMain to call redisserver.RunTests, which stops the shared cluster", TopologyVariable)
	}
	if shared.cluster == nil {
		cluster, err := LaunchCluster()
		if err != nil {
			return nil, err
		}
		shared.cluster = cluster
	}
	return shared.cluster, nil
}

func singleTopology(srv *Server) *Topology {
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	return &Topology{
		Addrs:  []string{srv.Addr},
		URL:    srv.URL(),
		Client: client,
		Env: map[string]string{
			"SCIM_REDIS_URL":            srv.URL(),
			"REDIS_URL":                 "",
			"SCIM_REDIS_SENTINEL_ADDRS": "",
			"SCIM_REDIS_CLUSTER_ADDRS":  "",
		},
		stop: func() {
			client.Close()
			srv.Stop()
		},
	}
}

// clusterTopology returns a topology for cluster without a stop function.
func clusterTopology(cluster *Cluster) *Topology {
	addrs := append([]string(nil), cluster.Addrs...)
	return &Topology{
		Cluster: true,
		Addrs:   addrs,
		Client:  redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs}),
		Env: map[string]string{
			"SCIM_REDIS_URL":            "",
			"REDIS_URL":                 "",
			"SCIM_REDIS_SENTINEL_ADDRS": "",
			"SCIM_REDIS_CLUSTER_ADDRS":  strings.Join(addrs, ","),
		},
	}
}
