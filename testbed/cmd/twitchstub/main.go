// Command twitchstub stands in for the Twitch API (GET /helix/clips?id=...)
// with configurable latency: TWITCH_LATENCY_MS (default 5) plus uniform jitter
// up to TWITCH_JITTER_MS (default 3); TWITCH_ERROR_RATE (0..1, default 0) answers 503.
package main

import (
	"encoding/json"
	"hash/fnv"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"time"
)

func envInt(k string, d int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return d
}

func main() {
	addr := os.Getenv("LISTEN_ADDR")
	if addr == "" {
		addr = "127.0.0.1:18081"
	}
	latency := time.Duration(envInt("TWITCH_LATENCY_MS", 5)) * time.Millisecond
	jitter := time.Duration(envInt("TWITCH_JITTER_MS", 3)) * time.Millisecond
	errRate, _ := strconv.ParseFloat(os.Getenv("TWITCH_ERROR_RATE"), 64)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /helix/clips", func(w http.ResponseWriter, r *http.Request) {
		d := latency
		if jitter > 0 {
			d += time.Duration(rand.Int64N(int64(jitter)))
		}
		time.Sleep(d)
		w.Header().Set("Content-Type", "application/json")
		id := r.URL.Query().Get("id")
		if id == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"Bad Request","status":400,"message":"missing id"}`))
			return
		}
		if errRate > 0 && rand.Float64() < errRate {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"Service Unavailable","status":503}`))
			return
		}
		h := fnv.New32a()
		h.Write([]byte(id))
		_ = json.NewEncoder(w).Encode(map[string]any{"data": []map[string]any{{
			"id": id, "view_count": int(h.Sum32() % 500000),
			"thumbnail_url": "https://clips-media-assets.example.com/" + id + "-preview-480x272.jpg",
			"embed_url":     "https://clips.example.com/embed?clip=" + id,
		}}})
	})
	log.Printf("twitchstub listening on %s latency=%s jitter=%s error_rate=%.3f", addr, latency, jitter, errRate)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
