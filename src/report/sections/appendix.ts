// Appendix: the full k6 output, the database and cache statistics, the query plans and the stage
// timeline (where the job's time went beyond the load). The bulky
// raw data (the statistics as JSON, the full plans) goes into files beside report.md; the appendix
// shows a short excerpt and names the file.
import {
  codeBlock,
  codeSpan,
  note,
  notCollected,
  para,
  planBlock,
  plain,
  section,
  strong,
} from '../blocks.ts'
import type { ReportContext } from '../context.ts'
import { json, k6Text, missingReason, sentence } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { Block, Section } from '../model.ts'
import { formatSeconds, overheadBeyondLoad } from '../../record/stages.ts'

/** Lines of a data file or plan shown in the appendix. */
const EXCERPT_LINES = 12

/** A file of raw data written beside report.md. */
export interface DataFile {
  name: string
  text: string
}

/** The raw data the appendix refers to, as files for the output folder. Pure. */
export function appendixFiles(ctx: ReportContext): DataFile[] {
  const files: DataFile[] = []
  if (ctx.app)
    files.push({
      name: 'appendix-app-stats.json',
      text: json(Object.fromEntries(ctx.app.sources.map((s) => [s.url, s.values]))) + '\n',
    })
  if (ctx.pg)
    files.push({
      name: 'appendix-postgres.json',
      text:
        json({
          version: ctx.pg.version,
          settings: ctx.pg.settings,
          database: ctx.pg.database,
          activity: ctx.pg.activity,
          tables: ctx.pg.tables,
          statementsTracked: ctx.pg.statementsTracked,
          statements: ctx.pg.statements,
        }) + '\n',
    })
  if (ctx.redis)
    files.push({ name: 'appendix-redis.json', text: json({ ...ctx.redis, files: undefined }) + '\n' })
  return files
}

/** The first lines of `text`, and a line saying how many more there are and where. */
function excerpt(text: string, where: string): string {
  const lines = text.replace(/\s+$/, '').split('\n')
  if (lines.length <= EXCERPT_LINES) return lines.join('\n')
  return [...lines.slice(0, EXCERPT_LINES), `… ${lines.length - EXCERPT_LINES} more lines in ${where}`].join(
    '\n',
  )
}

/** A data file's excerpt, introduced by `label` and the file's name. */
function dataBlocks(label: string, file: DataFile | undefined): Block[] {
  if (!file) return []
  return [
    para([plain(`${label}, in full in `), codeSpan(file.name), plain(' beside this report:')]),
    codeBlock(excerpt(file.text, file.name), 'json'),
  ]
}

export function appendix(ctx: ReportContext): Section {
  const files = new Map(appendixFiles(ctx).map((f) => [f.name, f]))
  const load = ctx.load
  const k6 = load
    ? load.k6Summary.trim()
      ? [codeBlock(k6Text(load.k6Summary))]
      : [note('k6 printed no end-of-test summary.')]
    : [notCollected(missingReason(ctx.record.load, 'the load test'))]
  const dbParts: Block[] = [
    ...dataBlocks('App stats (before / after / delta)', files.get('appendix-app-stats.json')),
    ...dataBlocks('PostgreSQL (deltas over the load)', files.get('appendix-postgres.json')),
  ]
  if (dbParts.length === 0)
    dbParts.push(
      notCollected(
        `${missingReason(ctx.record.postgres, 'PostgreSQL')}; app stats: ${missingReason(ctx.record.appStats, 'app stats')}`,
      ),
    )
  const cache = ctx.redis
    ? dataBlocks('Redis', files.get('appendix-redis.json'))
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
        ...(planText ? [planBlock(planText, ex.file, EXCERPT_LINES)] : []),
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
      section('appendix-timeline', 'E. Stage Timeline', stageTimeline(ctx)),
    ],
  )
}

/** The record's stages (offset from the run's start, duration) and the overhead beyond the load. */
function stageTimeline(ctx: ReportContext): Block[] {
  const spans = ctx.record.timeline
  if (!spans || spans.length === 0)
    return [note('No stage timeline: the record was written by a perfgate that did not keep one.')]
  const table: Block = {
    kind: 'table',
    header: ['Stage', 'Start', 'Duration'],
    align: ['l', 'r', 'r'],
    rows: [...spans]
      .sort((a, b) => a.startMs - b.startMs)
      .map((s) => [s.stage, `+${formatSeconds(s.startMs)}`, formatSeconds(s.endMs - s.startMs)]),
  }
  const overhead = overheadBeyondLoad(spans)
  if (!overhead) return [table, note('No load stage in this run: no overhead beyond the load to show.')]
  return [
    table,
    para([
      strong('Overhead beyond the load:'),
      plain(
        ` ${formatSeconds(overhead.ms)} from k6's exit to the end of ${overhead.untilStage}, ` +
          `of which the cool-down took ${formatSeconds(overhead.coolDownMs)}.` +
          (spans.some((s) => s.stage === 'publish')
            ? ''
            : ' Rendering and publishing this report come after; result.json, written again once they end, and the log time them.'),
      ),
    ]),
  ]
}
