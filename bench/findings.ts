// Findings accuracy: the testbed with its faults off and on, at the demo's settings and at twice
// its load, each run analysed as the pipeline does; per fault, whether it was found (once), at the
// right place and in which tier, and every finding the ground truth (testbed/README.md) does not
// explain, with its tier.
//
//   node --import tsx bench/findings.ts [--seconds 60] [--vus 30] [--think 0.5] [--shared-stack]
//     [--ports pg,redis,app,twitch] [--state-dir DIR]
//   node --import tsx bench/findings.ts --replay bench/results/findings-<timestamp>
//
// Runs: faults off × {vus, 2 × vus}, faults on × {vus, 2 × vus}, the default "Mixed behavior"
// scenario (what `npm run demo` runs). The app is restarted with FAULTS=off|on before each run.
// By default the bench starts its own stack (state dir $TMPDIR/perfgate-findings-stack, ports
// 55359/63829/18120/18121) so switching faults off does not disturb anyone else; --shared-stack
// uses the `scripts/stack.mjs up` defaults. Loopback only; each run is bounded by k6's duration.
// Every run's output folder is kept under bench/results/findings-<timestamp>/ (result.json,
// profiles, plans; k6's NDJSON dropped) with summary.json; --replay re-analyses such a folder.
import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { analyzeRecord, loadAnalysisInputs } from '../src/analyze/index.ts'
import { loadRunFiles } from '../src/record/files.ts'
import type { Finding, RunRecord } from '../src/record/index.ts'
import { captureRun } from '../__tests__/analyze/capture-helpers.ts'
import { parseStackOutput } from '../__tests__/helpers/stack.ts'

const run = promisify(execFile)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TESTBED = path.join(ROOT, 'testbed')

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    vus: { type: 'string', default: '30' },
    think: { type: 'string', default: '0.5' },
    'shared-stack': { type: 'boolean', default: false },
    replay: { type: 'string' },
    // pg,redis,app,twitch ports and the state dir of the bench's own stack (defaults below).
    ports: { type: 'string', default: '55359,63829,18120,18121' },
    'state-dir': { type: 'string', default: path.join(os.tmpdir(), 'perfgate-findings-stack') },
  },
})

/** The five faults of testbed/README.md: how a finding names each, and where it is. */
const FAULTS: { name: string; matches: (f: Finding) => boolean; location: string }[] = [
  {
    name: '1 N+1 (comments_list → users)',
    matches: (f) => f.kind === 'n-plus-one' && /FROM users/.test(f.detail),
    location: 'internal/app/faults.go:39 (loop) → internal/app/faults.go:41 (query)',
  },
  {
    name: '2 missing index (clip_search_terms.term)',
    matches: (f) => f.kind === 'missing-index' && /clip_search_terms/.test(f.title),
    location: 'internal/app/handlers.go:193',
  },
  {
    name: '3 CPU (scoreRelatedClips)',
    matches: (f) =>
      /hotspot/.test(f.kind) && /relatedClips|scoreRelatedClips/i.test(`${f.title} ${f.detail}`),
    location: 'internal/app/faults.go:133',
  },
  {
    name: '4 vote mutex (castVoteSerialized)',
    matches: (f) => f.kind === 'contention' && /castVote/.test(`${f.title} ${f.detail}`),
    location: 'internal/app/faults.go:245',
  },
  {
    name: '5 goroutine leak (viewCounterWorker)',
    matches: (f) => f.kind === 'goroutine-leak',
    location: 'internal/app/faults.go:264',
  },
]

interface RunScore {
  run: string
  faults: 'on' | 'off'
  vus: number
  requests: number
  perFault: { name: string; count: number; locationRight: boolean; tier?: number }[]
  /** Findings no fault explains (on a faults-off run: every finding). */
  unexplained: { tier: number; kind: string; title: string }[]
}

function score(
  name: string,
  faults: 'on' | 'off',
  vus: number,
  record: RunRecord,
  findings: Finding[],
): RunScore {
  const explained = new Set<Finding>()
  const perFault = FAULTS.map((fault) => {
    const hits = faults === 'on' ? findings.filter(fault.matches) : []
    hits.forEach((h) => explained.add(h))
    return {
      name: fault.name,
      count: hits.length,
      locationRight: hits.some((h) => h.location === fault.location),
      ...(hits[0] ? { tier: hits[0].tier } : {}),
    }
  })
  return {
    run: name,
    faults,
    vus,
    requests: 'unavailable' in record.load ? 0 : record.load.overall.count,
    perFault,
    unexplained: findings
      .filter((f) => !explained.has(f))
      .map((f) => ({ tier: f.tier, kind: f.kind, title: f.title })),
  }
}

