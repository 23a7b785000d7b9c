package app

// Fault tests against real PostgreSQL + Redis (the stack: `node scripts/stack.mjs up`).
// They run when TESTBED_DATABASE_URL (and TESTBED_REDIS_URL) are set, e.g.
//
//	TESTBED_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:54329/clipper \
//	TESTBED_REDIS_URL=redis://127.0.0.1:63799 go test ./...
//
// Each test shows a fault is real with it on and gone with it off. They reset
// pg_stat_statements and toggle the search index: do not run them while a load
// test runs against the same database.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/perfgate/testbed/internal/store"
)

type dbEnv struct {
	pool *pgxpool.Pool
	rdb  *redis.Client
}

func needDB(t *testing.T) *dbEnv {
	t.Helper()
	dsn := os.Getenv("TESTBED_DATABASE_URL")
	if dsn == "" {
		t.Skip("TESTBED_DATABASE_URL not set: skipping real-database fault test (run `node scripts/stack.mjs up` and export TESTBED_DATABASE_URL=$DATABASE_URL TESTBED_REDIS_URL=$REDIS_URL)")
	}
	ctx := context.Background()
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pc.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var n int
	if err := pool.QueryRow(ctx, "SELECT clips FROM seed_info").Scan(&n); err != nil || n == 0 {
		t.Fatalf("database not seeded (run `clipper seed` or the stack): %v", err)
	}
	e := &dbEnv{pool: pool}
	if ru := os.Getenv("TESTBED_REDIS_URL"); ru != "" {
		opt, err := redis.ParseURL(ru)
		if err != nil {
			t.Fatal(err)
		}
		e.rdb = redis.NewClient(opt)
		t.Cleanup(func() { e.rdb.Close() })
	}
	return e
}

