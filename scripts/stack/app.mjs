// The Go testbed (testbed/): build, migrate + seed once, the Twitch stub, the API.
import fs from 'node:fs'
import path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { log, die, tail, waitFor, which, aptInstall, httpOK, portFree } from './util.mjs'
import { isAlive, isRunning, stopPid } from './state.mjs'
import { dsn } from './postgres.mjs'

// env vars the app reads: only --env sets them (never inherited from the caller)
const APP_KEYS =
  /^(FAULT_.*|FAULTS|REGRESS_.*|CACHE|.*_CACHE_TTL_S|DATABASE_URL|REDIS_URL|LISTEN_ADDR|ADMIN_TOKEN|TWITCH_.*|DB_MAX_CONNS|BLOCK_PROFILE_RATE|MUTEX_PROFILE_FRACTION|RELATED_.*)$/

function goBin() {
  let go = which('go') || ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'].find((p) => fs.existsSync(p))
  if (!go) {
    aptInstall(['golang-go', 'ca-certificates'])
    go = which('go')
  }
  if (!go) die('go toolchain not found')
  return go
}

const bins = (ctx) => ({
  clipper: path.join(ctx.binDir, 'clipper'),
  twitch: path.join(ctx.binDir, 'twitchstub'),
})

/** Latest modification time of any file under `dir` (dot-entries skipped). */
function newestMtime(dir) {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    const p = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs)
  }
  return newest
}

function builtAfter(file, mtimeMs) {
  try {
    return fs.statSync(file).mtimeMs >= mtimeMs
  } catch {
    return false
  }
}

// Go caches compiled packages but links every `go build` anew, which takes minutes on a busy
// machine: a binary newer than every file under testbed/ is kept.
export async function build(ctx, _st) {
  const go = goBin()
  const logFile = path.join(ctx.stateDir, 'logs', 'build.log')
  const sources = newestMtime(path.join(ctx.root, 'testbed'))
  fs.mkdirSync(ctx.binDir, { recursive: true })
  const b = bins(ctx)
  for (const [name, out] of [
    ['clipper', b.clipper],
    ['twitchstub', b.twitch],
  ]) {
    if (builtAfter(out, sources)) continue
    // built beside and renamed: a stack of another state dir may be running this binary
    const tmp = `${out}.${process.pid}.tmp`
    const r = spawnSync(go, ['build', '-buildvcs=false', '-o', tmp, `./cmd/${name}`], {
      cwd: path.join(ctx.root, 'testbed'),
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'auto' },
    })
    fs.appendFileSync(logFile, `$ go build ./cmd/${name}\n${r.stdout || ''}${r.stderr || ''}`)
    if (r.status !== 0) {
      fs.rmSync(tmp, { force: true })
      die(`go build ./cmd/${name} failed:\n${r.stderr || r.error}`)
    }
    fs.renameSync(tmp, out)
    log(`built ${out}`)
  }
}

function baseEnv() {
  const e = {}
  for (const [k, v] of Object.entries(process.env)) if (!APP_KEYS.test(k)) e[k] = v
  return e
}

export function appEnv(st) {
  return {
    ...baseEnv(),
    DATABASE_URL: dsn(st),
    REDIS_URL: `redis://127.0.0.1:${st.ports.redis}/0`,
    LISTEN_ADDR: `127.0.0.1:${st.ports.app}`,
    ADMIN_TOKEN: st.adminToken,
    TWITCH_URL: `http://127.0.0.1:${st.ports.twitch}`,
    ...st.appEnv,
  }
}

export async function seed(ctx, st) {
  const marker = path.join(ctx.stateDir, 'pg', 'seeded')
  const logFile = path.join(ctx.stateDir, 'logs', 'seed.log')
  const cmd = fs.existsSync(marker) ? ['migrate'] : ['seed']
  if (cmd[0] === 'seed') log('seeding the database (once)…')
  const t = Date.now()
  const r = spawnSync(bins(ctx).clipper, cmd, { env: appEnv(st), encoding: 'utf8', timeout: ctx.timeoutMs })
  fs.appendFileSync(logFile, (r.stdout || '') + (r.stderr || ''))
  if (r.status !== 0) die(`clipper ${cmd[0]} failed:\n${tail(logFile)}`)
  if (cmd[0] === 'seed') {
    fs.writeFileSync(marker, new Date().toISOString() + '\n')
    log(`seeded in ${((Date.now() - t) / 1000).toFixed(1)} s`)
  }
  st.seeded = true
}

