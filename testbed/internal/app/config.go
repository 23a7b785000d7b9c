package app

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Endpoint names used by perfgate (plan, reports, regression switch).
const (
	EPFeed          = "feed"
	EPClipDetail    = "clip_detail"
	EPRelatedClips  = "related_clips"
	EPSearch        = "search"
	EPCommentsList  = "comments_list"
	EPCreateComment = "create_comment"
	EPVote          = "vote"
	EPTagBrowse     = "tag_browse"
)

// Faults are the known, switchable performance faults (ground truth for perfgate).
type Faults struct {
	NPlusOne      bool `json:"n_plus_one"`     // FAULT_N_PLUS_ONE: comments list loads each author with its own query
	SeqScan       bool `json:"seq_scan"`       // FAULT_SEQ_SCAN: search filters clip_search_terms.term, which has no index
	CPURelated    bool `json:"cpu_related"`    // FAULT_CPU_RELATED: related clips runs scoreRelatedClips uncached
	VoteMutex     bool `json:"vote_mutex"`     // FAULT_VOTE_MUTEX: votes serialise on one global mutex
	GoroutineLeak bool `json:"goroutine_leak"` // FAULT_GOROUTINE_LEAK: clip detail leaks one goroutine per request
}

// Config is the whole runtime configuration, read from the environment.
type Config struct {
	DatabaseURL    string
	RedisURL       string
	ListenAddr     string
	AdminToken     string
	TwitchURL      string
	TwitchTimeout  time.Duration
	DBMaxConns     int32
	CacheEnabled   bool
	FeedTTL        time.Duration
	ClipTTL        time.Duration
	RelatedTTL     time.Duration
	Faults         Faults
	RegressEP      map[string]bool
	RegressDelay   time.Duration
	RegressCPU     time.Duration
	BlockRate      int // runtime.SetBlockProfileRate (ns); 0 = off
	MutexFraction  int // runtime.SetMutexProfileFraction; 0 = off
	RelatedRounds  int // cost knob of the CPU-heavy scoring (fault 3)
	RelatedPoolMax int // candidates scored per related request
	// MetricNaming "shop" exposes the HTTP metrics under names and labels that are not Clipper's
	// (shop_http_served_total{verb,route_template,http_status}, shop_http_latency_seconds,
	// shop_http_active): a target perfgate reads only when perfgate.yml names them.
	MetricNaming string
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(env(key, "")); err == nil {
		return v
	}
	return def
}

// envMillis reads milliseconds, decimals allowed ("1.2"): a +10 % shift of a 12 ms p95 is 1.2 ms.
func envMillis(key string, def time.Duration) time.Duration {
	if v, err := strconv.ParseFloat(env(key, ""), 64); err == nil && v >= 0 {
		return time.Duration(v * float64(time.Millisecond))
	}
	return def
}

func envOn(key string, def bool) bool {
	switch strings.ToLower(env(key, "")) {
	case "1", "on", "true", "yes", "enabled":
		return true
	case "0", "off", "false", "no", "disabled":
		return false
	}
	return def
}

// FromEnv reads the configuration; every variable has a default.
func FromEnv() Config {
	faultsDefault := true
	if f := strings.ToLower(env("FAULTS", "on")); f == "off" || f == "0" || f == "none" || f == "false" {
		faultsDefault = false
	}
	c := Config{
		DatabaseURL:   env("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:54329/clipper?sslmode=disable"),
		RedisURL:      env("REDIS_URL", "redis://127.0.0.1:63799/0"),
		ListenAddr:    env("LISTEN_ADDR", "127.0.0.1:18080"),
		AdminToken:    env("ADMIN_TOKEN", "admin-secret-token"),
		TwitchURL:     strings.TrimRight(env("TWITCH_URL", "http://127.0.0.1:18081"), "/"),
		TwitchTimeout: time.Duration(envInt("TWITCH_TIMEOUT_MS", 2000)) * time.Millisecond,
		DBMaxConns:    int32(envInt("DB_MAX_CONNS", 20)),
		CacheEnabled:  envOn("CACHE", true),
		FeedTTL:       time.Duration(envInt("FEED_CACHE_TTL_S", 30)) * time.Second,
		ClipTTL:       time.Duration(envInt("CLIP_CACHE_TTL_S", 60)) * time.Second,
		RelatedTTL:    time.Duration(envInt("RELATED_CACHE_TTL_S", 300)) * time.Second,
		Faults: Faults{
			NPlusOne:      envOn("FAULT_N_PLUS_ONE", faultsDefault),
			SeqScan:       envOn("FAULT_SEQ_SCAN", faultsDefault),
			CPURelated:    envOn("FAULT_CPU_RELATED", faultsDefault),
			VoteMutex:     envOn("FAULT_VOTE_MUTEX", faultsDefault),
			GoroutineLeak: envOn("FAULT_GOROUTINE_LEAK", faultsDefault),
		},
		RegressEP:      map[string]bool{},
		RegressDelay:   envMillis("REGRESS_DELAY_MS", 25*time.Millisecond),
		RegressCPU:     envMillis("REGRESS_CPU_MS", 0),
		BlockRate:      envInt("BLOCK_PROFILE_RATE", 10000),
		MutexFraction:  envInt("MUTEX_PROFILE_FRACTION", 10),
		RelatedRounds:  envInt("RELATED_SCORING_ROUNDS", 12),
		RelatedPoolMax: envInt("RELATED_CANDIDATES", 200),
		MetricNaming:   env("METRIC_NAMING", "clipper"),
	}
	for _, ep := range strings.Split(env("REGRESS_ENDPOINT", ""), ",") {
		if ep = strings.TrimSpace(ep); ep != "" && ep != "none" {
			c.RegressEP[ep] = true
		}
	}
	return c
}
