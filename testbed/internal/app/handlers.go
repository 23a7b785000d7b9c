package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// Clip is the API representation of a clip.
type Clip struct {
	ID              int64     `json:"id"`
	TwitchClipID    string    `json:"twitch_clip_id"`
	Title           string    `json:"title"`
	BroadcasterName string    `json:"broadcaster_name"`
	GameName        string    `json:"game_name"`
	CreatorID       int64     `json:"creator_id"`
	CreatorName     string    `json:"creator_name,omitempty"`
	Duration        float32   `json:"duration"`
	ViewCount       int       `json:"view_count"`
	VoteScore       int       `json:"vote_score"`
	CommentCount    int       `json:"comment_count"`
	CreatedAt       time.Time `json:"created_at"`
	Tags            []string  `json:"tags,omitempty"`
	ThumbnailURL    string    `json:"thumbnail_url,omitempty"`
	EmbedURL        string    `json:"embed_url,omitempty"`
	TwitchViews     *int      `json:"twitch_view_count,omitempty"`
	Score           *float64  `json:"related_score,omitempty"`
}

const clipCols = "c.id, c.twitch_clip_id, c.title, c.broadcaster_name, c.game_name, c.creator_id, c.duration_seconds, c.view_count, c.vote_score, c.comment_count, c.created_at"

