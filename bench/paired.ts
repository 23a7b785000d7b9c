// Pilot of the paired designs (issue 19): one k6 process loads the base (BASELINE_URL) and the
// PR (TARGET_URL) deployment side by side, simultaneous pools or A B B A slices, and the paired
// statistics judge every endpoint's p95. Not the full --paired gate bench yet (see README).
//   npx tsx bench/paired.ts <simultaneous|alternating> <seconds> <slice-s> <out.json>
import { spawnSync } from 'node:child_process'
import { createReadStream, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { comparePaired, type PairedDesign } from '../src/compare/paired.ts'
import { generatePairedScript } from '../src/run/paired-script.ts'
import { DEFAULT_ENDPOINTS, defaultScenario } from '../src/plan/defaults.ts'

const [design, seconds, sliceS, out] = process.argv.slice(2) as [PairedDesign, string, string, string]
const script = generatePairedScript({
  targetUrl: process.env.TARGET_URL!,
  baselineUrl: process.env.BASELINE_URL!,
  scenario: defaultScenario(20, Number(seconds), 0.1),
  endpoints: DEFAULT_ENDPOINTS,
  design,
  sliceS: Number(sliceS),
})
writeFileSync(`${out}.js`, script)
const k6 = spawnSync(
  'k6',
  ['run', '--quiet', '--no-usage-report', '--out', `json=${out}.ndjson`, `${out}.js`],
  {
    env: { ...process.env, PERFGATE_TOKEN: 'user-1-token' },
    encoding: 'utf8',
  },
)
if (k6.status !== 0) throw new Error(`k6 exited ${k6.status}: ${k6.stderr}`)

// window = slice index (alternating) or 2-s time bin (simultaneous)
const values = new Map<string, number[]>()
let t0 = 0
for await (const line of createInterface({ input: createReadStream(`${out}.ndjson`) })) {
  const o = JSON.parse(line)
  if (o.type !== 'Point' || o.metric !== 'http_req_duration' || !o.data.tags.endpoint) continue
  const t = Date.parse(o.data.time)
  t0 ||= t
  const w = design === 'alternating' ? o.data.tags.slice : String(Math.floor((t - t0) / 2000))
  const key = `${o.data.tags.endpoint}|${o.data.tags.side}|${w}`
  values.set(key, [...(values.get(key) ?? []), o.data.value])
}
const p95 = (v: number[]) => v.sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(0.95 * v.length))]!
const rows = DEFAULT_ENDPOINTS.map((ep) => {
  const base: number[] = []
  const current: number[] = []
  for (let w = 0; w < 1000; w++) {
    const a = values.get(`${ep.name}|base|${w}`)
    const b = values.get(`${ep.name}|pr|${w}`)
    if (a && b && a.length >= 5 && b.length >= 5) {
      base.push(p95(a))
      current.push(p95(b))
    }
  }
  return { key: `${ep.name} p95`, base, current, tolerance: 0.05, gated: true }
})
const judged = comparePaired(rows, { alpha: 0.05 })
writeFileSync(out, JSON.stringify({ design, seconds, sliceS, judged }, null, 1))
for (const r of judged)
  console.log(
    `${r.key.padEnd(22)} n=${String(r.pairs).padStart(3)} Δ=${(r.relativeChange * 100).toFixed(1).padStart(6)} % ` +
      `CI [${(r.interval[0] * 100).toFixed(1)}, ${(r.interval[1] * 100).toFixed(1)}] pHolm=${r.pAdjusted.toFixed(3)} ${r.verdict}`,
  )
