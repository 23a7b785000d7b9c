// stack state (ports, PIDs of what `up` started) in <state-dir>/stack.json
import fs from 'node:fs'
import path from 'node:path'
import { sleep } from './util.mjs'

export function loadState(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'stack.json'), 'utf8'))
  } catch {
    return null
  }
}

export function saveState(dir, st) {
  st.stateDir = dir
  const f = path.join(dir, 'stack.json')
  fs.writeFileSync(f + '.tmp', JSON.stringify(st, null, 2))
  fs.renameSync(f + '.tmp', f)
}

// A pid record is {pid, match}: the process counts as ours only while its
// command line still contains `match` (guards against PID reuse).
/**
 * Whether a process we just spawned is alive. Right after spawn() the child may not have exec'd
 * its binary yet (its cmdline is still node's), so startup checks must not match the command line.
 */
export function isAlive(rec) {
  if (!rec?.pid) return false
  try {
    process.kill(rec.pid, 0)
  } catch {
    return false
  }
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${rec.pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

export function isRunning(rec) {
  if (!rec?.pid) return false
  try {
    process.kill(rec.pid, 0)
  } catch {
    return false
  }
  try {
    const cmd = fs.readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
    if (rec.match && !cmd.includes(rec.match)) return false
    const stat = fs.readFileSync(`/proc/${rec.pid}/stat`, 'utf8')
    if (/\) Z /.test(stat)) return false
  } catch {
    // no /proc (macOS): trust kill(0)
  }
  return true
}

export async function stopPid(rec, graceMs = 8000) {
  if (!isRunning(rec)) return false
  try {
    process.kill(rec.pid, 'SIGTERM')
  } catch {
    return false
  }
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!isRunning(rec)) return true
    await sleep(100)
  }
  try {
    process.kill(rec.pid, 'SIGKILL')
  } catch {
    /* gone */
  }
  await sleep(200)
  return true
}

// One stack command at a time per state dir (concurrent `up`s would race on stack.json).
export async function withLock(dir, timeoutMs, fn) {
  fs.mkdirSync(dir, { recursive: true })
  const lock = path.join(dir, 'stack.lock')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' })
      break
    } catch {
      const holder = Number(fs.readFileSync(lock, 'utf8') || 0)
      if (!holder || !isRunning({ pid: holder })) {
        fs.rmSync(lock, { force: true }) // stale
        continue
      }
      if (Date.now() > deadline) throw new Error(`another stack command (pid ${holder}) holds ${lock}`)
      await sleep(250)
    }
  }
  const release = () => {
    try {
      if (fs.readFileSync(lock, 'utf8') === String(process.pid)) fs.rmSync(lock, { force: true })
    } catch {
      /* gone */
    }
  }
  process.on('exit', release)
  try {
    return await fn()
  } finally {
    release()
  }
}
