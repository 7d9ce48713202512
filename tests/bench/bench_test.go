// Package bench measures how list queries cost as the directory grows,
// against a real redis-server. Run it with make bench, which also writes
// docs/benchmarks.md.
package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/store"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

// sizes are the directory sizes that every lookup is measured at. The
// SCIM_BENCH_SIZES variable (comma-separated) replaces them for a quick run.
var sizes = benchSizes()

func benchSizes() []int {
	list := os.Getenv("SCIM_BENCH_SIZES")
	if list == "" {
		return []int{1_000, 100_000}
	}
	var out []int
	for _, field := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			panic(fmt.Sprintf("SCIM_BENCH_SIZES: %q is not a positive integer", field))
		}
		out = append(out, n)
	}
	return out
}

// scanHeapCeiling is the peak heap that a full-scan filter over the largest
// directory may reach. A scan reads the store in fixed batches, so the
// ceiling does not grow with the directory.
const scanHeapCeiling = 64 << 20

var (
	setupOnce sync.Once
	setupErr  error
	services  map[int]*resource.Service
	server    *redisserver.Server
)

func TestMain(m *testing.M) {
	code := m.Run()
	if server != nil {
		server.Stop()
	}
	os.Exit(code)
}

// directories starts one redis-server and fills one key prefix per size
// with that many users, once per test binary.
func directories(b *testing.B) map[int]*resource.Service {
	b.Helper()
	setupOnce.Do(func() {
		srv, err := redisserver.Launch()
		if err != nil {
			setupErr = err
			return
		}
		// Every benchmark shares the server, and TestMain stops it.
		server = srv
		client := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 32})
		services = map[int]*resource.Service{}
		for _, size := range sizes {
			svc := &resource.Service{
				Type:       schema.UserType,
				Store:      store.New(client, fmt.Sprintf("bench%d", size)),
				Indexes:    resource.UserIndexes(),
				BaseURL:    "https://scim.example.com/scim",
				MaxResults: 200,
			}
			started := time.Now()
			if err := fill(svc, size); err != nil {
				setupErr = err
				return
			}
			services[size] = svc
			fmt.Fprintf(os.Stderr, "filled %d users in %s\n", size, time.Since(started).Round(time.Millisecond))
		}
	})
	if setupErr != nil {
		b.Fatal(setupErr)
	}
	return services
}

// fill creates size users with 16 concurrent writers.
func fill(svc *resource.Service, size int) error {
	ctx := context.Background()
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= size {
					return
				}
				body := fmt.Sprintf(`{"userName":"user%07d@example.com","externalId":"ext-%07d","displayName":"User %d","active":true,
					"name":{"givenName":"Given%d","familyName":"Family%d"},
					"emails":[{"value":"user%07d@example.com","type":"work","primary":true}]}`, i, i, i, i, i, i)
				if _, err := svc.Create(ctx, []byte(body)); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func BenchmarkIndexedLookup(b *testing.B) {
	dirs := directories(b)
	lookups := []struct {
		name   string
		filter func(i int) string
	}{
		{"userName", func(i int) string { return fmt.Sprintf(`userName eq "USER%07d@example.com"`, i) }},
		{"externalId", func(i int) string { return fmt.Sprintf(`externalId eq "ext-%07d"`, i) }},
		{"workEmail", func(i int) string { return fmt.Sprintf(`emails[type eq "work"].value eq "User%07d@Example.com"`, i) }},
		{"id", nil},
	}
	for _, lookup := range lookups {
		for _, size := range sizes {
			svc := dirs[size]
			b.Run(fmt.Sprintf("%s/users=%d", lookup.name, size), func(b *testing.B) {
				ctx := context.Background()
				filters := make([]string, 256)
				for i := range filters {
					n := (i * 7919) % size
					if lookup.filter != nil {
						filters[i] = lookup.filter(n)
						continue
					}
					page, err := svc.List(ctx, resource.Query{Filter: fmt.Sprintf(`userName eq "user%07d@example.com"`, n), StartIndex: 1, Count: 1})
					if err != nil || len(page.Resources) != 1 {
						b.Fatalf("find user %d: %v", n, err)
					}
					filters[i] = fmt.Sprintf(`id eq "%s"`, page.Resources[0].ID)
				}

				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					page, err := svc.List(ctx, resource.Query{Filter: filters[i%len(filters)], StartIndex: 1, Count: -1})
					if err != nil {
						b.Fatal(err)
					}
					if page.TotalResults != 1 {
						b.Fatalf("filter %s matched %d users, want 1", filters[i%len(filters)], page.TotalResults)
					}
				}
			})
		}
	}
}

func BenchmarkFullScanFilter(b *testing.B) {
	size := sizes[len(sizes)-1]
	svc := directories(b)[size]
	ctx := context.Background()
	// co on displayName has no index, so every user is read and tested.
	query := resource.Query{Filter: `displayName co "9999"`, StartIndex: 1, Count: 100}

	var peak atomic.Uint64
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peak)
		page, err := svc.List(ctx, query)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if page.TotalResults == 0 {
			b.Fatal("the scan filter matched no user")
		}
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(scanHeapCeiling)/(1<<20), "heap-ceiling-MiB")
	if peak.Load() > scanHeapCeiling {
		b.Fatalf("peak heap %d MiB exceeds the %d MiB ceiling", peak.Load()>>20, scanHeapCeiling>>20)
	}
}

// sampleHeap records the largest HeapAlloc seen every millisecond until the
// returned stop function is called.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		var stats runtime.MemStats
		for {
			runtime.ReadMemStats(&stats)
			if stats.HeapAlloc > peak.Load() {
				peak.Store(stats.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
