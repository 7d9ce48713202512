// Package bench measures how list queries cost as the directory grows,
// against a real redis-server. Run it with make bench, which also writes
// docs/benchmarks.md.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
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
	groupSvcs map[int]*resource.Service
	client    *redis.Client
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
// with that many users and that many groups, once per test binary. It
// returns the user services by size.
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
		client = redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 32})
		services = map[int]*resource.Service{}
		groupSvcs = map[int]*resource.Service{}
		for _, size := range sizes {
			users, groups := newServices(fmt.Sprintf("bench%d", size))
			started := time.Now()
			if err := fill(users, size, userBody); err != nil {
				setupErr = err
				return
			}
			if err := fill(groups, size, groupBody); err != nil {
				setupErr = err
				return
			}
			services[size], groupSvcs[size] = users, groups
			fmt.Fprintf(os.Stderr, "filled %d users and %d groups in %s\n", size, size, time.Since(started).Round(time.Millisecond))
		}
	})
	if setupErr != nil {
		b.Fatal(setupErr)
	}
	return services
}

// newServices returns the User and Group services of one key prefix.
func newServices(prefix string) (users, groups *resource.Service) {
	st := store.New(client, prefix)
	users = &resource.Service{
		Type:       schema.UserType,
		Store:      st,
		Indexes:    resource.UserIndexes(),
		BaseURL:    "https://scim.example.com/scim",
		MaxResults: 200,
	}
	groups = &resource.Service{
		Type:       schema.GroupType,
		Store:      st,
		Indexes:    resource.GroupIndexes(),
		BaseURL:    "https://scim.example.com/scim",
		MaxResults: 200,
	}
	return users, groups
}

func userBody(i int) string {
	return fmt.Sprintf(`{"userName":"user%07d@example.com","externalId":"ext-%07d","displayName":"User %d","active":true,
		"name":{"givenName":"Given%d","familyName":"Family%d"},
		"emails":[{"value":"user%07d@example.com","type":"work","primary":true}]}`, i, i, i, i, i, i)
}

func groupBody(i int) string {
	return fmt.Sprintf(`{"displayName":"Group %07d","externalId":"gext-%07d"}`, i, i)
}

// fill creates size resources from body with 16 concurrent writers.
func fill(svc *resource.Service, size int, body func(int) string) error {
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
				if _, err := svc.Create(ctx, []byte(body(i))); err != nil {
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

func BenchmarkGroupLookup(b *testing.B) {
	directories(b)
	for _, size := range sizes {
		svc := groupSvcs[size]
		b.Run(fmt.Sprintf("displayName/groups=%d", size), func(b *testing.B) {
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				n := (i * 7919) % size
				page, err := svc.List(ctx, resource.Query{Filter: fmt.Sprintf(`displayName eq "GROUP %07d"`, n), StartIndex: 1, Count: -1})
				if err != nil {
					b.Fatal(err)
				}
				if page.TotalResults != 1 {
					b.Fatalf("group %d: matched %d groups, want 1", n, page.TotalResults)
				}
			}
		})
	}
}

// spareMembers is the number of users that the membership benchmarks add
// to a group and remove again, so that the group keeps its size.
const spareMembers = 256

// membership holds one key prefix with a small and a large group.
type membership struct {
	users, groups *resource.Service
	// groupOf maps a member count to the id of a group with that many
	// members.
	groupOf map[int]string
	spare   []string
}

var (
	membershipOnce sync.Once
	membershipErr  error
	memberships    *membership
	memberSizes    []int
)

// groupsWithMembers fills a key prefix of its own with enough users for a
// group of the largest directory size, a group of 10 members, and the
// spare users, once per test binary.
func groupsWithMembers(b *testing.B) *membership {
	b.Helper()
	directories(b)
	membershipOnce.Do(func() {
		ctx := context.Background()
		largest := sizes[len(sizes)-1]
		memberSizes = []int{10, largest}
		users, groups := newServices("benchmembers")
		started := time.Now()
		total := largest + 10 + spareMembers
		if membershipErr = fill(users, total, userBody); membershipErr != nil {
			return
		}
		ids := make([]string, 0, total)
		membershipErr = users.Store.Scan(ctx, "User", 1000, func(records []store.Record) (bool, error) {
			for _, rec := range records {
				ids = append(ids, rec.ID)
			}
			return true, nil
		})
		if membershipErr != nil {
			return
		}
		m := &membership{users: users, groups: groups, groupOf: map[int]string{}, spare: ids[largest+10:]}
		for i, members := range [][]string{ids[largest : largest+10], ids[:largest]} {
			created, err := groups.Create(ctx, []byte(fmt.Sprintf(`{"displayName":"Members %d"}`, i)))
			if err != nil {
				membershipErr = err
				return
			}
			// Members arrive by PATCH in batches, as Entra ID sends them.
			for from := 0; from < len(members); from += 1000 {
				if _, err := groups.Patch(ctx, created.ID, addBody(members[from:min(len(members), from+1000)]...), resource.Conditions{}); err != nil {
					membershipErr = err
					return
				}
			}
			m.groupOf[len(members)] = created.ID
		}
		memberships = m
		fmt.Fprintf(os.Stderr, "filled %d users and groups of %v members in %s\n", total, memberSizes, time.Since(started).Round(time.Millisecond))
	})
	if membershipErr != nil {
		b.Fatal(membershipErr)
	}
	return memberships
}

func addBody(ids ...string) []byte {
	return memberPatch("add", ids)
}

func memberPatch(op string, ids []string) []byte {
	values := make([]string, len(ids))
	for i, id := range ids {
		values[i] = fmt.Sprintf(`{"value":%q}`, id)
	}
	return []byte(fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":%q,"path":"members","value":[%s]}]}`,
		op, strings.Join(values, ",")))
}

