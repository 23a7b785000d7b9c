#!/usr/bin/env node
// The README's first command: start the bundled testbed stack (PostgreSQL 17, Redis, the Go
// Clipper sample), make sure k6 is there, and run perfgate's whole pipeline against it.
// Extra arguments go to `perfgate run` (e.g. `npm run demo -- --duration 3m --vus 100`).
import { execFileSync, spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', ...options })

console.error('demo: starting the testbed stack (first run seeds the database and builds the Go app)…')
const stack = Object.fromEntries(
  run(process.execPath, ['scripts/stack.mjs', 'up'], { stdio: ['ignore', 'pipe', 'inherit'] })
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
