// Redis from Debian's redis-server, loopback only, bounded memory, no persistence.
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { log, die, tail, waitFor, which, aptInstall, tcpCommand, portFree } from './util.mjs'
import { isAlive, isRunning } from './state.mjs'

export function healthy(st) {
  return tcpCommand(st.ports.redis, 'PING\r\n', '+PONG')
}

export async function ensure(ctx, st) {
  if (isRunning(st.pids.redis) && (await healthy(st))) {
    log(`redis: already up on 127.0.0.1:${st.ports.redis}`)
    return
  }
  let bin = which('redis-server') || (fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : null)
  if (!bin) {
    aptInstall(['redis-server'])
    bin = which('redis-server') || '/usr/bin/redis-server'
  }
  if (!(await portFree(st.ports.redis)))
    die(`port ${st.ports.redis} is taken by another process: pass --redis-port`)
  const dir = path.join(ctx.stateDir, 'redis')
  fs.mkdirSync(dir, { recursive: true })
  const logFile = path.join(ctx.stateDir, 'logs', 'redis.log')
  const args = [
    '--port',
    String(st.ports.redis),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--maxmemory',
    '64mb',
    '--maxmemory-policy',
    'allkeys-lru',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--logfile',
    '',
  ]
  const fd = fs.openSync(logFile, 'a')
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], cwd: dir })
  fs.closeSync(fd)
  child.unref()
  st.pids.redis = { pid: child.pid, match: String(st.ports.redis) }
  log(`redis: started pid ${child.pid} on 127.0.0.1:${st.ports.redis}`)
  await waitFor(
    'redis',
    async () => {
      if (!isAlive(st.pids.redis))
        die(`redis exited during startup\n--- tail of ${logFile} ---\n${tail(logFile)}`)
      return healthy(st)
    },
    ctx.timeoutMs,
    logFile,
  )
}
