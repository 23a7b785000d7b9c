package app

// Handler tests that need no database or Redis: validation answers 400/401/404
// with a JSON error (never a 500), metrics, pprof auth, the regression switch
// and the goroutine leak of clip detail.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

func testConfig() Config {
	c := FromEnv()
	c.TwitchURL = "http://127.0.0.1:1" // never reached without a database
	c.RegressEP = map[string]bool{}
	return c
}

func do(t *testing.T, h http.Handler, method, path, body string, hdr map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return res, m
}

func TestValidationErrors(t *testing.T) {
	s := New(testConfig(), nil, nil)
	user := map[string]string{"Authorization": "Bearer user-1-token"}
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		want                     int
	}{
		{"feed bad sort", "GET", "/api/v1/clips?sort=best", "", nil, 400},
		{"feed bad limit", "GET", "/api/v1/clips?limit=0", "", nil, 400},
		{"feed limit too big", "GET", "/api/v1/clips?limit=1000", "", nil, 400},
		{"feed bad timeframe", "GET", "/api/v1/clips?sort=top&timeframe=decade", "", nil, 400},
		{"feed bad page", "GET", "/api/v1/clips?page=-1", "", nil, 400},
		{"detail non-numeric id", "GET", "/api/v1/clips/abc", "", nil, 400},
		{"detail zero id", "GET", "/api/v1/clips/0", "", nil, 400},
		{"detail negative id", "GET", "/api/v1/clips/-5", "", nil, 400},
		{"detail overflow id", "GET", "/api/v1/clips/99999999999999999999999", "", nil, 400},
		{"related bad id", "GET", "/api/v1/clips/x1/related", "", nil, 400},
		{"related bad limit", "GET", "/api/v1/clips/1/related?limit=999", "", nil, 400},
		{"comments bad id", "GET", "/api/v1/clips/1.5/comments", "", nil, 400},
		{"comments bad limit", "GET", "/api/v1/clips/1/comments?limit=abc", "", nil, 400},
		{"search missing q", "GET", "/api/v1/search", "", nil, 400},
		{"search blank q", "GET", "/api/v1/search?q=%20%20", "", nil, 400},
		{"search punctuation q", "GET", "/api/v1/search?q=%21%21", "", nil, 400},
		{"search bad limit", "GET", "/api/v1/search?q=epic&limit=0", "", nil, 400},
		{"tag invalid", "GET", "/api/v1/tags/%24%24/clips", "", nil, 400},
		{"vote no token", "POST", "/api/v1/clips/1/vote", `{"vote":1}`, nil, 401},
		{"vote basic auth", "POST", "/api/v1/clips/1/vote", `{"vote":1}`, map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, 401},
		{"vote unknown token", "POST", "/api/v1/clips/1/vote", `{"vote":1}`, map[string]string{"Authorization": "Bearer not-a-token"}, 401},
		{"vote bad id", "POST", "/api/v1/clips/abc/vote", `{"vote":1}`, user, 400},
		{"vote no body", "POST", "/api/v1/clips/1/vote", "", user, 400},
		{"vote bad json", "POST", "/api/v1/clips/1/vote", `{"vote":`, user, 400},
		{"vote missing field", "POST", "/api/v1/clips/1/vote", `{}`, user, 400},
		{"vote out of range", "POST", "/api/v1/clips/1/vote", `{"vote":2}`, user, 400},
		{"vote wrong type", "POST", "/api/v1/clips/1/vote", `{"vote":"up"}`, user, 400},
		{"comment no token", "POST", "/api/v1/clips/1/comments", `{"content":"hi"}`, nil, 401},
		{"comment empty", "POST", "/api/v1/clips/1/comments", `{"content":"   "}`, user, 400},
		{"comment missing", "POST", "/api/v1/clips/1/comments", `{"text":"hi"}`, user, 400},
		{"comment too long", "POST", "/api/v1/clips/1/comments", `{"content":"` + strings.Repeat("x", 2001) + `"}`, user, 400},
		{"comment bad json", "POST", "/api/v1/clips/1/comments", `nope`, user, 400},
		{"unknown route", "GET", "/api/v1/nope", "", nil, 404},
		{"pprof without token", "GET", "/debug/pprof/", "", nil, 401},
		{"pprof profile without token", "GET", "/debug/pprof/profile?seconds=1", "", nil, 401},
		{"pprof wrong token", "GET", "/debug/pprof/heap", "", map[string]string{"Authorization": "Bearer user-1-token"}, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := do(t, s, tc.method, tc.path, tc.body, tc.hdr)
			if res.StatusCode != tc.want {
				t.Fatalf("%s %s: status %d, want %d (body %v)", tc.method, tc.path, res.StatusCode, tc.want, body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content-type %q, want JSON", ct)
			}
			if msg, _ := body["error"].(string); msg == "" {
				t.Fatalf("no JSON error message in %v", body)
			}
		})
	}
}

