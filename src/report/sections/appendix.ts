// Appendix: the full k6 output, the database and cache statistics, and the query plans.
import { codeBlock, codeSpan, note, notCollected, para, planBlock, plain, section } from '../blocks.ts'
import type { ReportContext } from '../context.ts'
import { json, k6Text, missingReason, sentence } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { Block, Section } from '../model.ts'

export function appendix(ctx: ReportContext): Section {
  const load = ctx.load
  const k6 = load
    ? load.k6Summary.trim()
      ? [codeBlock(k6Text(load.k6Summary))]
      : [note('k6 printed no end-of-test summary.')]
    : [notCollected(missingReason(ctx.record.load, 'the load test'))]
  const dbParts: Block[] = []
  if (ctx.app) {
    const values = Object.fromEntries(ctx.app.sources.map((s) => [s.url, s.values]))
    dbParts.push(para('App stats (before / after / delta):'), codeBlock(json(values), 'json'))
  }
  if (ctx.pg) {
    dbParts.push(
      para('PostgreSQL (deltas over the load):'),
      codeBlock(
        json({
          version: ctx.pg.version,
          settings: ctx.pg.settings,
          database: ctx.pg.database,
          activity: ctx.pg.activity,
          tables: ctx.pg.tables,
          statementsTracked: ctx.pg.statementsTracked,
          statements: ctx.pg.statements,
        }),
        'json',
      ),
    )
  }
  if (dbParts.length === 0)
    dbParts.push(
      notCollected(
        `${missingReason(ctx.record.postgres, 'PostgreSQL')}; app stats: ${missingReason(ctx.record.appStats, 'app stats')}`,
      ),
    )
  const cache = ctx.redis
    ? [codeBlock(json({ ...ctx.redis, files: undefined }), 'json')]
    : [notCollected(missingReason(ctx.record.redis, 'Redis'))]
  const plans: Block[] = []
  if (!ctx.pg) plans.push(notCollected(missingReason(ctx.record.postgres, 'PostgreSQL')))
  else if (ctx.pg.explains.length === 0)
    plans.push(
      note(
        ctx.pg.explainNote
          ? `No query plans: ${sentence(ctx.pg.explainNote)}.`
          : 'No query plans: no statement was slow enough to explain.',
      ),
    )
  else {
    for (const ex of ctx.pg.explains) {
      const st = ctx.pg.statements.find((s) => s.queryid === ex.queryid)
      const planText = ctx.input.explainPlans?.[ex.queryid]
      const summary = ex.error
        ? `-- EXPLAIN failed: ${ex.error}`
        : `-- plan root: ${ex.nodeType ?? 'n/a'}, estimated cost ${ex.totalCost ?? 'n/a'}${ex.seqScans?.length ? `, sequential scans on ${ex.seqScans.join(', ')}` : ''}${ex.file ? `\n-- full plan: ${ex.file}` : ''}`
      plans.push(
        para([
          plain('Query '),
          codeSpan(ex.queryid),
          plain(st ? ` (${fmt.count(st.calls)} calls, mean ${fmt.ms(st.meanExecMs)}):` : ':'),
        ]),
        codeBlock(`EXPLAIN (GENERIC_PLAN) ${st?.query ?? `-- query ${ex.queryid}`};\n\n${summary}`, 'sql'),
        ...(planText ? [planBlock(planText)] : []),
      )
    }
  }
  return section(
    'appendix',
    'Appendix',
    [],
    [
      section('appendix-k6', 'A. Full K6 Output', k6),
      section('appendix-db', 'B. Database Statistics', dbParts),
      section('appendix-cache', 'C. Cache Statistics', cache),
      section('appendix-plans', 'D. Query Plan Examples', plans),
    ],
  )
}
