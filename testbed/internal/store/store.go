// Package store holds the testbed's schema, migrations and deterministic seeder.
package store

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed schema.sql
var schemaSQL string

// SearchIndexName is the index whose absence is fault 2 (FAULT_SEQ_SCAN).
const SearchIndexName = "idx_clip_search_terms_term"

// SearchIndexSQL is the fix for fault 2, the statement perfgate should suggest.
const SearchIndexSQL = "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_clip_search_terms_term ON clip_search_terms (term)"

// Migrate applies the schema (idempotent).
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, schemaSQL)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// EnsureSearchIndex makes the database match the FAULT_SEQ_SCAN switch:
// with the fault on the term index is dropped, with it off it is created.
func EnsureSearchIndex(ctx context.Context, pool *pgxpool.Pool, faultOn bool) error {
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'i')", SearchIndexName).Scan(&exists); err != nil {
		return err
	}
	if faultOn && exists {
		_, err := pool.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+SearchIndexName)
		return err
	}
	if !faultOn && !exists {
		if _, err := pool.Exec(ctx, SearchIndexSQL); err != nil {
			return err
		}
		_, err := pool.Exec(ctx, "ANALYZE clip_search_terms")
		return err
	}
	return nil
}

// SeedSize sets how much data Seed creates.
type SeedSize struct {
	Users, Clips, Comments, Votes, Tags int
}

// DefaultSeedSize: enough that a sequential scan is visibly slower than an index scan.
var DefaultSeedSize = SeedSize{Users: 5000, Clips: 40000, Comments: 400000, Votes: 200000, Tags: 200}

// Words is the title vocabulary (search terms come from it).
var Words = strings.Fields(`epic clutch insane fail win funny rage speedrun glitch headshot ace
combo boss raid dragon sniper noscope comeback throw choke lucky unlucky perfect
flawless broken bug cursed wholesome hype chat donation sub emote dance song
music cooking art chess poker cards strategy tactics build base castle tower
zombie ghost horror jumpscare scream laugh cry tears happy sad angry calm
chill cozy rainy night morning coffee snack pizza burger taco sushi ramen
cat dog bird fish horse frog duck bear wolf fox tiger lion panda monkey
car race drift crash jump flip trick skate surf ski snow ice fire water
storm thunder lightning volcano island ocean forest desert mountain city
space rocket alien robot laser sword shield armor magic spell potion quest
loot chest treasure gold diamond legendary rare common mythic ranked casual
tournament final semifinal playoff champion rookie veteran pro noob smurf
carry support tank healer mage rogue warrior hunter archer ninja pirate
knight king queen prince wizard witch vampire werewolf mummy skeleton`)

// Games are the clips' games (related clips are chosen among the same game).
var Games = strings.Fields(`Fortnite Valorant Minecraft LeagueOfLegends Dota2 CounterStrike2 Apex
Overwatch2 RocketLeague GTAV EldenRing DarkSouls3 Hades Celeste HollowKnight
Terraria Stardew AmongUs FallGuys Rust Tarkov PUBG Warzone Hearthstone
Chess JustChatting ArtStreams Music IRL Cooking Speedrunning Retro Pokemon
Zelda Mario SmashBros StreetFighter6 Tekken8 MortalKombat1 Diablo4 PathOfExile2
WorldOfWarcraft FinalFantasyXIV Destiny2 Halo BaldursGate3 Cyberpunk Palworld`)