func TestMetricsExposeNamedSeries(t *testing.T) {
	cfg := testConfig()
	s := New(cfg, nil, nil)
	do(t, s, "GET", "/api/v1/clips/abc", "", nil)
	do(t, s, "GET", "/api/v1/clips/1/related?limit=0", "", nil)
	s.extDur.WithLabelValues("twitch").Observe(0.005)
	res, _ := do(t, s, "GET", "/debug/metrics", "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("metrics status %d", res.StatusCode)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`http_requests_total{method="GET",path="/api/v1/clips/:id",status="400"} 1`,
		`http_requests_total{method="GET",path="/api/v1/clips/:id/related",status="400"} 1`,
		`http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips/:id",le="0.001"}`,
		`http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips/:id",le="10"}`,
		"http_in_flight_requests",
		`external_request_duration_seconds_count{service="twitch"} 1`,
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMetricNamingShopRenamesTheHTTPSeries(t *testing.T) {
	cfg := testConfig()
	cfg.MetricNaming = "shop"
	s := New(cfg, nil, nil)
	do(t, s, "GET", "/api/v1/clips/abc", "", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`shop_http_served_total{http_status="400",route_template="/api/v1/clips/:id",verb="GET"} 1`,
		`shop_http_latency_seconds_bucket{route_template="/api/v1/clips/:id",verb="GET",le="0.001"}`,
		"shop_http_active",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(text, "http_requests_total") {
		t.Error("the Clipper counter is still exposed")
	}
}

func TestPprofWithAdminToken(t *testing.T) {
	s := New(testConfig(), nil, nil)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/debug/pprof/goroutine?debug=1", nil)
	req.Header.Set("Authorization", "Bearer "+testConfig().AdminToken)
	s.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "goroutine profile") {
		t.Fatalf("pprof with admin token: %d %.200s", rec.Code, rec.Body.String())
	}
}

func TestRegressionSwitch(t *testing.T) {
	cfg := testConfig()
	cfg.RegressEP = map[string]bool{EPSearch: true}
	cfg.RegressDelay = 60 * time.Millisecond
	s := New(cfg, nil, nil)
	start := time.Now()
	do(t, s, "GET", "/api/v1/search", "", nil)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("regressed search took %s, want >= 60ms", d)
	}
	start = time.Now()
	do(t, s, "GET", "/api/v1/clips/abc", "", nil)
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("clip detail (not regressed) took %s", d)
	}
}

func TestRegressionBurnSpinsOnTheCPU(t *testing.T) {
	start := time.Now()
	regressionBurn(20 * time.Millisecond)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("regressionBurn(20ms) returned after %s", d)
	}
	t.Setenv("REGRESS_CPU_MS", "3")
	if c := FromEnv(); c.RegressCPU != 3*time.Millisecond {
		t.Fatalf("REGRESS_CPU_MS=3 gave %s", c.RegressCPU)
	}
	t.Setenv("REGRESS_CPU_MS", "")
	if c := FromEnv(); c.RegressCPU != 0 {
		t.Fatalf("REGRESS_CPU_MS unset gave %s, want 0 (off)", c.RegressCPU)
	}
}

func TestConfigSwitches(t *testing.T) {
	t.Setenv("FAULTS", "off")
	t.Setenv("FAULT_VOTE_MUTEX", "1")
	t.Setenv("REGRESS_ENDPOINT", "feed, search")
	t.Setenv("CACHE", "off")
	c := FromEnv()
	if c.Faults.NPlusOne || c.Faults.SeqScan || c.Faults.CPURelated || c.Faults.GoroutineLeak || !c.Faults.VoteMutex {
		t.Fatalf("faults %+v", c.Faults)
	}
	if !c.RegressEP["feed"] || !c.RegressEP["search"] || c.RegressDelay != 25*time.Millisecond || c.CacheEnabled {
		t.Fatalf("regress %v %s cache %v", c.RegressEP, c.RegressDelay, c.CacheEnabled)
	}
	t.Setenv("REGRESS_DELAY_MS", "1.2")
	if d := FromEnv().RegressDelay; d != 1200*time.Microsecond {
		t.Fatalf("REGRESS_DELAY_MS=1.2 gave %s", d)
	}
	t.Setenv("REGRESS_DELAY_MS", "")
	t.Setenv("FAULTS", "")
	t.Setenv("FAULT_N_PLUS_ONE", "0")
	c = FromEnv()
	if c.Faults.NPlusOne || !c.Faults.SeqScan || !c.Faults.CPURelated {
		t.Fatalf("faults default on, N+1 off: %+v", c.Faults)
	}
}

// leakGrowth sends n clip-detail requests and returns the goroutine growth.
func leakGrowth(t *testing.T, h http.Handler, n int) int {
	runtime.GC()
	before := runtime.NumGoroutine()
	for i := 0; i < n; i++ {
		do(t, h, "GET", "/api/v1/clips/7", "", nil)
	}
	time.Sleep(300 * time.Millisecond)
	return runtime.NumGoroutine() - before
}

func TestFaultGoroutineLeakNoDB(t *testing.T) {
	cfg := testConfig()
	cfg.Faults.GoroutineLeak = false
	if g := leakGrowth(t, New(cfg, nil, nil), 200); g > 20 {
		t.Fatalf("fault off: goroutines grew by %d over 200 requests", g)
	}
	cfg.Faults.GoroutineLeak = true
	if g := leakGrowth(t, New(cfg, nil, nil), 200); g < 190 {
		t.Fatalf("fault on: goroutines grew by %d over 200 requests, want ~200", g)
	}
}
