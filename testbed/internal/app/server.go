// Package app is the Clipper-like API of the perfgate testbed.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

// Server is the testbed API. db and rdb may be nil (handler tests): routes that
// need them answer 503, validation still answers 400/401/404.
type Server struct {
	cfg    Config
	db     *pgxpool.Pool
	rdb    *redis.Client
	twitch *http.Client
	mux    *http.ServeMux
	reg    *prometheus.Registry
	tokens sync.Map // bearer token -> user id

	reqTotal   *prometheus.CounterVec
	reqDur     *prometheus.HistogramVec
	inFlight   prometheus.Gauge
	extDur     *prometheus.HistogramVec
	extTotal   *prometheus.CounterVec
	cacheTotal *prometheus.CounterVec
	Logf       func(format string, args ...any)
}

// New builds the server and its routes.
func New(cfg Config, db *pgxpool.Pool, rdb *redis.Client) *Server {
	s := &Server{
		cfg: cfg, db: db, rdb: rdb,
		twitch: &http.Client{
			Timeout: cfg.TwitchTimeout,
			Transport: &http.Transport{
				MaxIdleConns: 200, MaxIdleConnsPerHost: 200, IdleConnTimeout: 90 * time.Second,
			},
		},
		mux:  http.NewServeMux(),
		reg:  prometheus.NewRegistry(),
		Logf: log.Printf,
	}
	s.initMetrics()
	s.routes()
	return s
}

// ApplyProfilingRates turns on block and mutex profiling at the configured rates.
func ApplyProfilingRates(cfg Config) {
	runtime.SetBlockProfileRate(cfg.BlockRate)
	runtime.SetMutexProfileFraction(cfg.MutexFraction)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Registry exposes the Prometheus registry (tests).
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// httpMetricNames: the HTTP metrics' names and label names (Clipper's, or METRIC_NAMING=shop's).
type httpMetricNames struct {
	requests, duration, inFlight string
	method, route, status        string
}

func metricNames(naming string) httpMetricNames {
	if naming == "shop" {
		return httpMetricNames{"shop_http_served_total", "shop_http_latency_seconds", "shop_http_active",
			"verb", "route_template", "http_status"}
	}
	return httpMetricNames{"http_requests_total", "http_request_duration_seconds", "http_in_flight_requests",
		"method", "path", "status"}
}

func (s *Server) initMetrics() {
	n := metricNames(s.cfg.MetricNaming)
	s.reqTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: n.requests, Help: "HTTP requests by method, route template and status.",
	}, []string{n.method, n.route, n.status})
	s.reqDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: n.duration, Help: "HTTP request latency by method and route template.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .075, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{n.method, n.route})
	s.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: n.inFlight, Help: "HTTP requests being served.",
	})
	s.extDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "external_request_duration_seconds", Help: "Client-side latency of calls to external services.",
		Buckets: []float64{.001, .0025, .005, .0075, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"service"})
	s.extTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "external_requests_total", Help: "Calls to external services by outcome.",
	}, []string{"service", "outcome"})
	s.cacheTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cache_requests_total", Help: "Application cache lookups by cache and result (hit|miss).",
	}, []string{"cache", "result"})
	s.reg.MustRegister(s.reqTotal, s.reqDur, s.inFlight, s.extDur, s.extTotal, s.cacheTotal,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if s.db != nil {
		s.reg.MustRegister(newPoolCollector(s.db))
	}
}

func (s *Server) routes() {
	// API (pattern, Clipper route template for the `path` label, perfgate endpoint name)
	s.handle("GET /api/v1/clips", "/api/v1/clips", EPFeed, s.handleFeed)
	s.handle("GET /api/v1/clips/{id}", "/api/v1/clips/:id", EPClipDetail, s.handleClipDetail)
	s.handle("GET /api/v1/clips/{id}/related", "/api/v1/clips/:id/related", EPRelatedClips, s.handleRelated)
	s.handle("GET /api/v1/clips/{id}/comments", "/api/v1/clips/:id/comments", EPCommentsList, s.handleCommentsList)
	s.handle("POST /api/v1/clips/{id}/comments", "/api/v1/clips/:id/comments", EPCreateComment, s.handleCreateComment)
	s.handle("POST /api/v1/clips/{id}/vote", "/api/v1/clips/:id/vote", EPVote, s.handleVote)
	s.handle("GET /api/v1/tags/{tag}/clips", "/api/v1/tags/:tag/clips", EPTagBrowse, s.handleTagBrowse)
	s.handle("GET /api/v1/search", "/api/v1/search", EPSearch, s.handleSearch)
	// health
	s.handle("GET /health", "/health", "", s.handleHealth)
	s.handle("GET /health/stats", "/health/stats", "", s.handleHealthStats)
	s.handle("GET /health/cache", "/health/cache", "", s.handleHealthCache)
	// observability
	s.mux.Handle("GET /debug/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	s.mux.Handle("/debug/pprof/", s.adminOnly(http.HandlerFunc(pprof.Index)))
	s.mux.Handle("/debug/pprof/cmdline", s.adminOnly(http.HandlerFunc(pprof.Cmdline)))
	s.mux.Handle("/debug/pprof/profile", s.adminOnly(http.HandlerFunc(pprof.Profile)))
	s.mux.Handle("/debug/pprof/symbol", s.adminOnly(http.HandlerFunc(pprof.Symbol)))
	s.mux.Handle("/debug/pprof/trace", s.adminOnly(http.HandlerFunc(pprof.Trace)))
	s.mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"service": "clipper-testbed", "faults": s.cfg.Faults, "routes": []string{
			"GET /api/v1/clips?sort=hot|new|top&limit=25&timeframe=hour|day|week|month|year|all",
			"GET /api/v1/clips/:id", "GET /api/v1/clips/:id/related", "GET /api/v1/clips/:id/comments?limit=20",
			"POST /api/v1/clips/:id/comments", "POST /api/v1/clips/:id/vote", "GET /api/v1/tags/:tag/clips",
			"GET /api/v1/search?q=&limit=25", "GET /health", "GET /health/stats", "GET /health/cache",
			"GET /debug/metrics", "GET /debug/pprof/ (admin bearer token)"}})
	})
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.reqTotal.WithLabelValues(r.Method, "unmatched", "404").Inc()
		writeError(w, http.StatusNotFound, "not_found", "no route for "+r.Method+" "+r.URL.Path)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// handle registers a route with metrics (path label = Clipper route template),
