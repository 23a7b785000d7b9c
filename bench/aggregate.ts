// Benchmark (not a test): aggregation of a large k6 NDJSON file, plain and gzip, with
// perfgate's scanner beside a naive JSON.parse-per-line loop feeding the same aggregator, and the
// floor: Node reading (and for .gz inflating) the file and counting its newlines, nothing else
// (and, for reference, the same count through readline, which makes a string of every line).
// Each case runs in its own process so peak RSS is its own.
//   node --import tsx bench/aggregate.ts [points=5000000]
// Goals: ≥ 1 million points/s, < 200 MB peak RSS whatever the file size, and the scanner within
// 1.5× of the floor (issue 18). A fifth case, `aggregator-only`, times the aggregator alone on the
// file's points parsed beforehand (out of the timing): what any scanner, however fast, adds to.
import { execFileSync } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { Readable } from 'node:stream'
import { DEFAULT_ENDPOINTS } from '../src/plan/defaults.ts'
import { aggregateK6File, readK6File } from '../src/run/aggregate-file.ts'
import { LoadAggregator } from '../src/run/aggregate.ts'
import { TRACKED_METRICS, type TrackedMetric } from '../src/run/k6-json-scanner.ts'
import { writeFixture } from './aggregate-fixture.ts'

const DIR = 'bench/results'
type Mode = 'scanner' | 'naive' | 'floor' | 'readline' | 'aggregator-only'
const MODES: readonly Mode[] = ['floor', 'readline', 'scanner', 'aggregator-only', 'naive']

interface CaseResult {
  mode: Mode
  file: string
  bytes: number
  lines: number
  points: number
  requests: number
  wallS: number
  cpuS: number
  maxRssMB: number
  /** aggregator-only: of wallS, the summary at the end (LoadAggregator.result()). */
  resultWallS?: number
}

async function runCase(mode: Mode, file: string): Promise<CaseResult> {
  if (mode === 'aggregator-only') return aggregatorOnly(file)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let lines: number
  let points: number
  let requests: number
  if (mode === 'scanner') {
    const r = await aggregateK6File(file, { endpoints: DEFAULT_ENDPOINTS })
    lines = r.lines
    points = r.result.points
    requests = r.result.overall.count
  } else if (mode === 'naive') {
    ;({ lines, points, requests } = await naive(file))
  } else {
    lines = mode === 'floor' ? await countLines(file) : await countReadlineLines(file)
    points = 0
    requests = 0
  }
  const wallS = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  return {
    mode,
    file,
    bytes: statSync(file).size,
    lines,
    points,
    requests,
    wallS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }
}

/** The floor: read (and inflate) the file and count its newlines; no parsing at all. */
async function countLines(file: string): Promise<number> {
  let stream: Readable = createReadStream(file, { highWaterMark: 1 << 20 })
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip({ chunkSize: 1 << 20 }))
  let lines = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
  }
  return lines
}

/**
 * The aggregator fed the file's points from memory, as a scanner that cost nothing would hand them
 * on: recording each point and summarising at the end are timed, reading and parsing are not.
 * Peak RSS includes the points held in arrays, so it is not comparable with the other cases.
 */
async function aggregatorOnly(file: string): Promise<CaseResult> {
  const metrics: TrackedMetric[] = []
  const times: number[] = []
  const values: number[] = []
  const tags: string[] = []
  const read = await readK6File(file, {
    point(metric, timeMs, value, tagsText) {
      metrics.push(metric)
      times.push(timeMs)
      values.push(value)
      tags.push(tagsText)
    },
  })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const aggregator = new LoadAggregator({ endpoints: DEFAULT_ENDPOINTS })
  for (let i = 0; i < metrics.length; i++) aggregator.point(metrics[i]!, times[i]!, values[i]!, tags[i]!)
  const t1 = performance.now()
  const result = aggregator.result()
  const t2 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  return {
    mode: 'aggregator-only',
    file,
    bytes: statSync(file).size,
    lines: read.lines,
    points: result.points,
    requests: result.overall.count,
    wallS: (t2 - t0) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    resultWallS: (t2 - t1) / 1000,
  }
}