async function analyse(dir: string) {
  const record = JSON.parse(await readFile(path.join(dir, 'result.json'), 'utf8')) as RunRecord
  const inputs = await loadAnalysisInputs(await loadRunFiles(record, dir), { repoDir: TESTBED })
  return { record, findings: analyzeRecord(record, inputs).findings }
}

function table(scores: RunScore[]): string {
  const lines = [
    '| run | requests | ' + FAULTS.map((f) => f.name).join(' | ') + ' | unexplained P1–3 | unexplained P4 |',
    '|---|--:|' + FAULTS.map(() => ':-:').join('|') + '|---|--:|',
  ]
  for (const s of scores) {
    const cells = s.perFault.map((p) =>
      s.faults === 'off'
        ? '—'
        : p.count === 0
          ? 'missed'
          : `${p.count === 1 ? 'once' : `${p.count}×`}, P${p.tier}${p.locationRight ? '' : ', wrong place'}`,
    )
    const high = s.unexplained.filter((u) => u.tier <= 3)
    lines.push(
      `| ${s.run} | ${s.requests} | ${cells.join(' | ')} | ${high.length === 0 ? '0' : high.map((u) => `P${u.tier} ${u.title}`).join('; ')} | ${s.unexplained.length - high.length} |`,
    )
  }
  return lines.join('\n')
}

async function stackCmd(args: string[], stateDir: string | undefined): Promise<Record<string, string>> {
  const { stdout } = await run(
    process.execPath,
    ['scripts/stack.mjs', ...args, ...(stateDir ? ['--state-dir', stateDir] : [])],
    { cwd: ROOT, timeout: 15 * 60_000, maxBuffer: 16 << 20 },
  )
  return parseStackOutput(stdout)
}

async function main() {
  if (values.replay) {
    const dir = path.resolve(values.replay)
    const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as RunScore[]
    const scores: RunScore[] = []
    for (const s of summary) {
      const { record, findings } = await analyse(path.join(dir, s.run))
      scores.push(score(s.run, s.faults, s.vus, record, findings))
    }
    console.log(table(scores))
    return
  }
  const stateDir = values['shared-stack'] ? undefined : values['state-dir']
  const [pg, redis, app, twitch] = values.ports.split(',')
  if (!pg || !redis || !app || !twitch)
    throw new Error(`--ports: want four comma-separated ports pg,redis,app,twitch, got "${values.ports}"`)
  const ports = values['shared-stack']
    ? []
    : ['--pg-port', pg, '--redis-port', redis, '--app-port', app, '--twitch-port', twitch]
  const out = path.join(
    ROOT,
    'bench',
    'results',
    `findings-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  )
  await mkdir(out, { recursive: true })
  const vus = Number(values.vus)
  const scores: RunScore[] = []
  try {
    await stackCmd(['up', ...ports], stateDir)
    for (const faults of ['off', 'on'] as const) {
      for (const n of [vus, 2 * vus]) {
        const stack = await stackCmd(['restart-app', '--env', `FAULTS=${faults}`], stateDir)
        const name = `faults-${faults}-${n}vus`
        const dir = path.join(out, name)
        process.stderr.write(`findings bench: ${name} (${values.seconds}s)\n`)
        const record = await captureRun(stack, dir, {
          duration: `${values.seconds}s`,
          vus: String(n),
          thinkTimeScale: values.think,
          repoDir: ROOT,
          log: () => {},
        })
        await writeFile(path.join(dir, 'result.json'), JSON.stringify(record, null, 2) + '\n')
        // The NDJSON is large and not needed to re-analyse.
        for (const f of await readdir(dir)) if (/^k6\.ndjson/.test(f)) await rm(path.join(dir, f))
        const analysed = await analyse(dir)
        scores.push(score(name, faults, n, analysed.record, analysed.findings))
      }
    }
  } finally {
    await stackCmd(['restart-app'], stateDir).catch(() => undefined)
    if (stateDir) await stackCmd(['down'], stateDir).catch(() => undefined)
  }
  await writeFile(path.join(out, 'summary.json'), JSON.stringify(scores, null, 2) + '\n')
  console.log(table(scores))
  console.log(`\nraw: ${path.relative(ROOT, out)}`)
}

await main()
