package redisserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/scimfaas/scimfaas/tests/redisserver"
)

func TestClusterServesAllSlots(t *testing.T) {
	start := time.Now()
	cluster := redisserver.StartCluster(t)
	t.Logf("cluster of %v ready in %s", cluster.Addrs, time.Since(start))

	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cluster.Addrs})
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Keys "a", "b" and "c" hash to slots owned by different masters.
	for _, key := range []string{"a", "b", "c"} {
		if err := client.Set(ctx, key, "v", 0).Err(); err != nil {
			t.Fatalf("set %s: %v", key, err)
		}
	}
	masters := 0
	err := client.ForEachMaster(ctx, func(ctx context.Context, master *redis.Client) error {
		masters++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if masters != 3 {
		t.Errorf("masters = %d, want 3", masters)
	}
}
