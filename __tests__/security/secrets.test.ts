// Secrets: nothing perfgate is given or reads as a secret reaches its output, compressed files
// included, nor its log and errors; PostgreSQL utility statements lose their string literals.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import pg from 'pg'
import { ensureStack } from '../helpers/stack.ts'
import { REPO, runCli, startTarget } from './run-support.ts'
import { spawn } from 'node:child_process'
import { k6ForTests } from '../run/support/k6.ts'
import { dirname } from 'node:path'

/** Every file of `dir` as text, .gz files decompressed (as far as they go). */
async function folderText(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    const bytes = await readFile(file)
    out.set(
      file,
      entry.name.endsWith('.gz')
        ? gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString('utf8')
        : bytes.toString('utf8'),
    )
  }
  return out
}

async function assertNowhere(dir: string, secret: string): Promise<void> {
  const files = await folderText(dir)
  assert.ok(files.size > 0)
  const leaking = [...files].filter(([, text]) => text.includes(secret)).map(([file]) => file)
  assert.deepEqual(leaking, [], `${secret} found in the output folder`)
}

const QUERY_SCRIPT = `
import http from 'k6/http'
export const options = { vus: 2, iterations: 60 }
export default function () {
  const base = __ENV.PERFGATE_TARGET_URL
  http.get(base)
  http.get(base.split('?')[0] + 'api/v1/clips?token=' + __ENV.PERFGATE_TOKEN)
}
`

test('tokens in request URLs (target-url query, PERFGATE_TOKEN) are scrubbed from k6.ndjson.gz and every other file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-secrets-'))
  const target = await startTarget()
  try {
    const script = join(dir, 'query.js')
    await writeFile(script, QUERY_SCRIPT)
    const out = join(dir, 'out')
    const run = await runCli(
      [
        'run',
        '--target-url',
        `${target.url}/?access_token=query-tok-5e1d9a`,
        '--script',
        script,
        '--fail-on',
        'never',
        '--output-dir',
        out,
      ],
      { PERFGATE_TOKEN: 'bearer-tok-77c0f2' },
    )
    assert.equal(run.code, 0, run.stdout + run.stderr)
    // The requests really carried them: the test would find them in the file otherwise.
    assert.ok(target.seen.some((line) => line.includes('token=bearer-tok-77c0f2')))
    assert.ok(target.seen.some((line) => line.includes('access_token=query-tok-5e1d9a')))
    const ndjson = (await folderText(out)).get(join(out, 'k6.ndjson.gz')) ?? ''
    assert.ok(ndjson.split('\n').length > 100, 'k6.ndjson.gz still holds the points')
    assert.match(ndjson, /token=\*\*\*/)
    for (const secret of ['bearer-tok-77c0f2', 'query-tok-5e1d9a']) {
      await assertNowhere(out, secret)
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret))
    }
  } finally {
    await target.close()
    await rm(dir, { recursive: true, force: true })
  }
})

const SETUP_THROWS = `
export const options = { vus: 1, iterations: 1 }
export function setup() { throw new Error('login refused for token ' + __ENV.PERFGATE_TOKEN) }
export default function () {}
`

test('a token printed by a throwing setup() is in no log line, error or file, and the action masks it first', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-secrets-'))
  const target = await startTarget()
  const token = 'setup-tok-3b8e41'
  try {
    const script = join(dir, 'setup.js')
    await writeFile(script, SETUP_THROWS)
    const out = join(dir, 'out')
    const cli = await runCli(['run', '--target-url', target.url, '--script', script, '--output-dir', out], {
      PERFGATE_TOKEN: token,
    })
    assert.equal(cli.code, 1, cli.stdout + cli.stderr)
    assert.match(
      cli.stderr,
      /^perfgate: the script's setup\(\) failed, so the load did not run \(k6 exited with code \d+\): .*login refused for token \*\*\*/m,
    )
    assert.ok(!cli.stdout.includes(token) && !cli.stderr.includes(token), cli.stderr)
    await assertNowhere(out, token)

    // The action: the token is masked (::add-mask::) before anything else prints it, and ::error:: is scrubbed.
    const actionOut = join(dir, 'action-out')
    const action = await runAction({
      'INPUT_TARGET-URL': target.url,
      INPUT_SCRIPT: script,
      'INPUT_OUTPUT-DIR': actionOut,
      INPUT_BASELINE: 'none',
      PERFGATE_TOKEN: token,
    })
    const lines = action.split('\n')
    const first = lines.findIndex((line) => line.includes(token))
    assert.equal(lines[first], `::add-mask::${token}`, action)
    const others = lines.filter((line) => !line.startsWith('::add-mask::') && line.includes(token))
    assert.deepEqual(others, [])
    assert.match(
      action,
      /^perfgate: the script's setup\(\) failed, so the load did not run \(k6 exited with code \d+\): .*\*\*\*/m,
    )
    await assertNowhere(actionOut, token)
  } finally {
    await target.close()
    await rm(dir, { recursive: true, force: true })
  }
})

/** Runs the action's entry from the sources as the runner would (INPUT_* env); its stdout. */
function runAction(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'index.ts')], {
      cwd: REPO,
      env: {
        PATH: `${dirname(k6ForTests())}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME,
        NODE_OPTIONS: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (t: string) => (text += t))
    child.stderr.setEncoding('utf8').on('data', (t: string) => (text += t))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.once('close', () => {
      clearTimeout(timer)
      resolve(text)
    })
  })
}

test('a URL with credentials in a bad input is not echoed with them', async () => {
  const run = await runCli(['run', '--target-url', 'ftp://deploy:cred-pw-4a7c19@127.0.0.1/'])
  assert.equal(run.code, 1)
  assert.match(run.stderr, /^perfgate: target-url/)
  assert.ok(!run.stderr.includes('cred-pw-4a7c19'), run.stderr)
})

test('an ALTER ROLE … PASSWORD statement in pg_stat_statements reaches no file of the output folder', async () => {
  const stack = await ensureStack()
  const admin = new pg.Client({ connectionString: stack.DATABASE_URL })
  await admin.connect()
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-secrets-'))
  const target = await startTarget()
  const password = 'planted-pw-9d2e6b'
  try {
    await admin.query(
      `DO $$ BEGIN CREATE ROLE perfgate_planted; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    )
    await admin.query(`ALTER ROLE perfgate_planted PASSWORD '${password}'`)
    await admin.query(`COPY (SELECT 1) TO PROGRAM 'cat > /dev/null # planted-program-5f1a'`)
    const script = join(dir, 'short.js')
    await writeFile(
      script,
      `import http from 'k6/http'\nexport const options = { vus: 1, iterations: 20 }\nexport default function () { http.get(__ENV.PERFGATE_TARGET_URL) }\n`,
    )
    const out = join(dir, 'out')
    const run = await runCli([
      'run',
      '--target-url',
      target.url,
      '--script',
      script,
      '--database-url',
      stack.DATABASE_URL_RO!,
      '--fail-on',
      'never',
      '--output-dir',
      out,
    ])
    assert.equal(run.code, 0, run.stdout + run.stderr)
    const statements = await readFile(join(out, 'pg_stat_statements.json'), 'utf8')
    assert.match(statements, /ALTER ROLE perfgate_planted PASSWORD '\*\*\*'/)
    assert.match(statements, /TO PROGRAM '\*\*\*'/)
    await assertNowhere(out, password)
    await assertNowhere(out, 'planted-program-5f1a')
  } finally {
    await admin.query('DROP ROLE IF EXISTS perfgate_planted').catch(() => {})
    await admin.end()
    await target.close()
    await rm(dir, { recursive: true, force: true })
  }
})
