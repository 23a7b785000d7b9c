// What "the analysis names the testbed's known faults" means, shared by the fixture tests and
// the testbed integration test.
import assert from 'node:assert/strict'
import { tierOf } from '../../src/analyze/index.ts'
import type { Finding } from '../../src/record/index.ts'

/** The five known faults of testbed/README.md, as findings. */
export function faultFindings(findings: Finding[]) {
  return {
    nPlusOne: findings.find(
      (f) => f.kind === 'n-plus-one' && f.endpoint === 'comments_list' && /FROM users/.test(f.detail),
    ),
    searchIndex: findings.find(
      (f) =>
        f.kind === 'missing-index' && f.evidence?.table === 'clip_search_terms' && /\bterm\b/.test(f.fix),
    ),
    related: findings.find((f) => f.kind === 'cpu-hotspot' && /scoreRelatedClips/.test(f.title)),
    vote: findings.find(
      (f) => f.kind === 'contention' && /castVoteSerialized/.test(String(f.evidence?.function)),
    ),
    leak: findings.find((f) => f.kind === 'goroutine-leak'),
  }
}

export function assertFaultsFound(findings: Finding[]) {
  const f = faultFindings(findings)
  assert.ok(f.nPlusOne, 'N+1 on comments_list')
  assert.match(f.nPlusOne.title, /\b(9|10|11|12|13|14|15|16|17|18|19|20)(\.\d)? queries per request/)
  assert.equal(f.nPlusOne.location, 'internal/app/faults.go:41')
  assert.match(f.nPlusOne.fix, /batch|join/i)
  assert.ok(f.searchIndex, 'missing index on clip_search_terms.term')
  assert.equal(
    f.searchIndex.fix,
    'CREATE INDEX CONCURRENTLY idx_clip_search_terms_term ON clip_search_terms (term)',
  )
  assert.ok(f.related, 'scoreRelatedClips is the CPU hotspot')
  assert.equal(f.related.location, 'internal/app/faults.go:133')
  assert.ok(f.vote, 'the vote mutex among contention sites')
  assert.equal(f.vote.endpoint, 'vote')
  assert.ok(f.leak, 'goroutine leak')
  assert.equal(f.leak.endpoint, 'clip_detail')
  assert.equal(f.leak.location, 'internal/app/faults.go:264')
  for (const x of findings) {
    assert.ok([1, 2, 3, 4].includes(x.tier))
    assert.equal(x.tier, tierOf(x.impact))
    assert.ok(x.fix.length > 0 && x.impactBasis)
  }
}

export function assertFaultsAbsent(findings: Finding[]) {
  const f = faultFindings(findings)
  for (const [name, x] of Object.entries(f)) assert.equal(x, undefined, `${name}: ${JSON.stringify(x)}`)
}
