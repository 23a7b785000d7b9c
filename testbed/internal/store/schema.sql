-- Clipper testbed schema (idempotent). Applied by `clipper migrate`.
CREATE TABLE IF NOT EXISTS users (
    id           BIGSERIAL PRIMARY KEY,
    username     TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    avatar_url   TEXT NOT NULL DEFAULT '',
    api_token    TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS clips (
    id               BIGSERIAL PRIMARY KEY,
    twitch_clip_id   TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    broadcaster_name TEXT NOT NULL,
    game_name        TEXT NOT NULL,
    creator_id       BIGINT NOT NULL REFERENCES users(id),
    duration_seconds REAL NOT NULL DEFAULT 30,
    view_count       INTEGER NOT NULL DEFAULT 0,
    vote_score       INTEGER NOT NULL DEFAULT 0,
    comment_count    INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_clips_created_at ON clips (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_clips_vote_score ON clips (vote_score DESC);
CREATE INDEX IF NOT EXISTS idx_clips_game_created ON clips (game_name, created_at DESC);

CREATE TABLE IF NOT EXISTS tags (
    id   SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS clip_tags (
    clip_id BIGINT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (clip_id, tag_id)
);
CREATE INDEX IF NOT EXISTS idx_clip_tags_tag ON clip_tags (tag_id, clip_id);

CREATE TABLE IF NOT EXISTS comments (
    id         BIGSERIAL PRIMARY KEY,
    clip_id    BIGINT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    content    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_comments_clip_created ON comments (clip_id, created_at DESC);

CREATE TABLE IF NOT EXISTS votes (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    clip_id    BIGINT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    vote       SMALLINT NOT NULL CHECK (vote IN (-1, 1)),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, clip_id)
);
CREATE INDEX IF NOT EXISTS idx_votes_clip ON votes (clip_id);

-- Keyword index for search: one row per (clip, lower-cased title word).
-- FAULT 2: deliberately NO index on term. The fix is exactly:
--   CREATE INDEX CONCURRENTLY idx_clip_search_terms_term ON clip_search_terms (term);
CREATE TABLE IF NOT EXISTS clip_search_terms (
    clip_id BIGINT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    term    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS seed_info (
    id        INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    users     INTEGER NOT NULL,
    clips     INTEGER NOT NULL,
    comments  INTEGER NOT NULL,
    votes     INTEGER NOT NULL,
    seeded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
