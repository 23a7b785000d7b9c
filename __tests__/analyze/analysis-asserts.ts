// What "the analysis names the testbed's known faults" means, shared by the fixture tests and
// the testbed integration test.
import assert from 'node:assert/strict'
import { tierOf } from '../../src/analyze/index.ts'
import { SLOW_QUERY_MIN_BLOCKS_PER_CALL, SLOW_QUERY_MIN_DB_SHARE } from '../../src/analyze/findings/rules.ts'
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

/** Every finding about one fault, whatever its kind: one root cause must make one finding. */
function findingsPerFault(findings: Finding[]): Record<string, Finding[]> {
  const text = (f: Finding) => `${f.title} ${f.detail} ${JSON.stringify(f.evidence ?? {})}`
  return {
    nPlusOne: findings.filter((f) => f.kind === 'n-plus-one' && /FROM users/.test(f.detail)),
    searchIndex: findings.filter((f) => /clip_search_terms/.test(text(f)) && f.kind !== 'slow-query'),
    related: findings.filter(
      (f) => /hotspot/.test(f.kind) && /relatedClips|scoreRelatedClips/i.test(text(f)),
    ),
    vote: findings.filter((f) => /castVote/.test(text(f))),
    leak: findings.filter((f) => f.kind === 'goroutine-leak'),
  }
}

export function assertFaultsFound(findings: Finding[]) {
  const f = faultFindings(findings)
  for (const [fault, list] of Object.entries(findingsPerFault(findings)))
    assert.equal(list.length, 1, `${fault} is one finding: ${list.map((x) => x.title).join(' | ')}`)
  assert.ok(f.nPlusOne, 'N+1 on comments_list')
  assert.match(f.nPlusOne.title, /\b(9|10|11|12|13|14|15|16|17|18|19|20)(\.\d)? queries per request/)
  assert.equal(f.nPlusOne.location, 'internal/app/faults.go:39 (loop) → internal/app/faults.go:41 (query)')
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

/**
 * assertNoFalseFindings: on a service without faults, no finding kind that has no cause there;
 * a slow query only by its own stated rule (buffers per call and share of database time).
 */
export function assertNoFalseFindings(findings: Finding[]) {
  const never = [
    'n-plus-one',
    'missing-index',
    'goroutine-leak',
    'contention',
    'cpu-hotspot',
    'allocation-hotspot',
    'bottleneck-area',
    'external-dependency',
  ]
  for (const f of findings) {
    assert.ok(!never.includes(f.kind), `no ${f.kind} finding on the clean testbed: ${f.title}`)
    if (f.kind === 'cache') assert.match(f.title, /evicted|without TTL/, f.title)
    if (f.kind === 'slow-query') {
      assert.ok(Number(f.evidence?.blocksPerCall) >= SLOW_QUERY_MIN_BLOCKS_PER_CALL, f.title)
      assert.ok(Number(f.evidence?.shareOfDbTime) >= SLOW_QUERY_MIN_DB_SHARE, f.title)
    }
  }
}
