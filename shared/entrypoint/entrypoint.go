// Package entrypoint is the HTTP entry point of a function: the server that
// the OpenFaaS watchdog forwards requests to, which turns each HTTP request
// into a handler.Request, calls the function's Handle and writes its
// response. The template's main.go and the local server both serve
// functions through Handler, so the code under test is the code deployed.
package entrypoint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// HandleFunc is the golang-http function signature.
type HandleFunc func(handler.Request) (handler.Response, error)

// Listen is the address the OpenFaaS watchdog forwards requests to
// (its upstream_url).
const Listen = "127.0.0.1:8082"

// AddrEnv names the environment variable that replaces Listen as Main's
// listen address when it is set and not empty. The gateway tests use it to
// run several functions on one host, each on its own port. Leave it unset in
// an image, because the watchdog's upstream_url points at Listen.
const AddrEnv = "SCIM_ENTRYPOINT_ADDR"

// ListenAddr returns the address that Main listens on: the value of AddrEnv
// when it is set, otherwise Listen.
func ListenAddr() string {
	if addr := os.Getenv(AddrEnv); addr != "" {
		return addr
	}
	return Listen
}

// MaxBodySize is the largest request body the entry point reads, 16 MiB. The
// handlers apply their own, smaller limit from the configuration; this one
// only keeps a single request from exhausting memory.
const MaxBodySize = 16 << 20

// Handler returns the http.Handler that serves handle. It reads the whole
// body, passes the URL path in the request context (see route.Path) and
// the Host header in Request.Host, and writes the response. A status of 0
// becomes 200. An error from handle becomes a 500 SCIM error, because the
// handler contract keeps errors for faults it could not turn into a
// response.
func Handler(handle HandleFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodySize+1))
		if err != nil {
			writeError(w, scimerr.BadRequest(scimerr.InvalidSyntax, "reading the request body failed"))
			return
		}
		if len(body) > MaxBodySize {
			writeError(w, scimerr.New(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", MaxBodySize))
			return
		}

		req := handler.Request{
			Body:        body,
			Header:      r.Header,
			QueryString: r.URL.RawQuery,
			Method:      r.Method,
			Host:        r.Host,
		}
		req.WithContext(route.WithPath(r.Context(), r.URL.Path))

		resp, err := handle(req)
		if err != nil {
			writeError(w, scimerr.New(http.StatusInternalServerError, "", "the function failed; see its log"))
			return
		}

		for name, values := range resp.Header {
			w.Header()[name] = values
		}
		status := resp.StatusCode
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		if len(resp.Body) > 0 {
			_, _ = w.Write(resp.Body)
		}
	})
}

// Main serves handle on ListenAddr until SIGTERM or SIGINT, then drains
// requests in flight for up to the write timeout. The read_timeout and
// write_timeout variables that the watchdog also reads set the server's
// timeouts (default 10s). It exits the process with status 1 when the
// server fails.
func Main(handle HandleFunc) {
	if err := serve(handle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func serve(handle HandleFunc) error {
	readTimeout, err := durationEnv("read_timeout", 10*time.Second)
	if err != nil {
		return err
	}
	writeTimeout, err := durationEnv("write_timeout", 10*time.Second)
	if err != nil {
		return err
	}

	addr := ListenAddr()
	server := &http.Server{
		Addr:           addr,
		Handler:        Handler(handle),
		ReadTimeout:    readTimeout,
		WriteTimeout:   writeTimeout,
		MaxHeaderBytes: 1 << 20,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	failed := make(chan error, 1)
	go func() { failed <- server.ListenAndServe() }()

	select {
	case err := <-failed:
		return fmt.Errorf("serve on %s: %w", addr, err)
	case <-ctx.Done():
	}

	shutdown, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// durationEnv reads a watchdog duration variable, which may be a Go duration
// such as "10s" or a whole number of seconds.
func durationEnv(name string, fallback time.Duration) (time.Duration, error) {
	value := os.Getenv(name)
	if value == "" {
		return fallback, nil
	}
	if seconds, err := strconv.Atoi(value); err == nil {
		return time.Duration(seconds) * time.Second, nil
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q: use a duration such as 10s", name, value)
	}
	return d, nil
}

func writeError(w http.ResponseWriter, e *scimerr.Error) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(e.Body())
}
