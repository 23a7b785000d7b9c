// The loop behind a repeated statement, found in Go source (source-loops.ts via the source index).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSourceIndex } from '../../src/analyze/source.ts'

const repo = `package repository

const getVoteSQL = \`
	SELECT vote_type FROM votes
	WHERE clip_id = $1 AND user_id = $2\`

func (r *VoteRepository) GetUserVote(ctx context.Context, clipID, userID int64) (int, error) {
	var v int
	err := r.db.QueryRow(ctx, getVoteSQL, clipID, userID).Scan(&v)
	return v, err
}

func (r *UserRepository) GetByID(ctx context.Context, id int64) (*User, error) {
	query := \`SELECT id, username, display_name FROM users WHERE id = $1\`
	u := &User{}
	// a comment with a brace {
	err := r.db.QueryRow(ctx,
		query, id).Scan(&u.ID, &u.Username, &u.DisplayName)
	return u, err
}
`
const service = `package services

func (s *ClipService) Enrich(ctx context.Context, clips []Clip, userID int64) error {
	viewer := userID
	for _, clip := range clips {
		vote, err := s.voteRepo.GetUserVote(ctx, clip.ID, userID)
		if err != nil {
			return err
		}
		clip.UserVote = vote
		owner, _ := s.userRepo.GetByID(ctx, viewer)
		clip.Viewer = owner
	}
	return nil
}
`
const files = [
  { path: 'internal/repository/repo.go', text: repo },
  { path: 'internal/services/clip_service.go', text: service },
]

describe('the loop behind a repeated statement', () => {
  const index = createSourceIndex(files)

  it('names the caller loop and the query call of a statement kept in a constant (an N+1)', () => {
    const at = index.locateStatement('SELECT vote_type FROM votes WHERE clip_id = $1 AND user_id = $2')
    assert.equal(at, 'internal/repository/repo.go:4')
    assert.deepEqual(index.repeatSite(at!), {
      query: 'internal/repository/repo.go:9',
      loop: 'internal/services/clip_service.go:5',
      varies: true,
    })
  })

  it('calls a loop whose call passes the same arguments every time a redundant fetch', () => {
    const at = index.locateStatement('SELECT id, username, display_name FROM users WHERE id = $1')
    assert.equal(at, 'internal/repository/repo.go:14')
    assert.deepEqual(index.repeatSite(at!), {
      query: 'internal/repository/repo.go:17',
      loop: 'internal/services/clip_service.go:5',
      varies: false,
    })
  })

  it('gives the query line alone when no loop repeats it', () => {
    const single = createSourceIndex([files[0]!])
    const at = single.locateStatement('SELECT vote_type FROM votes WHERE clip_id = $1 AND user_id = $2')
    assert.deepEqual(single.repeatSite(at!), { query: 'internal/repository/repo.go:9' })
  })
})
