// .ci/run's package step as root, as a non-root user with sudo (GitHub's hosted runners) and
// without it. `id`, `sudo` and `apt-get` are stand-ins on a PATH that holds nothing else, so the
// test sees which commands ran, as whom, and never installs anything.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const script = path.resolve('.ci/run')
const BASH = '/bin/bash'

interface Machine {
  uid: number
  sudo: boolean
  /** Commands already installed (found by `command -v`). */
  installed?: string[]
}

function runPackageStep(t: { after: (fn: () => void) => void }, machine: Machine) {
  const bin = mkdtempSync(path.join(tmpdir(), 'perfgate-ci-run-'))
  t.after(() => rmSync(bin, { recursive: true, force: true }))
  const log = path.join(bin, 'calls.log')
  writeFileSync(log, '')
  for (const tool of ['dirname', 'date', 'env', 'true']) {
    const real = ['/usr/bin', '/bin'].map((dir) => path.join(dir, tool)).find((p) => existsSync(p))
    assert.ok(real, `${tool} exists on this machine`)
    symlinkSync(real, path.join(bin, tool))
  }
  const stub = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!${BASH}\n${body}\n`)
    chmodSync(path.join(bin, name), 0o755)
  }
  stub('id', '[ "$1" = -u ] && echo "$FAKE_UID"')
  stub('apt-get', 'echo "apt-get $* uid=$(id -u) frontend=${DEBIAN_FRONTEND:-}" >> "$CALLS"')
  if (machine.sudo)
    stub('sudo', 'echo "sudo $*" >> "$CALLS"; [ "$1" = -n ] && shift; export FAKE_UID=0; exec "$@"')
  for (const name of machine.installed ?? []) stub(name, 'exit 0')
  const result = spawnSync(BASH, [script, 'packages'], {
    env: { PATH: bin, FAKE_UID: String(machine.uid), CALLS: log, HOME: bin },
    encoding: 'utf8',
    timeout: 20_000,
  })
  return { ...result, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) }
}

test('as root the package step runs apt-get itself, without sudo', (t) => {
  const r = runPackageStep(t, { uid: 0, sudo: false })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.calls, [
    'apt-get update -qq uid=0 frontend=',
    'apt-get install -y -qq redis-server chromium uid=0 frontend=noninteractive',
  ])
})

test('as a non-root user with sudo the package step runs apt-get through sudo, non-interactively', (t) => {
  const r = runPackageStep(t, { uid: 1001, sudo: true })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.calls, [
    'sudo -n true',
    'sudo -n apt-get update -qq',
    'apt-get update -qq uid=0 frontend=',
    'sudo -n true',
    'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server chromium',
    'apt-get install -y -qq redis-server chromium uid=0 frontend=noninteractive',
  ])
})

test('as a non-root user without sudo the package step fails with one line saying what it needs', (t) => {
  const r = runPackageStep(t, { uid: 1001, sudo: false })
  assert.equal(r.status, 1)
  assert.deepEqual(r.calls, [])
  assert.match(
    r.stderr,
    /installing redis-server chromium needs root: run as root or as a user with passwordless sudo/,
  )
})

test('the package step installs nothing when Redis and a Chrome (as on GitHub runners) are there', (t) => {
  const r = runPackageStep(t, { uid: 1001, sudo: false, installed: ['redis-server', 'google-chrome'] })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.calls, [])
})