export const twitchHealthy = (st) => httpOK(`http://127.0.0.1:${st.ports.twitch}/health`)
export const appHealthy = (st) => httpOK(`http://127.0.0.1:${st.ports.app}/health`, 3000)
export const app2Healthy = (st) => httpOK(`http://127.0.0.1:${st.ports.app2}/health`, 3000)

function twitchEnvOf(env) {
  return Object.fromEntries(
    Object.entries(env).filter(([k]) => k.startsWith('TWITCH_') && k !== 'TWITCH_URL'),
  )
}

async function startProc(ctx, st, key, bin, env, logName, healthyFn) {
  const logFile = path.join(ctx.stateDir, 'logs', logName)
  const port = st.ports[key]
  if (!(await portFree(port))) die(`port ${port} is taken by another process: pass --${key}-port`)
  const fd = fs.openSync(logFile, 'a')
  const child = spawn(bin, [], { env, detached: true, stdio: ['ignore', fd, fd], cwd: ctx.stateDir })
  fs.closeSync(fd)
  child.unref()
  st.pids[key] = { pid: child.pid, match: bin }
  log(`${key}: started pid ${child.pid} on 127.0.0.1:${port}`)
  await waitFor(
    key,
    async () => {
      if (!isAlive(st.pids[key]))
        die(`${key} exited during startup\n--- tail of ${logFile} ---\n${tail(logFile)}`)
      return healthyFn(st)
    },
    ctx.timeoutMs,
    logFile,
  )
}

export async function ensureTwitch(ctx, st, { force = false } = {}) {
  const want = twitchEnvOf(st.appEnv || {})
  const changed = JSON.stringify(want) !== JSON.stringify(st.twitchEnv || {})
  if (!force && !changed && isRunning(st.pids.twitch) && (await twitchHealthy(st))) {
    log(`twitch stub: already up on 127.0.0.1:${st.ports.twitch}`)
    return
  }
  await stopPid(st.pids.twitch)
  st.twitchEnv = want
  await startProc(
    ctx,
    st,
    'twitch',
    bins(ctx).twitch,
    { ...baseEnv(), LISTEN_ADDR: `127.0.0.1:${st.ports.twitch}`, ...want },
    'twitch.log',
    twitchHealthy,
  )
}

export async function ensureApp(ctx, st, { force = false } = {}) {
  if (!force && isRunning(st.pids.app) && (await appHealthy(st))) {
    log(`app: already up on 127.0.0.1:${st.ports.app}`)
    return
  }
  if (ctx.opts.appOnly) await ensureTwitch(ctx, st)
  await stopPid(st.pids.app)
  delete st.pids.app
  log(`app: env ${JSON.stringify(st.appEnv || {})}`)
  await startProc(ctx, st, 'app', bins(ctx).clipper, appEnv(st), 'app.log', appHealthy)
}

/**
 * The second app instance (the base side of a paired run): same binary, database and Twitch
 * stub, its own port, its own Redis database (1) and its own env (`--env2`), so a regression
 * switch can be on for one side only.
 */
export function app2Env(st) {
  return {
    ...appEnv({ ...st, appEnv: {} }),
    REDIS_URL: `redis://127.0.0.1:${st.ports.redis}/1`,
    LISTEN_ADDR: `127.0.0.1:${st.ports.app2}`,
    ...st.app2Env,
  }
}

export async function ensureApp2(ctx, st, { force = false } = {}) {
  if (!force && isRunning(st.pids.app2) && (await app2Healthy(st))) {
    log(`app2: already up on 127.0.0.1:${st.ports.app2}`)
    return
  }
  await stopPid(st.pids.app2)
  delete st.pids.app2
  log(`app2: env ${JSON.stringify(st.app2Env || {})}`)
  await startProc(ctx, st, 'app2', bins(ctx).clipper, app2Env(st), 'app2.log', app2Healthy)
}
