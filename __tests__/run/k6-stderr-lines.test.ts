// k6's log lines reach onStderrLine as they come; the lines it takes (the generated script's
// response-sample markers) stay out of the stderr tail that error messages quote.
import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { runK6Process } from '../../src/run/k6-process.ts'

test('marker lines go to onStderrLine and not into the stderr tail, the last one without a newline too', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-k6-stderr-'))
  try {
    // A stand-in for k6 that logs like it: two markers around an error, the last line unterminated.
    const fake = path.join(dir, 'k6')
    await writeFile(
      fake,
      [
        '#!/bin/sh',
        `printf '%s\\n' 'level=info msg="MARK:1" source=console' >&2`,
        `printf '%s\\n' 'level=error msg="boom"' >&2`,
        `printf '%s' 'level=info msg="MARK:2" source=console' >&2`,
        'exit 3',
        '',
      ].join('\n'),
    )
    await chmod(fake, 0o755)
    const seen: string[] = []
    const outcome = await runK6Process({
      k6Path: fake,
      args: ['run'],
      env: { PATH: process.env.PATH },
      totalS: 1,
      onStderrLine: (line) => {
        seen.push(line)
        return line.includes('MARK:')
      },
    })
    assert.equal(outcome.exitCode, 3)
    assert.deepEqual(outcome.stderrTail, ['level=error msg="boom"'])
    assert.deepEqual(
      seen.filter((l) => l.includes('MARK:')),
      ['level=info msg="MARK:1" source=console', 'level=info msg="MARK:2" source=console'],
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