// Seed fills an empty database deterministically; it is a no-op if seed_info has a row.
func Seed(ctx context.Context, pool *pgxpool.Pool, size SeedSize, logf func(string, ...any)) error {
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM seed_info").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		logf("seed: already seeded, skipping")
		return nil
	}
	start := time.Now()
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"truncate", `TRUNCATE clip_search_terms, votes, comments, clip_tags, tags, clips, users RESTART IDENTITY CASCADE`, nil},
		// bulk load: secondary indexes are rebuilt at the end (schema.sql), FK checks are
		// skipped when we may (superuser; the generated ids are in range by construction)
		{"drop indexes", `DROP INDEX IF EXISTS idx_comments_clip_created, idx_votes_clip, idx_clip_tags_tag, idx_clips_created_at, idx_clips_vote_score, idx_clips_game_created`, nil},
		{"fk checks off", `DO $$ BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN SET LOCAL session_replication_role = replica; END IF; END $$`, nil},
		{"work mem", `SET LOCAL maintenance_work_mem = '256MB'`, nil},
		{"rand fn", `CREATE OR REPLACE FUNCTION pg_temp.r(i bigint, salt int, n int) RETURNS int LANGUAGE sql IMMUTABLE AS
			$$ SELECT ((hashint8(i * 7919 + salt) & 2147483647) % n)::int $$`, nil},
		{"users", `INSERT INTO users (id, username, display_name, avatar_url, api_token, created_at)
			SELECT i, 'user' || i, 'User ' || i, 'https://static.example.com/avatars/' || (i % 97) || '.png',
			       'user-' || i || '-token', now() - make_interval(mins => i)
			FROM generate_series(1, $1::int) i`, []any{size.Users}},
		{"clips", `INSERT INTO clips (id, twitch_clip_id, title, broadcaster_name, game_name, creator_id,
			                   duration_seconds, view_count, created_at)
			SELECT i, 'Clip' || i || 'Slug',
			       initcap(($2::text[])[1 + pg_temp.r(i, 1, $3)]) || ' ' || ($2::text[])[1 + pg_temp.r(i, 2, $3)] || ' ' ||
			       ($2::text[])[1 + pg_temp.r(i, 3, $3)] || ' ' || ($2::text[])[1 + pg_temp.r(i, 4, $3)] || ' ' ||
			       ($2::text[])[1 + pg_temp.r(i, 5, $3)],
			       'streamer' || (1 + pg_temp.r(i, 6, 800)),
			       ($4::text[])[1 + (pg_temp.r(i, 7, $5) * pg_temp.r(i, 17, $5)) / $5],
			       1 + pg_temp.r(i, 8, $6), 5 + pg_temp.r(i, 9, 55), pg_temp.r(i, 10, 100000),
			       now() - make_interval(mins => pg_temp.r(i, 11, 365 * 24 * 60))
			FROM generate_series(1, $1::int) i`, []any{size.Clips, Words, len(Words), Games, len(Games), size.Users}},
		{"tags", `INSERT INTO tags (id, name, slug)
			SELECT row_number() OVER (ORDER BY w), initcap(w), w
			FROM (SELECT DISTINCT lower(x) AS w FROM unnest($2::text[] || $3::text[]) x ORDER BY 1 LIMIT $1) t`, nil},
		{"clip_tags", `INSERT INTO clip_tags (clip_id, tag_id)
			SELECT i, 1 + pg_temp.r(i * 3 + k, 21, (SELECT count(*)::int FROM tags)) FROM generate_series(1, $1::int) i, generate_series(0, 2) k
			ON CONFLICT DO NOTHING`, []any{size.Clips}},
		{"comments", `INSERT INTO comments (clip_id, user_id, content, created_at)
			SELECT 1 + pg_temp.r(j, 30, $2), 1 + pg_temp.r(j, 31, $3),
			       'Comment ' || j || ': ' || ($4::text[])[1 + pg_temp.r(j, 32, $5)] || ' ' || ($4::text[])[1 + pg_temp.r(j, 33, $5)] || ' ' || ($4::text[])[1 + pg_temp.r(j, 34, $5)],
			       now() - make_interval(secs => j * 7)
			FROM generate_series(1, $1::int) j`, []any{size.Comments, size.Clips, size.Users, Words, len(Words)}},
		{"votes", `INSERT INTO votes (user_id, clip_id, vote, created_at)
			SELECT 1 + pg_temp.r(k, 40, $3), 1 + pg_temp.r(k, 41, $2), CASE WHEN pg_temp.r(k, 42, 10) < 8 THEN 1 ELSE -1 END,
			       now() - make_interval(secs => k * 11)
			FROM generate_series(1, $1::int) k
			ON CONFLICT DO NOTHING`, []any{size.Votes, size.Clips, size.Users}},
		{"scores", `UPDATE clips c SET vote_score = v.s FROM (SELECT clip_id, sum(vote)::int s FROM votes GROUP BY clip_id) v WHERE v.clip_id = c.id`, nil},
		{"comment counts", `UPDATE clips c SET comment_count = v.n FROM (SELECT clip_id, count(*)::int n FROM comments GROUP BY clip_id) v WHERE v.clip_id = c.id`, nil},
		{"search terms", `INSERT INTO clip_search_terms (clip_id, term)
			SELECT DISTINCT id, w FROM clips, LATERAL unnest(string_to_array(lower(title), ' ')) w`, nil},
		{"indexes", schemaSQL, nil},
		{"sequences", `SELECT setval('users_id_seq', (SELECT max(id) FROM users)), setval('clips_id_seq', (SELECT max(id) FROM clips)),
			setval('tags_id_seq', (SELECT max(id) FROM tags))`, nil},
		{"seed_info", `INSERT INTO seed_info (users, clips, comments, votes)
			SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM clips), (SELECT count(*) FROM comments), (SELECT count(*) FROM votes)`, nil},
	}
	for _, st := range steps {
		t := time.Now()
		args := st.args
		if st.name == "tags" {
			args = []any{size.Tags, Words, lowerAll(Games)}
		}
		if _, err := tx.Exec(ctx, st.sql, args...); err != nil {
			return fmt.Errorf("seed %s: %w", st.name, err)
		}
		logf("seed: %-15s %6d ms", st.name, time.Since(t).Milliseconds())
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return err
	}
	logf("seed: done in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}