// twitchFake stands in for cmd/twitchstub inside the test process.
func twitchFake(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		fmt.Fprintf(w, `{"data":[{"id":%q,"view_count":42,"thumbnail_url":"https://x/t.jpg","embed_url":"https://x/e"}]}`, r.URL.Query().Get("id"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (e *dbEnv) server(t *testing.T, mut func(*Config)) *Server {
	t.Helper()
	cfg := FromEnv()
	cfg.Faults = Faults{NPlusOne: true, SeqScan: true, CPURelated: true, VoteMutex: true, GoroutineLeak: false}
	cfg.RegressEP = map[string]bool{}
	cfg.TwitchURL = twitchFake(t)
	if mut != nil {
		mut(&cfg)
	}
	if err := store.EnsureSearchIndex(context.Background(), e.pool, cfg.Faults.SeqScan); err != nil {
		t.Fatal(err)
	}
	s := New(cfg, e.pool, e.rdb)
	s.Logf = t.Logf
	return s
}

func get(t *testing.T, h http.Handler, path string) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.Bytes()
}

func post(t *testing.T, h http.Handler, path, token, body string) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func TestRoutesOnRealDatabase(t *testing.T) {
	e := needDB(t)
	s := e.server(t, nil)
	for _, p := range []string{
		"/api/v1/clips", "/api/v1/clips?sort=new&limit=5", "/api/v1/clips?sort=top&timeframe=month",
		"/api/v1/clips/42", "/api/v1/clips/42/related", "/api/v1/clips/42/comments?limit=20",
		"/api/v1/tags/clutch/clips", "/api/v1/search?q=epic&limit=25", "/health/stats",
	} {
		code, body := get(t, s, p)
		if code != 200 {
			t.Errorf("GET %s: %d %.300s", p, code, body)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("GET %s: not JSON: %v", p, err)
		}
	}
	for _, p := range []string{"/api/v1/clips/999999999", "/api/v1/clips/999999999/related", "/api/v1/clips/999999999/comments", "/api/v1/tags/no-such-tag/clips"} {
		if code, body := get(t, s, p); code != 404 {
			t.Errorf("GET %s: %d, want 404 (%s)", p, code, body)
		}
	}
	if code, body := post(t, s, "/api/v1/clips/42/vote", "user-3-token", `{"vote":1}`); code != 200 {
		t.Errorf("vote: %d %s", code, body)
	}
	if code, body := post(t, s, "/api/v1/clips/42/vote", "user-3-token", `{"vote":0}`); code != 200 {
		t.Errorf("unvote: %d %s", code, body)
	}
	if code, body := post(t, s, "/api/v1/clips/999999999/vote", "user-3-token", `{"vote":1}`); code != 404 {
		t.Errorf("vote missing clip: %d %s", code, body)
	}
	if code, body := post(t, s, "/api/v1/clips/42/vote", "user-999999-token", `{"vote":1}`); code != 401 {
		t.Errorf("vote unknown user: %d %s", code, body)
	}
	if code, body := post(t, s, "/api/v1/clips/42/comments", "user-3-token", `{"content":"great clip"}`); code != 201 {
		t.Errorf("comment: %d %s", code, body)
	}
	if code, body := post(t, s, "/api/v1/clips/999999999/comments", "user-3-token", `{"content":"x"}`); code != 404 {
		t.Errorf("comment missing clip: %d %s", code, body)
	}
	// clip detail on a cache miss calls the Twitch API and records its latency
	if e.rdb != nil {
		e.rdb.Del(context.Background(), "clip:v1:43")
	}
	if code, body := get(t, s, "/api/v1/clips/43"); code != 200 || !bytes.Contains(body, []byte("thumbnail_url")) {
		t.Errorf("clip detail: %d %s", code, body)
	}
	_, metrics := get(t, s, "/debug/metrics")
	if !bytes.Contains(metrics, []byte(`external_request_duration_seconds_count{service="twitch"}`)) {
		t.Errorf("no twitch latency histogram in metrics")
	}
	if e.rdb != nil {
		code, body := get(t, s, "/health/cache")
		var m struct {
			Status string            `json:"status"`
			Cache  map[string]string `json:"cache"`
		}
		_ = json.Unmarshal(body, &m)
		if code != 200 || m.Cache["hit_rate"] == "" || m.Cache["used_memory_human"] == "" || m.Cache["evicted_keys"] == "" {
			t.Errorf("/health/cache: %d %s", code, body)
		}
		if code, body := get(t, s, "/health"); code != 200 {
			t.Errorf("/health: %d %s", code, body)
		}
	}
}

// FAULT 1: queries per request from pg_stat_statements.
func TestFaultNPlusOne(t *testing.T) {
	e := needDB(t)
	ctx := context.Background()
	const nplus1 = "SELECT id, username, display_name, avatar_url " + "FROM users WHERE id = $1" // split: the literal lives only in faults.go
	calls := func(q string) int64 {
		var n int64
		if err := e.pool.QueryRow(ctx, "SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements WHERE query = $1", q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	run := func(s *Server) (requests, comments int) {
		if _, err := e.pool.Exec(ctx, "SELECT pg_stat_statements_reset()"); err != nil {
			t.Fatal(err)
		}
		for id := 100; id < 110; id++ {
			code, body := get(t, s, fmt.Sprintf("/api/v1/clips/%d/comments?limit=20", id))
			if code != 200 {
				t.Fatalf("comments: %d %s", code, body)
			}
			var r struct{ Data []Comment }
			_ = json.Unmarshal(body, &r)
			comments += len(r.Data)
			requests++
		}
		return
	}
	reqs, comments := run(e.server(t, func(c *Config) { c.Faults.NPlusOne = true }))
	got := calls(nplus1)
	t.Logf("fault on: %d requests, %d comments, %d author queries (%.1f per request)", reqs, comments, got, float64(got)/float64(reqs))
	if comments < 3*reqs || got < int64(comments) {
		t.Fatalf("fault on: want one author query per comment (%d), got %d", comments, got)
	}
	_, comments = run(e.server(t, func(c *Config) { c.Faults.NPlusOne = false }))
	if got := calls(nplus1); got != 0 {
		t.Fatalf("fault off: %d author queries, want 0", got)
	}
	var joined int64
	_ = e.pool.QueryRow(ctx, "SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements WHERE query LIKE 'SELECT cm.id, cm.user_id%'").Scan(&joined)
	if joined != int64(reqs) {
		t.Fatalf("fault off: joined query ran %d times for %d requests", joined, reqs)
	}
}

// FAULT 2: the search plan's Seq Scan, and the index scan once the index exists.
func TestFaultSeqScan(t *testing.T) {
	e := needDB(t)
	ctx := context.Background()
	t.Cleanup(func() { _ = store.EnsureSearchIndex(ctx, e.pool, true) }) // back to the default (fault on)
	plan := func() string {
		var js []byte
		if err := e.pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+SearchSQL, "clutch", 25).Scan(&js); err != nil {
			t.Fatal(err)
		}
		return string(js)
	}
	s := e.server(t, func(c *Config) { c.Faults.SeqScan = true })
	if code, body := get(t, s, "/api/v1/search?q=clutch"); code != 200 {
		t.Fatalf("search: %d %s", code, body)
	}
	p := plan()
	if !strings.Contains(p, `"Node Type": "Seq Scan"`) || !strings.Contains(p, `"Relation Name": "clip_search_terms"`) || strings.Contains(p, store.SearchIndexName) {
		t.Fatalf("fault on: want Seq Scan on clip_search_terms, plan: %s", p)
	}
	// the fix perfgate suggests: CREATE INDEX CONCURRENTLY ... ON clip_search_terms (term)
	e.server(t, func(c *Config) { c.Faults.SeqScan = false })
	p = plan()
	if !strings.Contains(p, store.SearchIndexName) || !(strings.Contains(p, `"Index Scan"`) || strings.Contains(p, `"Bitmap Index Scan"`)) {
		t.Fatalf("fault off: want an index scan on %s, plan: %s", store.SearchIndexName, p)
	}
}

// cpuProfile runs load(ctx) while a CPU profile is taken, and returns the share of
// samples whose stack contains fn, and the application function with most flat samples.
func cpuProfile(t *testing.T, d time.Duration, load func(stop <-chan struct{})) *profile.Profile {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("cannot start a CPU profile: %v", err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); load(stop) }()
	time.Sleep(d)
	close(stop)
	wg.Wait()
	pprof.StopCPUProfile()
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func profileShare(p *profile.Profile, fn string) (share float64, topApp string) {
	var total, with int64
	flat := map[string]int64{}
	for _, s := range p.Sample {
		v := s.Value[len(s.Value)-1]
		total += v
		found := false
		for i, loc := range s.Location {
			for j, ln := range loc.Line {
				name := ln.Function.Name
				if strings.HasSuffix(name, fn) {
					found = true
				}
				if i == 0 && j == 0 && strings.HasPrefix(name, "github.com/perfgate/testbed/") {
					flat[name] += v
				}
			}
		}
		if found {
			with += v
		}
	}
	var best int64
	for name, v := range flat {
		if v > best {
			best, topApp = v, name
		}
	}
	if total == 0 {
		return 0, ""
	}
	return float64(with) / float64(total), topApp
}

// FAULT 3: the related-clips scoring function at the top of a CPU profile under load.
func TestFaultCPURelated(t *testing.T) {
	e := needDB(t)
	load := func(s *Server) func(stop <-chan struct{}) {
		return func(stop <-chan struct{}) {
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						get(t, s, fmt.Sprintf("/api/v1/clips/%d/related", 1+(w*97+i*13)%20))
					}
				}(w)
			}
			wg.Wait()
		}
	}
	on := cpuProfile(t, 3*time.Second, load(e.server(t, func(c *Config) { c.Faults.CPURelated = true })))
	share, top := profileShare(on, "app.scoreRelatedClips")
	t.Logf("fault on: scoreRelatedClips in %.0f%% of CPU samples; top application function (flat): %s", share*100, top)
	if share < 0.25 || !strings.HasSuffix(top, "app.scoreRelatedClips") {
		t.Fatalf("fault on: want scoreRelatedClips on top of the CPU profile (share %.2f, top %s)", share, top)
	}
	off := cpuProfile(t, 2*time.Second, load(e.server(t, func(c *Config) { c.Faults.CPURelated = false })))
	if share, _ := profileShare(off, "app.scoreRelatedClips"); share != 0 {
		t.Fatalf("fault off: scoreRelatedClips still in %.0f%% of samples", share*100)
	}
}