// panic recovery and the regression switch.
func (s *Server) handle(pattern, tmpl, endpoint string, h http.HandlerFunc) {
	regress := endpoint != "" && s.cfg.RegressEP[endpoint]
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Inc()
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				s.Logf("panic in %s %s: %v", r.Method, r.URL.Path, p)
				writeError(sw, http.StatusInternalServerError, "internal", "internal error")
			}
			s.inFlight.Dec()
			s.reqTotal.WithLabelValues(r.Method, tmpl, strconv.Itoa(sw.status)).Inc()
			s.reqDur.WithLabelValues(r.Method, tmpl).Observe(time.Since(start).Seconds())
		}()
		if regress {
			regressionDelay(s.cfg.RegressDelay)
		}
		h(sw, r)
	}))
}

// regressionDelay is the regression switch (REGRESS_ENDPOINT / REGRESS_DELAY_MS).
func regressionDelay(d time.Duration) { time.Sleep(d) }

func (s *Server) adminOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r)
		if !ok || s.cfg.AdminToken == "" || tok != s.cfg.AdminToken {
			writeError(w, http.StatusUnauthorized, "unauthorized", "admin bearer token required")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 8 || !strings.EqualFold(h[:7], "Bearer ") {
		return "", false
	}
	t := strings.TrimSpace(h[7:])
	return t, t != ""
}

// --- JSON helpers ---

type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": msg, "code": code, "status": status})
}

// fail answers an error: apiErrors as themselves, anything else as 500 (logged).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeError(w, ae.status, ae.code, ae.message)
		return
	}
	if errors.Is(err, context.Canceled) {
		writeError(w, 499, "canceled", "request canceled")
		return
	}
	s.Logf("error %s %s: %v", r.Method, r.URL.Path, err)
	writeError(w, http.StatusInternalServerError, "internal", "internal error")
}

var errNoDB = errf(http.StatusServiceUnavailable, "unavailable", "database not configured")

// --- request parsing ---

func pathID(r *http.Request) (int64, *apiError) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, errf(http.StatusBadRequest, "invalid_id", "invalid clip id %q: want a positive integer", raw)
	}
	return id, nil
}

func queryInt(r *http.Request, key string, def, min, max int) (int, *apiError) {
	raw := r.URL.Query().Get(key)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, errf(http.StatusBadRequest, "invalid_"+key, "invalid %s %q: want an integer in [%d, %d]", key, raw, min, max)
	}
	return n, nil
}

// authUser resolves the bearer token of a user (401 if missing or unknown).
func (s *Server) authUser(r *http.Request) (int64, error) {
	tok, ok := bearer(r)
	if !ok {
		return 0, errf(http.StatusUnauthorized, "unauthorized", "bearer token required")
	}
	if v, ok := s.tokens.Load(tok); ok {
		return v.(int64), nil
	}
	if len(tok) > 128 {
		return 0, errf(http.StatusUnauthorized, "unauthorized", "invalid token")
	}
	if s.db == nil {
		// no database (handler tests): accept the seeded format user-<n>-token
		var n int64
		if _, err := fmt.Sscanf(tok, "user-%d-token", &n); err != nil || n <= 0 || fmt.Sprintf("user-%d-token", n) != tok {
			return 0, errf(http.StatusUnauthorized, "unauthorized", "invalid token")
		}
		return n, nil
	}
	var id int64
	err := s.db.QueryRow(r.Context(), "SELECT id FROM users WHERE api_token = $1", tok).Scan(&id)
	if err != nil {
		if isNoRows(err) {
			return 0, errf(http.StatusUnauthorized, "unauthorized", "invalid token")
		}
		return 0, err
	}
	s.tokens.Store(tok, id)
	return id, nil
}

func runtimeNumGoroutine() int { return runtime.NumGoroutine() }
