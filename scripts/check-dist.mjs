#!/usr/bin/env node
// Fails when dist/ does not match src/: rebuilds in place and compares with the committed files,
// then puts the committed files back. Users run dist/index.js, so a stale bundle is a broken release.
// (Building in place keeps the source map's relative paths identical to a normal build.)
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const dist = path.join(root, 'dist')
const saved = mkdtempSync(path.join(tmpdir(), 'perfgate-dist-'))
const committed = existsSync(dist) ? readdirSync(dist).sort() : []
if (committed.length) cpSync(dist, saved, { recursive: true })
let problems = []
try {
  rmSync(dist, { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/rollup/dist/bin/rollup'), '--config', 'rollup.config.js', '--silent'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  const built = readdirSync(dist).sort()
  for (const file of new Set([...built, ...committed])) {
    if (!built.includes(file)) problems.push(`dist/${file} is committed but not built from src/`)
    else if (!committed.includes(file)) problems.push(`dist/${file} is missing`)
    else if (!readFileSync(path.join(dist, file)).equals(readFileSync(path.join(saved, file))))
      problems.push(`dist/${file} differs from a fresh build`)
  }
} finally {
  rmSync(dist, { recursive: true, force: true })
  if (committed.length) cpSync(saved, dist, { recursive: true })
  rmSync(saved, { recursive: true, force: true })
}
if (problems.length) {
  console.error(
    `dist/ does not match src/ (run \`npm run build\` and commit dist/):\n  ${problems.join('\n  ')}`,
  )
  process.exit(1)
}
console.log(`dist/ matches src/ (${committed.length} files)`)