// FAULT 4: the global vote mutex in the mutex and block profiles.
func TestFaultVoteMutex(t *testing.T) {
	e := needDB(t)
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	t.Cleanup(func() { runtime.SetMutexProfileFraction(0); runtime.SetBlockProfileRate(0) })
	votes := func(s *Server) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 15; i++ {
					code, body := post(t, s, fmt.Sprintf("/api/v1/clips/%d/vote", 200+w*50+i), fmt.Sprintf("user-%d-token", 10+w), fmt.Sprintf(`{"vote":%d}`, 1-2*(i%2)))
					if code != 200 {
						t.Errorf("vote: %d %s", code, body)
						return
					}
				}
			}(w)
		}
		wg.Wait()
		return time.Since(start)
	}
	profileText := func(name string) string {
		var b bytes.Buffer
		_ = pprof.Lookup(name).WriteTo(&b, 1)
		return b.String()
	}
	// warm the pool up, then fault off first: the profiles are cumulative over the process
	votes(e.server(t, func(c *Config) { c.Faults.VoteMutex = false }))
	dOff := votes(e.server(t, func(c *Config) { c.Faults.VoteMutex = false }))
	if strings.Contains(profileText("mutex"), "castVoteSerialized") {
		t.Fatalf("fault off: castVoteSerialized in the mutex profile")
	}
	dOn := votes(e.server(t, func(c *Config) { c.Faults.VoteMutex = true }))
	t.Logf("120 votes from 8 workers: %s with the fault off, %s with it on", dOff, dOn)
	if m := profileText("mutex"); !strings.Contains(m, "app.(*Server).castVoteSerialized") {
		t.Fatalf("fault on: castVoteSerialized not in the mutex profile:\n%.3000s", m)
	}
	if b := profileText("block"); !strings.Contains(b, "app.(*Server).castVoteSerialized") {
		t.Fatalf("fault on: castVoteSerialized not in the block profile")
	}
}

