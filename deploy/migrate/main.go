// Command migrate moves the Redis keys that the first key layout wrote to
// the current layout (see store.MigrateKeyLayout). It reads the same SCIM_
// environment variables as the functions. Stop every function first, run
// it once, and start the functions again; a second run moves nothing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/scimfaas/scimfaas/shared/config"
	"github.com/scimfaas/scimfaas/shared/store"
)

func main() {
	timeout := flag.Duration("timeout", time.Hour, "time limit for the whole migration")
	flag.Parse()
	if err := run(*timeout); err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
}

func run(timeout time.Duration) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if !cfg.RedisConfigured() {
		return errors.New("no Redis configured: set SCIM_REDIS_URL (or REDIS_URL), the Sentinel variables or SCIM_REDIS_CLUSTER_ADDRS")
	}
	client, err := store.Connect(cfg.StoreOptions())
	if err != nil {
		return err
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	started := time.Now()
	report, err := store.New(client, cfg.RedisPrefix).MigrateKeyLayout(ctx)
	fmt.Printf("moved %d keys, removed %d left over from an interrupted run, in %s\n",
		report.Moved, report.AlreadyMoved, time.Since(started).Round(time.Millisecond))
	return err
}
