#!/usr/bin/env node
// The README's first command: start the bundled testbed stack (PostgreSQL 17, Redis, the Go
// Clipper sample), make sure k6 is there, and run perfgate's whole pipeline against it.
// Extra arguments go to `perfgate run` (e.g. `npm run demo -- --duration 3m --vus 100`).
//
// System-wide side effects are avoided: Redis runs only as the stack's own process on its own
// port. When redis-server is missing, Debian's package is installed (the demo says so first) and
// the system service the package enables is stopped and disabled again, so nothing listens on
// 6379 afterwards. The first start builds the Go testbed, which can take minutes: progress is
// printed while it runs.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', ...options })
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
const asRoot = (args) => (process.getuid?.() === 0 ? args : has('sudo') ? ['sudo', '-n', ...args] : undefined)

/** Installs Debian's redis-server for its binary only, and undoes the system service it enables. */
function ensureRedisBinary() {
  if (has('redis-server') || existsSync('/usr/bin/redis-server')) return
  const apt = asRoot(['apt-get'])
  if (!apt || !has('apt-get')) return // scripts/stack.mjs explains what is missing
  console.error(
    "demo: redis-server is missing: installing Debian's redis-server package with apt-get; the demo runs its own Redis, and the system service the package enables is stopped and disabled right after",
  )
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const aptRun = (args) => spawnSync(apt[0], [...apt.slice(1), ...args], { stdio: ['ignore', 2, 2], env })
  aptRun(['update', '-qq'])
  if (aptRun(['install', '-y', '-qq', '--no-install-recommends', 'redis-server']).status !== 0) return
  if (has('systemctl') && existsSync('/run/systemd/system')) {
    const systemctl = asRoot(['systemctl', 'disable', '--now', 'redis-server'])
    const r = spawnSync(systemctl[0], systemctl.slice(1), { stdio: ['ignore', 'ignore', 2] })
    console.error(
      r.status === 0
        ? 'demo: the redis-server system service is stopped and disabled'
        : 'demo: could not disable the redis-server system service: run `sudo systemctl disable --now redis-server`',
    )
  }
}

/** `scripts/stack.mjs up`, printing progress every 20 s while it runs (the first Go build is long). */
function stackUp() {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['scripts/stack.mjs', 'up'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk))
    const timer = setInterval(() => {
      const s = Math.round((Date.now() - started) / 1000)
      console.error(
        `demo: still starting the stack (${s} s); the first start seeds PostgreSQL and builds the Go testbed, which can take several minutes (log: .perfgate-stack/logs/build.log)`,
      )
    }, 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(timer)
      if (code !== 0) reject(new Error(`scripts/stack.mjs up exited with ${code}`))
      else resolve(out)
    })
  })
}

ensureRedisBinary()
console.error('demo: starting the testbed stack (first run seeds the database and builds the Go app)…')
let stackOut
try {
  stackOut = await stackUp()
} catch (error) {
  console.error(`demo: ${error.message}`)
  process.exit(1)
}
const stack = Object.fromEntries(
  stackOut
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line))
    .filter(Boolean)
    .map((m) => [m[1], m[2]]),
)
console.error('demo: locating k6 (installs the pinned version with `go install` if missing)…')
const k6 = run('bash', ['scripts/install-k6.sh'], { stdio: ['ignore', 'pipe', 'inherit'] }).trim()

const args = [
  path.join(root, 'bin/perfgate.js'),
  'run',
  '--target-url',
  stack.TARGET_URL,
  '--k6-path',
  k6,
  '--database-url',
  stack.DATABASE_URL_RO, // a role with pg_read_all_stats, as a user would give perfgate
  '--redis-url',
  stack.REDIS_URL,
  '--metrics-url',
  stack.METRICS_URL,
  '--pprof-url',
  stack.PPROF_URL,
  '--debug-auth-header',
  `Authorization: Bearer ${stack.ADMIN_TOKEN}`,
  '--app-stats-urls',
  stack.APP_STATS_URLS,
  '--baseline',
  'none',
  '--fail-on',
  'never',
  '--duration',
  '60s',
  '--vus',
  '30',
  '--think-time-scale',
  '0.5',
  '--repo',
  root,
  '--out',
  path.join(root, 'perfgate-report'),
  ...process.argv.slice(2),
]
// The generated scenario votes and comments as a test user: its bearer token comes from the environment.
const env = { ...process.env, PERFGATE_TOKEN: process.env.PERFGATE_TOKEN ?? stack.USER_TOKEN }
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env })
process.exit(result.status ?? 1)
