package app

// The known faults of the testbed (ground truth for perfgate). Each is on by
// default and switched off by its env var (see config.go and README.md).

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ---------------------------------------------------------------------------
// FAULT 1 (FAULT_N_PLUS_ONE): the comments list loads each author with its own query.

// listCommentsNPlusOne runs 1 query for the comments plus 1 query per comment.
func (s *Server) listCommentsNPlusOne(ctx context.Context, clipID int64, limit int) ([]Comment, error) {
	rows, err := s.db.Query(ctx, "SELECT id, user_id, content, created_at FROM comments WHERE clip_id = $1 ORDER BY created_at DESC LIMIT $2", clipID, limit)
	if err != nil {
		return nil, err
	}
	comments := []Comment{}
	for rows.Next() {
		c := Comment{ClipID: clipID}
		if err := rows.Scan(&c.ID, &c.UserID, &c.Content, &c.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		comments = append(comments, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range comments {
		a := &Author{}
		err := s.db.QueryRow(ctx, "SELECT id, username, display_name, avatar_url FROM users WHERE id = $1", comments[i].UserID).Scan(&a.ID, &a.Username, &a.DisplayName, &a.AvatarURL)
		if err != nil {
			return nil, err
		}
		comments[i].Author = a
	}
	return comments, nil
}

// listCommentsJoined is the fix: one query with a JOIN.
func (s *Server) listCommentsJoined(ctx context.Context, clipID int64, limit int) ([]Comment, error) {
	rows, err := s.db.Query(ctx, "SELECT cm.id, cm.user_id, cm.content, cm.created_at, u.id, u.username, u.display_name, u.avatar_url FROM comments cm JOIN users u ON u.id = cm.user_id WHERE cm.clip_id = $1 ORDER BY cm.created_at DESC LIMIT $2", clipID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	comments := []Comment{}
	for rows.Next() {
		c := Comment{ClipID: clipID, Author: &Author{}}
		if err := rows.Scan(&c.ID, &c.UserID, &c.Content, &c.CreatedAt, &c.Author.ID, &c.Author.Username, &c.Author.DisplayName, &c.Author.AvatarURL); err != nil {
			return nil, err
		}
		comments = append(comments, c)
	}
	return comments, rows.Err()
}

// ---------------------------------------------------------------------------
// FAULT 2 (FAULT_SEQ_SCAN): SearchSQL (handlers.go) filters clip_search_terms.term,
// which has no index; store.EnsureSearchIndex creates/drops the index at startup.

// ---------------------------------------------------------------------------
// FAULT 3 (FAULT_CPU_RELATED): related clips scored by CPU-heavy Go code, uncached.

type relClip struct {
	Clip
	tagIDs []int32
}

// RelatedCandidatesSQL loads the related-clip candidates (same game, newest first).
const RelatedCandidatesSQL = "SELECT " + clipCols + ", COALESCE(ARRAY(SELECT ct.tag_id FROM clip_tags ct WHERE ct.clip_id = c.id), '{}') FROM clips c WHERE c.game_name = $1 AND c.id <> $2 ORDER BY c.created_at DESC LIMIT $3"

func (s *Server) relatedClips(ctx context.Context, id int64, limit int) ([]Clip, error) {
	key := "related:v1:" + strconv.FormatInt(id, 10) + ":" + strconv.Itoa(limit)
	if !s.cfg.Faults.CPURelated {
		var cached []Clip
		if s.cacheGet(ctx, "related", key, &cached) {
			return cached, nil
		}
	}
	var target relClip
	err := s.db.QueryRow(ctx, "SELECT "+clipCols+", COALESCE(ARRAY(SELECT ct.tag_id FROM clip_tags ct WHERE ct.clip_id = c.id), '{}') FROM clips c WHERE c.id = $1", id).Scan(
		&target.ID, &target.TwitchClipID, &target.Title, &target.BroadcasterName, &target.GameName, &target.CreatorID,
		&target.Duration, &target.ViewCount, &target.VoteScore, &target.CommentCount, &target.CreatedAt, &target.tagIDs)
	if err != nil {
		if isNoRows(err) {
			return nil, errf(http.StatusNotFound, "not_found", "clip %d not found", id)
		}
		return nil, err
	}
	rows, err := s.db.Query(ctx, RelatedCandidatesSQL, target.GameName, id, s.cfg.RelatedPoolMax)
	if err != nil {
		return nil, err
	}
	var cands []relClip
	for rows.Next() {
		var c relClip
		if err := rows.Scan(&c.ID, &c.TwitchClipID, &c.Title, &c.BroadcasterName, &c.GameName, &c.CreatorID,
			&c.Duration, &c.ViewCount, &c.VoteScore, &c.CommentCount, &c.CreatedAt, &c.tagIDs); err != nil {
			rows.Close()
			return nil, err
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Clip
	if s.cfg.Faults.CPURelated {
		out = scoreRelatedClips(target, cands, s.cfg.RelatedRounds, limit)
	} else {
		out = rankRelatedClips(target, cands, limit)
		s.cacheSet(ctx, key, out, s.cfg.RelatedTTL)
	}
	return out, nil
}

// scoreRelatedClips is the CPU-heavy scorer (fault 3): for every candidate it
// rebuilds hashed character-trigram "embeddings" of both titles over several
// refinement rounds and takes their cosine similarity, plus tag overlap,
// popularity and recency. A few ms per request; nothing is cached.
func scoreRelatedClips(target relClip, cands []relClip, rounds, limit int) []Clip {
	const dim = 256
	tt := strings.ToLower(target.Title)
	scored := make([]Clip, 0, len(cands))
	scores := make([]float64, 0, len(cands))
	var tv, cv [dim]float64
	now := time.Now()
	for _, c := range cands {
		ct := strings.ToLower(c.Title)
		sim := 0.0
		for r := 0; r < rounds; r++ {
			for k := range tv {
				tv[k], cv[k] = 0, 0
			}
			seed := uint32(r)*2654435761 + 97
			for i := 0; i+2 < len(tt); i++ {
				h := ((uint32(tt[i])*31+uint32(tt[i+1]))*31 + uint32(tt[i+2])) ^ seed
				h *= 16777619
				tv[h%dim] += 1 + float64(r)/float64(rounds)
			}
			for i := 0; i+2 < len(ct); i++ {
				h := ((uint32(ct[i])*31+uint32(ct[i+1]))*31 + uint32(ct[i+2])) ^ seed
				h *= 16777619
				cv[h%dim] += 1 + float64(r)/float64(rounds)
			}
			dot, na, nb := 0.0, 0.0, 0.0
			for k := 0; k < dim; k++ {
				dot += tv[k] * cv[k]
				na += tv[k] * tv[k]
				nb += cv[k] * cv[k]
			}
			if na > 0 && nb > 0 {
				sim += dot / math.Sqrt(na*nb)
			}
		}
		sim /= float64(max(rounds, 1))
		shared := 0
		for _, a := range target.tagIDs {
			for _, b := range c.tagIDs {
				if a == b {
					shared++
				}
			}
		}
		tagScore := float64(shared) / float64(len(target.tagIDs)+len(c.tagIDs)-shared+1)
		pop := math.Log1p(math.Max(float64(c.VoteScore), 0)) / 10
		ageH := now.Sub(c.CreatedAt).Hours()
		rec := math.Exp(-ageH / (24 * 30))
		score := 0.5*sim + 0.3*tagScore + 0.1*pop + 0.1*rec
		if c.BroadcasterName == target.BroadcasterName {
			score += 0.05
		}
		cl := c.Clip
		scored = append(scored, cl)
		scores = append(scores, score)
	}
	idx := make([]int, len(scored))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	out := make([]Clip, 0, limit)
	for _, i := range idx {
		if len(out) == limit {
			break
		}
		sc := math.Round(scores[i]*1e4) / 1e4
		c := scored[i]
		c.Score = &sc
		out = append(out, c)
	}
	return out
}

// rankRelatedClips is the fix: a cheap ranking (shared tags, then votes); its
// result is cached in Redis by relatedClips.
func rankRelatedClips(target relClip, cands []relClip, limit int) []Clip {
	type kv struct {
		c     Clip
		score float64
	}
	list := make([]kv, 0, len(cands))
	for _, c := range cands {
		shared := 0
		for _, a := range target.tagIDs {
			for _, b := range c.tagIDs {
				if a == b {
					shared++
				}
			}
		}
		list = append(list, kv{c.Clip, float64(shared) + math.Log1p(math.Max(float64(c.VoteScore), 0))/10})
	}
	sort.SliceStable(list, func(a, b int) bool { return list[a].score > list[b].score })
	out := make([]Clip, 0, limit)
	for _, e := range list {
		if len(out) == limit {
			break
		}
		sc := math.Round(e.score*1e4) / 1e4
		e.c.Score = &sc
		out = append(out, e.c)
	}
	return out
}

// ---------------------------------------------------------------------------
// FAULT 4 (FAULT_VOTE_MUTEX): every vote, on any clip, serialises on one global mutex
// held across the whole database transaction.

var voteMu sync.Mutex

func (s *Server) castVoteSerialized(ctx context.Context, uid, clipID int64, vote int) (int, error) {
	voteMu.Lock()
	defer voteMu.Unlock()
	return s.castVote(ctx, uid, clipID, vote)
}

// ---------------------------------------------------------------------------
// FAULT 5 (FAULT_GOROUTINE_LEAK): clip detail leaks one goroutine per request.

// recordView counts a view asynchronously. With the fault on, the worker's
// acknowledgement channel is unbuffered and nobody ever receives from it, so
// every worker blocks forever on its send.
func (s *Server) recordView(clipID int64) {
	var ack chan struct{}
	if s.cfg.Faults.GoroutineLeak {
		ack = make(chan struct{})
	} else {
		ack = make(chan struct{}, 1)
	}
	go s.viewCounterWorker(clipID, ack)
}

func (s *Server) viewCounterWorker(clipID int64, ack chan<- struct{}) {
	if s.rdb != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.rdb.Incr(ctx, "views:"+strconv.FormatInt(clipID, 10))
		cancel()
	}
	ack <- struct{}{} // blocks forever when ack is unbuffered (the leak)
}
