// Golden files: compare rendered text with __tests__/report/golden/<name> (a name may have folders,
// e.g. sections/<case>/<section>.md); UPDATE_GOLDEN=1 rewrites them.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden')

export function assertGolden(name: string, actual: string): void {
  const file = path.join(dir, name)
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, actual)
    if (process.env.UPDATE_GOLDEN !== '1')
      assert.fail(`${name} did not exist and was written: review it and re-run`)
    return
  }
  assert.equal(
    actual,
    readFileSync(file, 'utf8'),
    `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`,
  )
}
