import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { RunRecord } from '../../src/record/index.ts'
import { buildReportModel, renderHtml } from '../../src/report/index.ts'
import { frameLabel } from '../../src/report/svg.ts'
import { inputFor, loadProfiles, loadRecord } from './fixtures.ts'

const run = promisify(execFile)
const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.artifacts')
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
  existsSync(p),
)

const model = buildReportModel(
  inputFor(loadRecord('handwritten-run.json'), loadRecord('handwritten-baseline.json'), {
    profiles: loadProfiles(),
  }),
)

test('report.html is one self-contained page: inline CSS and SVG, no scripts, nothing fetched', () => {
  const html = renderHtml(model)
  assert.match(html, /^<!doctype html>/)
  assert.match(html, /<title>Performance Profiling Report - perfgate<\/title>/)
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i)
  assert.doesNotMatch(html, /\ssrc=/i)
  // Links only: every href is an http(s) link (the run, the artifacts, the target), nothing is loaded.
  for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1]!, /^https?:\/\//, m[1])
})

test('report.html has the p95 chart, latency over time per endpoint and the CPU flame graph as SVG', () => {
  const html = renderHtml(model)
  assert.match(html, /aria-label="p95 latency by endpoint \(ms\)"/)
  assert.match(html, /aria-label="p95 latency over time \(ms\)"/)
  assert.match(html, /aria-label="CPU flame graph"/)
  assert.match(html, /<title>main\.hashWork \(\d+ms, [\d.]+%\)<\/title>/)
  for (const s of model.sections) assert.ok(html.includes(`>${s.title.replace(/&/g, '&amp;')}</h2>`), s.title)
})

test('report.html without a CPU profile or load windows says so instead of drawing', () => {
  const record: RunRecord = {
    ...loadRecord('handwritten-run.json'),
    load: { unavailable: 'k6 did not start' },
  }
  const html = renderHtml(buildReportModel(inputFor(record)))
  assert.match(html, /No flame graph/)
  assert.match(html, /No latency over time/)
})

test('report.html renders in headless Chromium', async (t) => {
  if (!CHROMIUM) {
    t.skip('chromium is not installed (apt-get install -y chromium; .ci/run installs it)')
    return
  }
  mkdirSync(ARTIFACTS, { recursive: true })
  const file = path.join(ARTIFACTS, 'report.html')
  const shot = path.join(ARTIFACTS, 'report.png')
  writeFileSync(file, renderHtml(model))
  rmSync(shot, { force: true })
  const profile = mkdtempSync(path.join(tmpdir(), 'perfgate-chromium-'))
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ]
  try {
    await run(
      CHROMIUM,
      [...flags, `--screenshot=${shot}`, '--window-size=1280,2000', pathToFileURL(file).href],
      {
        timeout: 90_000,
      },
    )
    assert.ok(existsSync(shot), 'no screenshot written')
    assert.ok(statSync(shot).size > 50_000, `screenshot is only ${statSync(shot).size} bytes`)
    const { stdout } = await run(CHROMIUM, [...flags, '--dump-dom', pathToFileURL(file).href], {
      timeout: 90_000,
      maxBuffer: 64 * 1024 * 1024,
    })
    assert.match(stdout, /<title>Performance Profiling Report - perfgate<\/title>/)
    assert.match(stdout, /<svg [^>]*class="chart"/)
    assert.match(stdout, /class="verdict fail"/)
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
})

test('flame-graph labels fall back to the method name, cut with an ellipsis, and narrow frames get none', () => {
  assert.equal(frameLabel('app.(*Server).relatedClips', 40), 'app.(*Server).relatedClips')
  assert.equal(frameLabel('app.(*Server).relatedClips', 14), 'relatedClips')
  assert.equal(frameLabel('app.(*Server).relatedClips', 8), 'related…')
  assert.equal(frameLabel('app.(*Server).relatedClips', 5), '')
  const html = renderHtml(model)
  for (const m of html.matchAll(/class="frame">([^<]*)</g))
    assert.ok(!m[1]!.endsWith('…') || m[1]!.length >= 6, m[1])
})

test('report.html shows statuses as text badges, not emoji a system may not have a font for', () => {
  const html = renderHtml(model)
  assert.doesNotMatch(html, /[✅❌⚠🆕⚪🔺🟢❔]/u)
  assert.match(html, /<span class="badge bad">fail<\/span>/)
  assert.match(html, /<span class="badge ok">pass<\/span>/)
  assert.doesNotMatch(html, /<\/span> pass\b/, 'the word after the badge is not repeated')
})
