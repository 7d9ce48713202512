package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/scimfaas/scimfaas/tests/redisserver"
)

func TestRunMovesKeys(t *testing.T) {
	srv := redisserver.Start(t)
	dir := t.TempDir()
	t.Setenv("SCIM_REDIS_URL", srv.URL())
	t.Setenv("SCIM_REDIS_PREFIX", "scim")
	t.Setenv("SCIM_REDIS_PASSWORD_FILE", filepath.Join(dir, "no-password-file"))
	t.Setenv("SCIM_BEARER_TOKEN_FILE", filepath.Join(dir, "no-token-file"))

	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer client.Close()
	if err := client.Set(ctx, "scim:{User}:seq", "4", 0).Err(); err != nil {
		t.Fatal(err)
	}

	if err := run(10 * time.Second); err != nil {
		t.Fatalf("run: %v", err)
	}
	if got, err := client.Get(ctx, "{scim}:User:seq").Result(); err != nil || got != "4" {
		t.Errorf("moved key = %q, %v; want 4", got, err)
	}
}