// FAULT 5: goroutine growth on clip detail.
func TestFaultGoroutineLeak(t *testing.T) {
	e := needDB(t)
	growth := func(s *Server) (int, string) {
		runtime.GC()
		before := runtime.NumGoroutine()
		for i := 0; i < 150; i++ {
			if code, body := get(t, s, fmt.Sprintf("/api/v1/clips/%d", 1+i%30)); code != 200 {
				t.Fatalf("clip detail: %d %s", code, body)
			}
		}
		time.Sleep(500 * time.Millisecond)
		var b bytes.Buffer
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		return runtime.NumGoroutine() - before, b.String()
	}
	g, _ := growth(e.server(t, func(c *Config) { c.Faults.GoroutineLeak = false }))
	if g > 20 {
		t.Fatalf("fault off: goroutines grew by %d over 150 requests", g)
	}
	g, prof := growth(e.server(t, func(c *Config) { c.Faults.GoroutineLeak = true }))
	t.Logf("fault on: +%d goroutines over 150 requests", g)
	if g < 140 || !strings.Contains(prof, "app.(*Server).viewCounterWorker") {
		t.Fatalf("fault on: goroutines grew by %d over 150 requests (want ~150), viewCounterWorker in profile: %v", g, strings.Contains(prof, "viewCounterWorker"))
	}
}

// CACHE=off: feed and clip detail always miss.
func TestCacheSwitch(t *testing.T) {
	e := needDB(t)
	if e.rdb == nil {
		t.Skip("TESTBED_REDIS_URL not set")
	}
	count := func(s *Server) string {
		for i := 0; i < 3; i++ {
			get(t, s, "/api/v1/clips?sort=new&limit=7")
		}
		_, m := get(t, s, "/debug/metrics")
		var out []string
		for _, l := range strings.Split(string(m), "\n") {
			if strings.HasPrefix(l, `cache_requests_total{cache="feed"`) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "; ")
	}
	e.rdb.Del(context.Background(), "feed:v1:new:all:7:1")
	if on := count(e.server(t, nil)); !strings.Contains(on, `result="hit"} 2`) {
		t.Fatalf("cache on: want 2 hits, got %s", on)
	}
	if off := count(e.server(t, func(c *Config) { c.CacheEnabled = false })); off != "" {
		t.Fatalf("cache off: want no cache lookups, got %s", off)
	}
}