// BenchmarkMemberAdd measures one PATCH that adds one member, to a group of
// 10 members and to one of the largest directory size. Each added member is
// removed again outside the timer, so the group keeps its size.
func BenchmarkMemberAdd(b *testing.B) {
	m := groupsWithMembers(b)
	for _, members := range memberSizes {
		id := m.groupOf[members]
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			ctx := context.Background()
			for i := 0; i < b.N; i++ {
				member := m.spare[i%len(m.spare)]
				if _, err := m.groups.Patch(ctx, id, addBody(member), resource.Conditions{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if _, err := m.groups.Patch(ctx, id, memberPatch("remove", []string{member}), resource.Conditions{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkGroupGetWithoutMembers measures GET /Groups/{id} with
// excludedAttributes=members: the read and the expansion step that the get
// function runs.
func BenchmarkGroupGetWithoutMembers(b *testing.B) {
	m := groupsWithMembers(b)
	projection, err := m.groups.Type.ParseProjection("", "members")
	if err != nil {
		b.Fatal(err)
	}
	for _, members := range memberSizes {
		id := m.groupOf[members]
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				r, err := m.groups.Get(ctx, id)
				if err != nil {
					b.Fatal(err)
				}
				if err := m.groups.Expand(ctx, []resource.Resource{r}, projection); err != nil {
					b.Fatal(err)
				}
				if _, ok := r.Doc["members"]; ok {
					b.Fatal("members read despite the projection")
				}
			}
		})
	}
}

// BenchmarkGroupGetAllMembers measures a plain GET of the largest group with
// every member, rendered and encoded as the get function does, and reports
// the peak heap it needs.
func BenchmarkGroupGetAllMembers(b *testing.B) {
	m := groupsWithMembers(b)
	largest := memberSizes[len(memberSizes)-1]
	id := m.groupOf[largest]
	svc := *m.groups
	svc.MaxMembers = int64(largest)
	ctx := context.Background()

	var peak atomic.Uint64
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peak)
		r, err := svc.Get(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.Expand(ctx, []resource.Resource{r}, schema.Projection{}); err != nil {
			b.Fatal(err)
		}
		body, err := json.Marshal(svc.Type.Render(r.Doc, schema.Projection{}))
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if n := bytes.Count(body, []byte(`"value":`)); n != largest {
			b.Fatalf("encoded %d members, want %d", n, largest)
		}
		b.ReportMetric(float64(len(body))/(1<<20), "body-MiB")
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// BenchmarkGroupDelete measures the atomic delete of a group with as many
// members as the largest directory, which removes every back-reference in
// one Redis script and blocks Redis for that long. Each run builds the
// group again outside the timer. The name carries no size suffix, because
// the cost grows with the group by design and has no ratio goal.
func BenchmarkGroupDelete(b *testing.B) {
	m := groupsWithMembers(b)
	largest := memberSizes[len(memberSizes)-1]
	ctx := context.Background()
	var members []string
	err := m.users.Store.Scan(ctx, "User", 1000, func(records []store.Record) (bool, error) {
		for _, rec := range records {
			members = append(members, rec.ID)
		}
		return len(members) < largest, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	members = members[:largest]

	b.Run(fmt.Sprintf("members-%d", largest), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			created, err := m.groups.Create(ctx, []byte(fmt.Sprintf(`{"displayName":"Deleted %d"}`, i)))
			if err != nil {
				b.Fatal(err)
			}
			for from := 0; from < len(members); from += 1000 {
				if _, err := m.groups.Patch(ctx, created.ID, addBody(members[from:min(len(members), from+1000)]...), resource.Conditions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			if err := m.groups.Delete(ctx, created.ID, resource.Conditions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
