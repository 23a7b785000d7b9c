// small helpers for scripts/stack.mjs
import fs from 'node:fs'
import net from 'node:net'
import { spawnSync } from 'node:child_process'

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function log(msg) {
  process.stderr.write(`stack: ${msg}\n`)
}

export function die(msg) {
  const err = new Error(msg)
  err.stackless = true
  process.stderr.write(`stack: error: ${msg}\n`)
  process.exit(1)
}

export function parseArgs(argv) {
  const o = { stateDir: '.perfgate-stack', timeout: 240 }
  const num = (flag, v) => {
    const n = Number(v)
    if (!Number.isInteger(n) || n <= 0 || n > 65535)
      die(`${flag}: want a port/number, got ${JSON.stringify(v)}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const [flag, inline] =
      a.includes('=') && a.startsWith('--') && !a.startsWith('--env=') ? a.split(/=(.*)/s) : [a, undefined]
    const next = () => (inline !== undefined ? inline : argv[++i])
    switch (flag) {
      case '--pg-port':
        o.pgPort = num(flag, next())
        break
      case '--redis-port':
        o.redisPort = num(flag, next())
        break
      case '--app-port':
        o.appPort = num(flag, next())
        break
      case '--app2-port':
        o.app2Port = num(flag, next())
        break
      case '--env2': {
        const kv = argv[++i]
        if (!kv || !kv.includes('=')) die(`--env2: want KEY=VALUE, got ${JSON.stringify(kv)}`)
        const [k, v] = kv.split(/=(.*)/s)
        o.env2 = { ...(o.env2 || {}), [k]: v }
        break
      }
      case '--twitch-port':
        o.twitchPort = num(flag, next())
        break
      case '--state-dir':
        o.stateDir = next()
        break
      case '--bin-dir':
        o.binDir = next()
        break
      case '--timeout':
        o.timeout = num(flag, next())
        break
      case '--app-only':
        o.appOnly = true
        break
      case '--free-ports':
        o.freePorts = true
        break
      case '--purge':
        o.purge = true
        break
      case '--env': {
        const kv = argv[++i]
        if (!kv || !kv.includes('=')) die(`--env: want KEY=VALUE, got ${JSON.stringify(kv)}`)
        const [k, v] = kv.split(/=(.*)/s)
        o.env = { ...(o.env || {}), [k]: v }
        break
      }
      default:
        if (a.startsWith('--env=')) {
          const [k, v] = a.slice(6).split(/=(.*)/s)
          o.env = { ...(o.env || {}), [k]: v ?? '' }
          break
        }
        die(`unknown option ${a}`)
    }
  }
  return o
}

export function tail(file, lines = 40) {
  try {
    const t = fs.readFileSync(file, 'utf8').trimEnd().split('\n')
    return t.slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

export async function waitFor(what, check, timeoutMs, logFile) {
  const deadline = Date.now() + timeoutMs
  let last
  while (Date.now() < deadline) {
    try {
      if (await check()) return
    } catch (err) {
      last = err
    }
    await sleep(250)
  }
  die(
    `${what} did not become healthy within ${Math.round(timeoutMs / 1000)} s` +
      (last ? ` (last error: ${last.message || last})` : '') +
      (logFile ? `\n--- tail of ${logFile} ---\n${tail(logFile)}\n---` : ''),
  )
}

export function tcpCommand(port, payload, expect, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port })
    let buf = ''
    const done = (v) => {
      sock.destroy()
      resolve(v)
    }
    sock.setTimeout(timeoutMs, () => done(false))
    sock.on('error', () => done(false))
    sock.on('connect', () => sock.write(payload))
    sock.on('data', (d) => {
      buf += d.toString()
      if (buf.includes(expect)) done(true)
    })
  })
}

export function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

// Ports for --free-ports come from below the kernel's ephemeral range: the load tests open
// thousands of outgoing loopback connections, and one of them could take a port from that range
// in the moment between our probe and the service's bind (or while the app restarts).
function ephemeralStart() {
  try {
    const start = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    )
    return Number.isInteger(start) && start > 21000 ? start : 32768
  } catch {
    return 32768
  }
}

/** A random port that is free on 127.0.0.1 now, outside the ephemeral range and not in `taken`. */
export async function pickFreePort(taken = new Set()) {
  const low = 20000
  const high = ephemeralStart()
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low))
    if (!taken.has(port) && (await portFree(port))) return port
  }
  die(`no free port found between ${low} and ${high} after 200 tries`)
}

export async function httpOK(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await res.arrayBuffer()
    return res.ok
  } catch {
    return false
  }
}

export function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

// apt-get install, as root or through sudo
export function aptInstall(pkgs) {
  const sudo = isRoot() ? [] : which('sudo') ? ['sudo', '-n'] : null
  if (!sudo) die(`${pkgs.join(' ')} missing and cannot install it (not root, no sudo)`)
  if (!which('apt-get')) die(`${pkgs.join(' ')} missing and apt-get is not available: install it by hand`)
  log(`installing ${pkgs.join(' ')} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const run = (args) =>
    spawnSync(sudo[0] || args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), {
      stdio: ['ignore', 2, 2],
      env,
    })
  run(['apt-get', 'update'])
  const r = run(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs])
  if (r.status !== 0) die(`apt-get install ${pkgs.join(' ')} failed`)
}