func scanClips(rows pgx.Rows) ([]Clip, error) {
	defer rows.Close()
	out := []Clip{}
	for rows.Next() {
		var c Clip
		if err := rows.Scan(&c.ID, &c.TwitchClipID, &c.Title, &c.BroadcasterName, &c.GameName, &c.CreatorID,
			&c.Duration, &c.ViewCount, &c.VoteScore, &c.CommentCount, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

var timeframes = map[string]time.Duration{
	"hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour,
	"month": 30 * 24 * time.Hour, "year": 365 * 24 * time.Hour, "all": 0,
}

// GET /api/v1/clips?sort=hot|new|top&limit=25&timeframe=...&page=1  (feed, cached)
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sort := q.Get("sort")
	if sort == "" {
		sort = "hot"
	}
	if sort != "hot" && sort != "new" && sort != "top" {
		writeError(w, http.StatusBadRequest, "invalid_sort", "invalid sort "+strconv.Quote(sort)+": want hot, new or top")
		return
	}
	tf := q.Get("timeframe")
	if tf == "" {
		tf = map[string]string{"hot": "week", "new": "all", "top": "all"}[sort]
	}
	window, ok := timeframes[tf]
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid_timeframe", "invalid timeframe "+strconv.Quote(tf)+": want hour, day, week, month, year or all")
		return
	}
	limit, aerr := queryInt(r, "limit", 25, 1, 100)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	page, aerr := queryInt(r, "page", 1, 1, 1000)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	type feedResp struct {
		Data []Clip         `json:"data"`
		Meta map[string]any `json:"meta"`
	}
	key := "feed:v1:" + sort + ":" + tf + ":" + strconv.Itoa(limit) + ":" + strconv.Itoa(page)
	var resp feedResp
	if s.cacheGet(r.Context(), "feed", key, &resp) {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	since := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	if window > 0 {
		since = time.Now().Add(-window)
	}
	order := map[string]string{
		"new": "c.created_at DESC, c.id DESC",
		"top": "c.vote_score DESC, c.id DESC",
		"hot": "(c.vote_score + 1) / power(extract(epoch FROM now() - c.created_at) / 3600 + 2, 1.5) DESC, c.id DESC",
	}[sort]
	rows, err := s.db.Query(r.Context(), "SELECT "+clipCols+" FROM clips c WHERE c.created_at >= $1 ORDER BY "+order+" LIMIT $2 OFFSET $3",
		since, limit, (page-1)*limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	clips, err := scanClips(rows)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp = feedResp{Data: clips, Meta: map[string]any{"sort": sort, "timeframe": tf, "limit": limit, "page": page, "count": len(clips)}}
	s.cacheSet(r.Context(), key, resp, s.cfg.FeedTTL)
	writeJSON(w, http.StatusOK, resp)
}

// GET /api/v1/clips/{id}  (clip detail, cached; calls the Twitch API on a cache miss)
func (s *Server) handleClipDetail(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	s.recordView(id) // FAULT 5 (goroutine leak) lives in recordView
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	key := "clip:v1:" + strconv.FormatInt(id, 10)
	var c Clip
	if s.cacheGet(r.Context(), "clip", key, &c) {
		writeJSON(w, http.StatusOK, c)
		return
	}
	err := s.db.QueryRow(r.Context(), "SELECT "+clipCols+`, u.username,
		COALESCE((SELECT array_agg(t.slug ORDER BY t.slug) FROM clip_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.clip_id = c.id), '{}')
		FROM clips c JOIN users u ON u.id = c.creator_id WHERE c.id = $1`, id).Scan(
		&c.ID, &c.TwitchClipID, &c.Title, &c.BroadcasterName, &c.GameName, &c.CreatorID,
		&c.Duration, &c.ViewCount, &c.VoteScore, &c.CommentCount, &c.CreatedAt, &c.CreatorName, &c.Tags)
	if err != nil {
		if isNoRows(err) {
			err = errf(http.StatusNotFound, "not_found", "clip %d not found", id)
		}
		s.fail(w, r, err)
		return
	}
	if tc, err := s.fetchTwitchClip(r.Context(), c.TwitchClipID); err == nil {
		c.ThumbnailURL, c.EmbedURL, c.TwitchViews = tc.ThumbnailURL, tc.EmbedURL, &tc.ViewCount
	}
	s.cacheSet(r.Context(), key, c, s.cfg.ClipTTL)
	writeJSON(w, http.StatusOK, c)
}

// GET /api/v1/clips/{id}/related
func (s *Server) handleRelated(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	limit, aerr := queryInt(r, "limit", 10, 1, 50)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	clips, err := s.relatedClips(r.Context(), id, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": clips, "meta": map[string]any{"clip_id": id, "count": len(clips)}})
}

// SearchSQL is the search statement (fault 2: clip_search_terms.term has no index).
const SearchSQL = "SELECT c.id, c.twitch_clip_id, c.title, c.broadcaster_name, c.game_name, c.creator_id, c.duration_seconds, c.view_count, c.vote_score, c.comment_count, c.created_at FROM clip_search_terms t JOIN clips c ON c.id = t.clip_id WHERE t.term = $1 ORDER BY c.vote_score DESC, c.id DESC LIMIT $2"

// GET /api/v1/search?q=...&limit=25
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" || len(q) > 200 {
		writeError(w, http.StatusBadRequest, "invalid_query", "query parameter q is required (1-200 characters)")
		return
	}
	term := searchTerm(q)
	if term == "" {
		writeError(w, http.StatusBadRequest, "invalid_query", "query parameter q must contain a letter or digit")
		return
	}
	limit, aerr := queryInt(r, "limit", 25, 1, 100)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	rows, err := s.db.Query(r.Context(), SearchSQL, term, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	clips, err := scanClips(rows)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": clips, "meta": map[string]any{"query": q, "term": term, "limit": limit, "count": len(clips)}})
}

// searchTerm is the first word of q, lower-cased, letters and digits only.
func searchTerm(q string) string {
	f := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// Comment is the API representation of a comment with its author.
type Comment struct {
	ID        int64     `json:"id"`
	ClipID    int64     `json:"clip_id"`
	UserID    int64     `json:"user_id"`
	Content   string    `json:"content"`
	CreatedAt time.Time `json:"created_at"`
	Author    *Author   `json:"author,omitempty"`
}

// Author is a comment's author.
type Author struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url"`
}

// GET /api/v1/clips/{id}/comments?limit=20
func (s *Server) handleCommentsList(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	limit, aerr := queryInt(r, "limit", 20, 1, 100)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	var exists bool
	if err := s.db.QueryRow(r.Context(), "SELECT EXISTS (SELECT 1 FROM clips WHERE id = $1)", id).Scan(&exists); err != nil {
		s.fail(w, r, err)
		return
	}
	if !exists {
		s.fail(w, r, errf(http.StatusNotFound, "not_found", "clip %d not found", id))
		return
	}
	var comments []Comment
	var err error
	if s.cfg.Faults.NPlusOne {
		comments, err = s.listCommentsNPlusOne(r.Context(), id, limit)
	} else {
		comments, err = s.listCommentsJoined(r.Context(), id, limit)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": comments, "meta": map[string]any{"clip_id": id, "limit": limit, "count": len(comments)}})
}

// POST /api/v1/clips/{id}/comments {"content": "..."}  (Bearer)
func (s *Server) handleCreateComment(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	uid, err := s.authUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body struct {
		Content *string `json:"content"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Content == nil || strings.TrimSpace(*body.Content) == "" || len(*body.Content) > 2000 {
		s.fail(w, r, errf(http.StatusBadRequest, "invalid_body", "content is required (1-2000 characters)"))
		return
	}
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	c := Comment{ClipID: id, UserID: uid, Content: strings.TrimSpace(*body.Content)}
	err = pgx.BeginFunc(r.Context(), s.db, func(tx pgx.Tx) error {
		err := tx.QueryRow(r.Context(), `INSERT INTO comments (clip_id, user_id, content)
			SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM clips WHERE id = $1) RETURNING id, created_at`,
			id, uid, c.Content).Scan(&c.ID, &c.CreatedAt)
		if isNoRows(err) {
			return errf(http.StatusNotFound, "not_found", "clip %d not found", id)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(r.Context(), "UPDATE clips SET comment_count = comment_count + 1 WHERE id = $1", id)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// POST /api/v1/clips/{id}/vote {"vote": -1|0|1}  (Bearer)
func (s *Server) handleVote(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	uid, err := s.authUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body struct {
		Vote *int `json:"vote"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Vote == nil || *body.Vote < -1 || *body.Vote > 1 {
		s.fail(w, r, errf(http.StatusBadRequest, "invalid_vote", "vote is required and must be -1, 0 or 1"))
		return
	}
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	var score int
	if s.cfg.Faults.VoteMutex {
		score, err = s.castVoteSerialized(r.Context(), uid, id, *body.Vote)
	} else {
		score, err = s.castVote(r.Context(), uid, id, *body.Vote)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"clip_id": id, "user_id": uid, "vote": *body.Vote, "vote_score": score})
}

// castVote records a user's vote in one transaction; row locks on the clip
// serialise only votes on the same clip.
func (s *Server) castVote(ctx context.Context, uid, clipID int64, vote int) (int, error) {
	var score int
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT vote_score FROM clips WHERE id = $1 FOR UPDATE", clipID).Scan(&score); err != nil {
			if isNoRows(err) {
				return errf(http.StatusNotFound, "not_found", "clip %d not found", clipID)
			}
			return err
		}
		old := 0
		if err := tx.QueryRow(ctx, "SELECT vote FROM votes WHERE user_id = $1 AND clip_id = $2", uid, clipID).Scan(&old); err != nil && !isNoRows(err) {
			return err
		}
		if old == vote {
			return nil
		}
		var err error
		if vote == 0 {
			_, err = tx.Exec(ctx, "DELETE FROM votes WHERE user_id = $1 AND clip_id = $2", uid, clipID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO votes (user_id, clip_id, vote) VALUES ($1, $2, $3)
				ON CONFLICT (user_id, clip_id) DO UPDATE SET vote = EXCLUDED.vote, created_at = now()`, uid, clipID, vote)
		}
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, "UPDATE clips SET vote_score = vote_score + $2 WHERE id = $1 RETURNING vote_score", clipID, vote-old).Scan(&score)
	})
	return score, err
}

var tagRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// GET /api/v1/tags/{tag}/clips?limit=25&page=1
func (s *Server) handleTagBrowse(w http.ResponseWriter, r *http.Request) {
	tag := strings.ToLower(r.PathValue("tag"))
	if !tagRe.MatchString(tag) {
		writeError(w, http.StatusBadRequest, "invalid_tag", "invalid tag: want 1-64 of [a-z0-9_-]")
		return
	}
	limit, aerr := queryInt(r, "limit", 25, 1, 100)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	page, aerr := queryInt(r, "page", 1, 1, 1000)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	if s.db == nil {
		s.fail(w, r, errNoDB)
		return
	}
	var tagID int
	var name string
	if err := s.db.QueryRow(r.Context(), "SELECT id, name FROM tags WHERE slug = $1", tag).Scan(&tagID, &name); err != nil {
		if isNoRows(err) {
			err = errf(http.StatusNotFound, "not_found", "tag %q not found", tag)
		}
		s.fail(w, r, err)
		return
	}
	rows, err := s.db.Query(r.Context(), "SELECT "+clipCols+" FROM clip_tags ct JOIN clips c ON c.id = ct.clip_id WHERE ct.tag_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3",
		tagID, limit, (page-1)*limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	clips, err := scanClips(rows)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": clips, "meta": map[string]any{"tag": tag, "name": name, "limit": limit, "page": page, "count": len(clips)}})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errf(http.StatusBadRequest, "invalid_body", "request body is required (JSON)")
		}
		return errf(http.StatusBadRequest, "invalid_body", "invalid JSON body: %v", err)
	}
	return nil
}
