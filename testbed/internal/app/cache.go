package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// cacheGet reads a JSON value from Redis; false on miss, error, or CACHE=off.
func (s *Server) cacheGet(ctx context.Context, cache, key string, dst any) bool {
	if s.rdb == nil || !s.cfg.CacheEnabled {
		return false
	}
	b, err := s.rdb.Get(ctx, key).Bytes()
	if err != nil || json.Unmarshal(b, dst) != nil {
		s.cacheTotal.WithLabelValues(cache, "miss").Inc()
		return false
	}
	s.cacheTotal.WithLabelValues(cache, "hit").Inc()
	return true
}

func (s *Server) cacheSet(ctx context.Context, key string, v any, ttl time.Duration) {
	if s.rdb == nil || !s.cfg.CacheEnabled {
		return
	}
	if b, err := json.Marshal(v); err == nil {
		s.rdb.Set(ctx, key, b, ttl)
	}
}

// --- the Twitch API stand-in ---

type twitchClip struct {
	ID           string `json:"id"`
	ViewCount    int    `json:"view_count"`
	ThumbnailURL string `json:"thumbnail_url"`
	EmbedURL     string `json:"embed_url"`
}

func (s *Server) fetchTwitchClip(ctx context.Context, twitchID string) (*twitchClip, error) {
	start := time.Now()
	outcome := "error"
	defer func() {
		s.extDur.WithLabelValues("twitch").Observe(time.Since(start).Seconds())
		s.extTotal.WithLabelValues("twitch", outcome).Inc()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.TwitchURL+"/helix/clips?id="+url.QueryEscape(twitchID), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Client-Id", "perfgate-testbed")
	resp, err := s.twitch.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		outcome = "status_" + strconv.Itoa(resp.StatusCode)
		return nil, fmt.Errorf("twitch: status %d", resp.StatusCode)
	}
	var body struct {
		Data []twitchClip `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Data) == 0 {
		return nil, fmt.Errorf("twitch: bad body: %v", err)
	}
	outcome = "ok"
	return &body.Data[0], nil
}

// --- health ---

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	out := map[string]any{"status": "healthy", "database": "ok", "redis": "ok", "faults": s.cfg.Faults}
	code := http.StatusOK
	if s.db == nil {
		out["database"], out["status"], code = "not configured", "unhealthy", http.StatusServiceUnavailable
	} else if err := s.db.Ping(ctx); err != nil {
		out["database"], out["status"], code = err.Error(), "unhealthy", http.StatusServiceUnavailable
	}
	if s.rdb == nil {
		out["redis"], out["status"], code = "not configured", "unhealthy", http.StatusServiceUnavailable
	} else if err := s.rdb.Ping(ctx).Err(); err != nil {
		out["redis"], out["status"], code = err.Error(), "unhealthy", http.StatusServiceUnavailable
	}
	writeJSON(w, code, out)
}

// GET /health/stats: pgx pool statistics (cumulative counters: diff before/after).
func (s *Server) handleHealthStats(w http.ResponseWriter, r *http.Request) {
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	st := s.db.Stat()
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "ok",
		"database": map[string]any{
			"acquired_conns":             st.AcquiredConns(),
			"idle_conns":                 st.IdleConns(),
			"total_conns":                st.TotalConns(),
			"max_conns":                  st.MaxConns(),
			"constructing_conns":         st.ConstructingConns(),
			"acquire_count":              st.AcquireCount(),
			"acquire_duration_ms":        float64(st.AcquireDuration().Microseconds()) / 1000,
			"empty_acquire_count":        st.EmptyAcquireCount(),
			"empty_acquire_wait_time_ms": float64(st.EmptyAcquireWaitTime().Microseconds()) / 1000,
			"canceled_acquire_count":     st.CanceledAcquireCount(),
			"new_conns_count":            st.NewConnsCount(),
		},
		"goroutines": runtimeNumGoroutine(),
	})
}

// GET /health/cache: Redis INFO (values as strings, as Clipper does).
func (s *Server) handleHealthCache(w http.ResponseWriter, r *http.Request) {
	if s.rdb == nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "error": "redis not configured"})
		return
	}
	info, err := s.rdb.Info(r.Context(), "stats", "memory", "keyspace", "clients").Result()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unhealthy", "error": err.Error()})
		return
	}
	kv := map[string]string{}
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			kv[k] = v
		}
	}
	out := map[string]string{}
	for _, k := range []string{"keyspace_hits", "keyspace_misses", "used_memory", "used_memory_human", "used_memory_peak_human",
		"maxmemory", "maxmemory_human", "maxmemory_policy", "evicted_keys", "expired_keys", "connected_clients",
		"total_commands_processed", "instantaneous_ops_per_sec", "mem_fragmentation_ratio", "db0"} {
		if v, ok := kv[k]; ok {
			out[k] = v
		}
	}
	hits, _ := strconv.ParseFloat(kv["keyspace_hits"], 64)
	misses, _ := strconv.ParseFloat(kv["keyspace_misses"], 64)
	rate := 0.0
	if hits+misses > 0 {
		rate = hits / (hits + misses) * 100
	}
	out["hit_rate"] = strconv.FormatFloat(math.Round(rate*100)/100, 'f', 2, 64) + "%"
	writeJSON(w, http.StatusOK, map[string]any{"status": "healthy", "cache": out, "cache_enabled": s.cfg.CacheEnabled})
}

// poolCollector exports pgxpool stats as Prometheus metrics.
type poolCollector struct {
	pool  *pgxpool.Pool
	descs map[string]*prometheus.Desc
}

func newPoolCollector(p *pgxpool.Pool) *poolCollector {
	d := func(n, h string) *prometheus.Desc { return prometheus.NewDesc("pgxpool_"+n, h, nil, nil) }
	return &poolCollector{pool: p, descs: map[string]*prometheus.Desc{
		"acquired_conns": d("acquired_conns", "Connections currently acquired."),
		"idle_conns":     d("idle_conns", "Idle connections."),
		"total_conns":    d("total_conns", "Total connections."),
		"max_conns":      d("max_conns", "Maximum connections."),
		"acquire_count":  d("acquire_count_total", "Cumulative successful acquires."),
		"acquire_secs":   d("acquire_duration_seconds_total", "Cumulative time spent acquiring connections."),
		"empty_acquire":  d("empty_acquire_count_total", "Acquires that had to wait for a connection."),
	}}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.pool.Stat()
	g, ct := prometheus.GaugeValue, prometheus.CounterValue
	ch <- prometheus.MustNewConstMetric(c.descs["acquired_conns"], g, float64(st.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.descs["idle_conns"], g, float64(st.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.descs["total_conns"], g, float64(st.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.descs["max_conns"], g, float64(st.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.descs["acquire_count"], ct, float64(st.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.descs["acquire_secs"], ct, st.AcquireDuration().Seconds())
	ch <- prometheus.MustNewConstMetric(c.descs["empty_acquire"], ct, float64(st.EmptyAcquireCount()))
}
