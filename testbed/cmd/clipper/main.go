// Command clipper is the perfgate testbed: a Go sample of the Clipper API.
//
//	clipper [serve]   run the API (default)
//	clipper migrate   apply the schema
//	clipper seed      fill an empty database deterministically (no-op if seeded)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/perfgate/testbed/internal/app"
	"github.com/perfgate/testbed/internal/store"
)

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	cmd := "serve"
	args := os.Args[1:]
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	cfg := app.FromEnv()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, cfg)
	case "migrate":
		err = withPool(ctx, cfg, 2, func(p *pgxpool.Pool) error { return store.Migrate(ctx, p) })
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ExitOnError)
		size := store.DefaultSeedSize
		fs.IntVar(&size.Users, "users", size.Users, "users")
		fs.IntVar(&size.Clips, "clips", size.Clips, "clips")
		fs.IntVar(&size.Comments, "comments", size.Comments, "comments")
		fs.IntVar(&size.Votes, "votes", size.Votes, "votes")
		_ = fs.Parse(args)
		err = withPool(ctx, cfg, 2, func(p *pgxpool.Pool) error {
			if err := store.Migrate(ctx, p); err != nil {
				return err
			}
			return store.Seed(ctx, p, size, log.Printf)
		})
	default:
		err = fmt.Errorf("unknown command %q (want serve, migrate or seed)", cmd)
	}
	if err != nil {
		log.Printf("clipper %s: %v", cmd, err)
		os.Exit(1)
	}
}

func withPool(ctx context.Context, cfg app.Config, maxConns int32, f func(*pgxpool.Pool) error) error {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	pc.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	defer pool.Close()
	return f(pool)
}

func serve(ctx context.Context, cfg app.Config) error {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	pc.MaxConns = cfg.DBMaxConns
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	defer pool.Close()
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if err := store.EnsureSearchIndex(ctx, pool, cfg.Faults.SeqScan); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	ro, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	ro.PoolSize = 64
	rdb := redis.NewClient(ro)
	defer rdb.Close()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	app.ApplyProfilingRates(cfg)
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: app.New(cfg, pool, rdb), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second}
	log.Printf("clipper listening on %s faults=%+v cache=%v regress=%v delay=%s cpu=%s", cfg.ListenAddr, cfg.Faults, cfg.CacheEnabled, cfg.RegressEP, cfg.RegressDelay, cfg.RegressCPU)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
