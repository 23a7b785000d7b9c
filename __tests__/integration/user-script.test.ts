// Integration: a user's own k6 script against the Go testbed with real k6 (issue 16). perfgate
// reads the script with `k6 inspect`, passes `duration`/`vus` as k6's own overrides (or refuses
// before any load when k6 would replace the script's scenarios), describes what ran in the
// report, and places the CPU profile inside the script's steady state. Loopback only; each run is
// bounded by k6's duration.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { measure, runPipeline, writeReportFiles } from '../../src/pipeline.ts'
import { isUnavailable } from '../../src/record/common.ts'
import { ensureStack, stackAvailable } from '../helpers/stack.ts'
import { testbedPlan } from '../helpers/testbed-plan.ts'

let workDir: string
let stack: Record<string, string>

const STAGES_20S = `import http from 'k6/http'
import { sleep } from 'k6'
export const options = { stages: [{ duration: '5s', target: 6 }, { duration: '10s', target: 6 }, { duration: '5s', target: 0 }] }
export default function () {
  http.get(\`\${__ENV.PERFGATE_TARGET_URL}/api/v1/clips?sort=hot&limit=25\`)
  sleep(0.5 * Number(__ENV.PERFGATE_THINK_TIME_SCALE || 1))
}
`

const TWO_SCENARIOS = `import http from 'k6/http'
export const options = { scenarios: {
  browse: { executor: 'constant-vus', vus: 2, duration: '20s', exec: 'browse' },
  api: { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '20s', preAllocatedVUs: 2 },
} }
export function browse() { http.get(\`\${__ENV.PERFGATE_TARGET_URL}/api/v1/clips\`) }
export default function () { http.get(\`\${__ENV.PERFGATE_TARGET_URL}/api/v1/clips\`) }
`

const CONSTANT_16S = `import http from 'k6/http'
import { sleep } from 'k6'
export const options = { vus: 3, duration: '16s' }
export default function () {
  http.get(\`\${__ENV.PERFGATE_TARGET_URL}/api/v1/clips?sort=new&limit=25\`)
  sleep(0.2)
}
`

async function planFor(label: string, script: string, inputs: Record<string, string> = {}) {
  const file = path.join(workDir, `${label}.js`)
  await writeFile(file, script)
  // No cool-down wait: nothing here reads the cool-down snapshots.
  return testbedPlan(workDir, label, 'collectors:\n  cool-down: 0s\n', {
    'target-url': stack.TARGET_URL!,
    script: file,
    ...inputs,
  })
}

before(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-user-script-'))
  if (stackAvailable()) stack = await ensureStack()
})
after(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

test('a 20-second staged script given duration 5s and vus 2 runs about 5 s with 2 VUs and the report says so', async () => {
  const plan = await planFor('stages', STAGES_20S, { duration: '5s', vus: '2' })
  const totals: number[] = []
  const outcome = await runPipeline(plan, {
    env: process.env,
    log: () => {},
    onProgress: (p) => totals.push(p.totalS),
  })
  const load = outcome.record.load
  assert.ok(!isUnavailable(load), 'the load ran')
  assert.equal(load.vusMax, 2)
  assert.ok(load.durationS >= 4 && load.durationS < 8, `ran ${load.durationS} s, not the script's 20 s`)
  // The progress line's total is the run's real length.
  assert.ok(
    totals.length > 0 && totals.every((t) => t === 5),
    `progress totals ${[...new Set(totals)].join(',')}`,
  )
  assert.deepEqual(load.scriptRun, {
    scenarios: [{ name: 'default', executor: 'constant-vus', startS: 0, durationS: 5, maxVUs: 2, vus: 2 }],
    maxVUs: 2,
    durationS: 5,
    overrides: { vus: 2, durationS: 5 },
  })
  const { paths } = await writeReportFiles(outcome, plan, {})
  const report = await readFile(paths.markdown, 'utf8')
  assert.match(
    report,
    /\*\*Scenario:\*\* k6 script stages\.js with perfgate's inputs as k6 overrides \(duration 5 s, vus 2\)/,
  )
  assert.match(report, /\*\*Scenario default:\*\* constant-vus: 2 VUs for 5 seconds, up to 2 VUs/)
  assert.match(report, /\*\*Virtual Users:\*\* up to 2 \(peak measured 2\)/)
  assert.match(
    report,
    /\*\*Load Test\*\*: k6 script stages\.js \(default: constant-vus; up to 2 VUs, 5 seconds\)/,
  )
  // The generated scenario's user mix is not claimed for a script.
  assert.doesNotMatch(report, /casual browser/)
})

test('a script whose scenarios k6 would replace is refused in one line before any load', async () => {
  const plan = await planFor('scenarios', TWO_SCENARIOS, { duration: '5s' })
  const lines: string[] = []
  await assert.rejects(
    measure(plan, { env: process.env, log: (line) => lines.push(line) }),
    (error: Error) => {
      assert.equal(error.message.includes('\n'), false, 'one line')
      assert.match(
        error.message,
        /^script scenarios\.js defines k6 scenarios \(api: constant-arrival-rate, browse: constant-vus → browse\(\)\) that k6's --vus\/--duration would replace entirely: drop the duration input to run the script as written \(20 s, up to \d+ VUs\)/,
      )
      return true
    },
  )
  // Only k6 was located and the script inspected: neither the target check, the collectors nor the load ran.
  assert.deepEqual(
    lines.filter((line) => !/^k6 v\d|^perfgate: stage (k6 locate|script check) /.test(line)),
    [],
  )
  await assert.rejects(stat(path.join(plan.outputDir, 'k6.ndjson.gz')))
})

test('a constant-VU script gets its CPU profile inside its steady state', async () => {
  const plan = await planFor('constant', CONSTANT_16S, {
    'pprof-url': stack.PPROF_URL!,
    'debug-auth-header': `Authorization: Bearer ${stack.ADMIN_TOKEN}`,
  })
  const record = await measure(plan, { env: process.env, log: () => {} })
  const profiles = record.profiles
  assert.ok(!isUnavailable(profiles), `profiles: ${JSON.stringify(profiles)}`)
  const cpu = profiles.cpu
  assert.ok(cpu, `a CPU profile was taken: ${JSON.stringify(profiles.missing)}`)
  // After the warm-up of the constant load (not the default scenario's ramp), ending before it does.
  assert.ok(cpu.startS >= 3 && cpu.startS < 8, `CPU profile starts at ${cpu.startS} s`)
  assert.ok(cpu.startS + cpu.durationS <= 16, `CPU profile ends at ${cpu.startS + cpu.durationS} s`)
  assert.ok(cpu.durationS >= 5)
})