/** A second reference: the lines counted as readline splits them (a string per line, nothing parsed). */
async function countReadlineLines(file: string): Promise<number> {
  let stream: Readable = createReadStream(file)
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip())
  let lines = 0
  for await (const _ of createInterface({ input: stream, crlfDelay: Infinity })) lines++
  return lines
}

/** What one would write first: readline, JSON.parse every line, Date.parse the time. */
async function naive(file: string): Promise<{ lines: number; points: number; requests: number }> {
  const tracked = new Set<string>(TRACKED_METRICS)
  const aggregator = new LoadAggregator({ endpoints: DEFAULT_ENDPOINTS })
  let stream: Readable = createReadStream(file)
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip())
  let lines = 0
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    lines++
    const sample = JSON.parse(line) as {
      type: string
      metric: string
      data: { time: string; value: number; tags: unknown }
    }
    if (sample.type !== 'Point' || !tracked.has(sample.metric)) continue
    aggregator.point(
      sample.metric as TrackedMetric,
      Date.parse(sample.data.time),
      sample.data.value,
      JSON.stringify(sample.data.tags),
    )
  }
  const result = aggregator.result()
  return { lines, points: result.points, requests: result.overall.count }
}

async function main(): Promise<void> {
  const [, , caseMode, caseFile] = process.argv
  if (MODES.includes(caseMode as Mode)) {
    process.stdout.write(JSON.stringify(await runCase(caseMode as Mode, caseFile!)))
    return
  }
  const points = Number(caseMode ?? 5_000_000)
  mkdirSync(DIR, { recursive: true })
  const plain = `${DIR}/k6-${points}.ndjson`
  const gz = `${plain}.gz`
  for (const file of [plain, gz]) {
    if (!existsSync(file)) {
      console.error(`writing ${file} (${points} points)…`)
      await writeFixture(file, points)
    }
  }
  const results: CaseResult[] = []
  for (const file of [plain, gz]) {
    for (const mode of MODES) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/aggregate.ts', mode, file], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      })
      const r = JSON.parse(out) as CaseResult
      results.push(r)
      console.error(
        `${mode.padEnd(8)} ${file}: ${Math.round(r.lines / r.wallS).toLocaleString('en')} lines/s` +
          (r.resultWallS === undefined
            ? ''
            : ` (of ${r.wallS.toFixed(2)} s, ${r.resultWallS.toFixed(2)} s summarising)`),
      )
    }
  }
  const mb = (b: number) => (b / 1e6).toFixed(0)
  // Each case against the floor of the same file: wall and CPU time as a multiple of it.
  const floorOf = (r: CaseResult) => results.find((f) => f.mode === 'floor' && f.file === r.file)!
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
  const rows = results.map(
    (r) =>
      `| ${r.mode} | ${r.file.endsWith('.gz') ? 'gzip' : 'plain'} (${mb(r.bytes)} MB) | ${r.lines.toLocaleString('en')} | ` +
      `${r.wallS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${Math.round(r.lines / r.wallS).toLocaleString('en')} | ` +
      `${Math.round(r.lines / r.cpuS).toLocaleString('en')} | ${r.maxRssMB.toFixed(0)} | ` +
      `${ratio(r.wallS, floorOf(r).wallS)} | ${ratio(r.cpuS, floorOf(r).cpuS)} |`,
  )
  const table = [
    '| aggregator | file | points (NDJSON lines) | wall s | CPU s | points/s (wall) | points/s (CPU) | peak RSS MB | wall vs floor | CPU vs floor |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n')
  console.log(table)
  for (const file of [plain, gz]) {
    const of = (mode: Mode) => results.find((r) => r.mode === mode && r.file === file)!
    const [floor, scanner, naiveRun, alone] = [of('floor'), of('scanner'), of('naive'), of('aggregator-only')]
    console.log(
      `${file.endsWith('.gz') ? 'gzip' : 'plain'}: scanner ${ratio(scanner.wallS, floor.wallS)} the floor's wall time ` +
        `(${ratio(scanner.cpuS, floor.cpuS)} its CPU; goal ≤ 1.50×), naive loop ${ratio(naiveRun.wallS, scanner.wallS)} the scanner's; ` +
        `the aggregator alone, before any reading or parsing, ${ratio(alone.wallS, floor.wallS)} the floor's wall time`,
    )
  }
  writeFileSync(
    `${DIR}/aggregate.json`,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2),
  )
}

await main()
