// The real k6 for tests: $PERFGATE_K6, else k6 on PATH, else scripts/install-k6.sh (go install
// of the pinned version; a no-op once built).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

let cached: string | undefined

export function k6ForTests(): string {
  if (cached) return cached
  const fromEnv = process.env.PERFGATE_K6
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'k6'))
    .find((p) => existsSync(p))
  cached =
    fromEnv ??
    onPath ??
    execFileSync('scripts/install-k6.sh', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .at(-1)!
  return cached
}
