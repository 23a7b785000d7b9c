// The analysis end to end against a private testbed stack (`upStack('analysis')`: its own
// PostgreSQL, Redis and app on free ports, so switching faults off does not disturb anyone using
// the shared stack; stopped when done unless PERFGATE_KEEP_STACK is set): one run
// with every fault on names each fault, the suggested CREATE INDEX turns the plan into an index
// scan on a scratch copy of the table, and one run with the faults off names none of them.
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { analyzeRecord, loadAnalysisInputs } from '../../src/analyze/index.ts'
import { loadRunFiles } from '../../src/record/files.ts'
import type { Finding } from '../../src/record/index.ts'
import { downStack, REPO_ROOT, stackAvailable, stackCommand, upStack } from '../helpers/stack.ts'
import { assertFaultsAbsent, assertFaultsFound } from './analysis-asserts.ts'
import { captureRun, FAULT_SCENARIO } from './capture-helpers.ts'

const TESTBED = path.join(REPO_ROOT, 'testbed')
const STACK = 'analysis'

async function runAndAnalyze(stack: Record<string, string>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-analysis-run-'))
  const record = await captureRun(stack, dir, {
    duration: '40s',
    vus: '10',
    repoDir: TESTBED,
    scenario: FAULT_SCENARIO,
    log: () => {},
  })
  const inputs = await loadAnalysisInputs(await loadRunFiles(record, dir), { repoDir: TESTBED })
  return analyzeRecord(record, inputs)
}

const SEARCH_SQL =
  'SELECT c.id, c.title FROM clip_search_terms t JOIN clips c ON c.id = t.clip_id WHERE t.term = $1 ORDER BY c.vote_score DESC, c.id DESC LIMIT $2'

function scanNodes(plan: unknown): { type: string; relation?: string; index?: string }[] {
  const out: { type: string; relation?: string; index?: string }[] = []
  const walk = (n: Record<string, unknown>) => {
    out.push({
      type: String(n['Node Type']),
      ...(typeof n['Relation Name'] === 'string' ? { relation: n['Relation Name'] } : {}),
      ...(typeof n['Index Name'] === 'string' ? { index: n['Index Name'] } : {}),
    })
    for (const c of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c)
  }
  walk((plan as { Plan: Record<string, unknown> }[])[0]!.Plan)
  return out
}

describe(
  'analysis of real testbed runs',
  { skip: !stackAvailable() && 'scripts/stack.mjs is missing', timeout: 900_000 },
  () => {
    let stack: Record<string, string>
    before(async () => {
      // `up` restarts the app only when its env differs: this one has every fault on.
      stack = await upStack(STACK)
      await stackCommand(STACK, ['restart-app'])
    })
    after(async () => {
      await downStack(STACK).catch(() => {})
    })

    let onFindings: Finding[] = []
    it('names each known fault with every fault on', async () => {
      const { findings } = await runAndAnalyze(stack)
      onFindings = findings
      assertFaultsFound(findings)
    })

    it('suggests a CREATE INDEX that turns the search plan into an index scan', async (t) => {
      const fix = onFindings.find(
        (f) => f.kind === 'missing-index' && f.evidence?.table === 'clip_search_terms',
      )?.fix
      if (!fix) return t.skip('no missing-index finding (see the test above)')
      const client = new pg.Client({ connectionString: stack.DATABASE_URL })
      await client.connect()
      const schema = `perfgate_scratch_${process.pid}`
      try {
        await client.query(`CREATE SCHEMA ${schema}`)
        await client.query(
          `CREATE TABLE ${schema}.clip_search_terms (LIKE public.clip_search_terms INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
        )
        await client.query(`INSERT INTO ${schema}.clip_search_terms SELECT * FROM public.clip_search_terms`)
        await client.query(`SET search_path = ${schema}, public`)
        await client.query(`ANALYZE clip_search_terms`)
        const explain = async () =>
          scanNodes(
            (await client.query(`EXPLAIN (FORMAT JSON, GENERIC_PLAN) ${SEARCH_SQL}`)).rows[0]['QUERY PLAN'],
          )
        const beforeNodes = await explain()
        assert.ok(beforeNodes.some((n) => n.type === 'Seq Scan' && n.relation === 'clip_search_terms'))
        await client.query(fix)
        await client.query(`ANALYZE clip_search_terms`)
        const afterNodes = await explain()
        assert.ok(
          !afterNodes.some((n) => n.type === 'Seq Scan' && n.relation === 'clip_search_terms'),
          JSON.stringify(afterNodes),
        )
        assert.ok(
          afterNodes.some((n) => /Index/.test(n.type) && n.index === 'idx_clip_search_terms_term'),
          JSON.stringify(afterNodes),
        )
      } finally {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {})
        await client.end()
      }
    })

    it('names none of them with the faults off', async () => {
      try {
        await stackCommand(STACK, ['restart-app', '--env', 'FAULTS=off'])
        const { findings } = await runAndAnalyze(stack)
        assertFaultsAbsent(findings)
      } finally {
        await stackCommand(STACK, ['restart-app'])
      }
    })
  },
)
