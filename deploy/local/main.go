// Command local serves every SCIM function in one process on the local
// machine, for development and for the acceptance tests. Each function's
// Handle runs behind the same entry point as in its OpenFaaS image, and
// requests reach it through the shared route table. Without SCIM_REDIS_URL
// or REDIS_URL it keeps data in an embedded, in-memory Redis-compatible
// store that is lost on exit.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/scimfaas/scimfaas/functions/registry"
	"github.com/scimfaas/scimfaas/shared/config"
	"github.com/scimfaas/scimfaas/shared/entrypoint"
	"github.com/scimfaas/scimfaas/shared/route"
)

// handlers maps each function of the route table to its Handle.
var handlers = registry.Handlers()

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "local server:", err)
		os.Exit(1)
	}
}

func run() error {
	for _, name := range route.Functions() {
		if handlers[name] == nil {
			return fmt.Errorf("function %s is in the route table but has no handler here", name)
		}
	}

	cfg, err := config.Load()
	if err != nil {
		return err
	}

	storeNote := "the Redis configured by SCIM_REDIS_URL, REDIS_URL, Sentinel or Cluster variables"
	if !cfg.RedisConfigured() {
		embedded := miniredis.NewMiniRedis()
		if err := embedded.StartAddr("127.0.0.1:0"); err != nil {
			return fmt.Errorf("start the embedded store: %w", err)
		}
		defer embedded.Close()
		// The functions read their configuration from the environment on
		// their first request, as they do when deployed.
		os.Setenv("SCIM_REDIS_URL", "redis://"+embedded.Addr()+"/0")
		storeNote = "embedded in-memory store; data is lost on exit (set REDIS_URL for a real Redis)"
	}

	tokenNote := "one of the tokens in SCIM_BEARER_TOKENS or " + cfg.BearerTokenFile
	if len(cfg.BearerTokens) == 0 {
		token := rand.Text()
		os.Setenv("SCIM_BEARER_TOKENS", token)
		tokenNote = token + " (generated; set SCIM_BEARER_TOKENS to choose one)"
	}

	server := &http.Server{
		Addr:              cfg.Addr,
		Handler:           dispatcher(cfg.BasePath),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	failed := make(chan error, 1)
	go func() { failed <- server.ListenAndServe() }()

	fmt.Printf("SCIM base URL: %s\nBearer token:  %s\nStore:         %s\n", cfg.BaseURL, tokenNote, storeNote)

	select {
	case err := <-failed:
		return fmt.Errorf("serve on %s: %w", cfg.Addr, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// dispatcher sends each request to the function that the route table names,
// as the edge proxy does in a deployment. Unrouted requests go to the
// discovery function, which rejects them with a SCIM error.
func dispatcher(basePath string) http.Handler {
	served := make(map[string]http.Handler, len(handlers))
	for name, handle := range handlers {
		served[name] = entrypoint.Handler(handle)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		function := route.Discovery
		if matched, _, ok, _ := route.Match(r.Method, route.Relative(basePath, r.URL.Path)); ok {
			function = matched.Function
		}
		served[function].ServeHTTP(w, r)
	})
}
