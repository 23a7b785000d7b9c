// Signals: SIGTERM mid-load stops k6 (no k6 left), writes a partial record and report, exits 143.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCli, startTarget } from './run-support.ts'

const LONG_SCRIPT = `
import http from 'k6/http'
import { sleep } from 'k6'
export const options = { vus: 2, duration: '60s' }
export function setup() { return { token: __ENV.PERFGATE_TOKEN } }
export default function () { http.get(__ENV.PERFGATE_TARGET_URL + '/api/v1/clips'); sleep(0.05) }
`

/** Pids of live processes whose command line mentions `needle` (Linux /proc). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (cmdline.includes(needle)) pids.push(Number(entry))
    } catch {
      // Gone meanwhile.
    }
  }
  return pids
}

const until = async (what: string, ok: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

for (const [sig, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`${sig} mid-load stops k6, writes a partial record and report without the setup token, and exits ${code}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'perfgate-signals-'))
    const target = await startTarget()
    const script = join(dir, 'long-load.js')
    try {
      await writeFile(script, LONG_SCRIPT)
      const out = join(dir, 'out')
      const cli = startCli(
        ['run', '--target-url', target.url, '--script', script, '--output-dir', out],
        { PERFGATE_TOKEN: 'signal-tok-0c4d2f' },
        60_000,
      )
      await until('the load to start', () => target.requests >= 20, 30_000)
      assert.ok(processesMentioning(script).length > 0, 'k6 runs the script')
      const signalledAt = Date.now()
      cli.child.kill(sig)
      const run = await cli.done
      assert.equal(run.code, code, run.stdout + run.stderr)
      assert.ok(
        Date.now() - signalledAt < 25_000,
        'perfgate stopped within seconds, not at the end of the load',
      )
      assert.deepEqual(processesMentioning(script), [], 'no k6 outlives perfgate')

      const record = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'))
      assert.match(record.load.partial, new RegExp(`^interrupted by ${sig} after \\d+ s$`))
      assert.ok(record.load.overall.count > 0)
      assert.match(record.load.unusableAsBaseline, /stopped early/)
      assert.ok(existsSync(join(out, 'report.md')))
      assert.match(await readFile(join(out, 'report.md'), 'utf8'), new RegExp(`interrupted by ${sig}`))
      assert.match(run.stdout, /^verdict: fail \(partial load/m)
      // k6 wrote its summary on the way out; what setup() returned (the token) is not in it.
      const summary = JSON.parse(await readFile(join(out, 'k6-summary.json'), 'utf8'))
      assert.equal('setup_data' in summary, false)
      for (const entry of readdirSync(out, { withFileTypes: true }))
        if (entry.isFile() && !entry.name.endsWith('.gz'))
          assert.ok(!readFileSync(join(out, entry.name), 'utf8').includes('signal-tok-0c4d2f'), entry.name)
    } finally {
      for (const pid of processesMentioning(script)) process.kill(pid, 'SIGKILL')
      await target.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
}
