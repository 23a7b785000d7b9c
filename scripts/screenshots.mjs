#!/usr/bin/env node
// Screenshots of a real report.html at desktop width, as a reviewer opens it: the top (verdict,
// summary, endpoint table), the charts (p95 per endpoint, latency over time), the CPU flame graph
// and the profile diff against the baseline ("what changed"). The report is
// rebuilt from the recorded testbed run against its recorded baseline (`perfgate report`, from the
// TypeScript sources), then headless Chromium takes one PNG per view into docs/screenshots/.
//
//   node scripts/screenshots.mjs [--run DIR] [--baseline DIR] [--out DIR] [--width 1366]
//
// A view is the same page with a style that shows only that part (the page's own security policy
// allows inline styles, not scripts), so nothing is scrolled or clicked; the "what changed" table
// has no element of its own to select, so its copy drops the policy and keeps it with a script. Needs `chromium` (Debian's
// package) on the PATH or CHROMIUM=/path/to/chromium.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const { values: args } = parseArgs({
  options: {
    run: { type: 'string', default: '__tests__/fixtures/records/testbed-run' },
    baseline: { type: 'string', default: '__tests__/fixtures/records/testbed-baseline' },
    out: { type: 'string', default: 'docs/screenshots' },
    width: { type: 'string', default: '1366' },
  },
})
const width = Number(args.width)
if (!Number.isInteger(width) || width < 320 || width > 3840) {
  console.error(`screenshots: --width ${args.width} is not a width in pixels from 320 to 3840`)
  process.exit(2)
}

const chromium = process.env.CHROMIUM ?? 'chromium'
if (spawnSync(chromium, ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error(`screenshots: ${chromium} not found: install Debian's chromium package or set CHROMIUM`)
  process.exit(2)
}

/** Each view: its file, the window height, and the style that leaves only that part visible. */
const VIEWS = [
  { name: 'report-top', height: 1100, css: '' },
  {
    name: 'report-charts',
    height: 1180,
    css: 'main > :not(.charts) { display: none !important } .charts > figure:last-of-type { display: none }',
  },
  {
    name: 'report-flame-graph',
    height: 760,
    css: 'main > :not(.charts) { display: none !important } .charts > :not(figure:last-of-type) { display: none }',
  },
  // The profile diff's table: a heading without an id, so the copy runs a script (its own policy dropped).
  { name: 'report-what-changed', height: 700, css: '', keep: 'What Changed Since the Baseline' },
]

/** A script that leaves in <main> only the heading titled `title` and what follows it up to the next heading. */
function keepSectionScript(title) {
  return `<script>
    const h = [...document.querySelectorAll('h3')].find((e) => e.textContent === ${JSON.stringify(title)})
    const keep = [h]
    for (let n = h.nextElementSibling; n && !/^H[1-3]$/.test(n.tagName); n = n.nextElementSibling) keep.push(n)
    document.querySelector('main').replaceChildren(...keep)
  </script>`
}

/** The page of one view: the report with the view's style, or with the script that keeps its section. */
function viewPage(html, view) {
  if (view.keep)
    return html
      .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
      .replace('</body>', `${keepSectionScript(view.keep)}</body>`)
  return view.css ? html.replace('</head>', `<style>${view.css}</style></head>`) : html
}

const work = mkdtempSync(path.join(os.tmpdir(), 'perfgate-shots-'))
try {
  const rebuilt = path.join(work, 'report')
  // Exit 1 is the gate's verdict on the recorded run (it fails its SLOs), not an error here.
  const report = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'report',
      path.join(args.run, 'result.json'),
      '--baseline',
      path.join(args.baseline, 'result.json'),
      '--out',
      rebuilt,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  if (report.status !== 0 && report.status !== 1) {
    console.error(`screenshots: perfgate report exited with ${report.status ?? report.signal}`)
    process.exit(1)
  }
  const html = readFileSync(path.join(rebuilt, 'report.html'), 'utf8')
  const out = path.resolve(root, args.out)
  mkdirSync(out, { recursive: true })
  for (const view of VIEWS) {
    const page = path.join(work, `${view.name}.html`)
    writeFileSync(page, viewPage(html, view))
    const png = path.join(out, `${view.name}.png`)
    execFileSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        // The whole viewport painted before the shot (a long page was cut at the bottom otherwise).
        '--run-all-compositor-stages-before-draw',
        '--force-device-scale-factor=1',
        `--window-size=${width},${view.height}`,
        `--screenshot=${png}`,
        `file://${page}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
    )
    console.log(
      `${path.relative(root, png)}: ${width}×${view.height}, ${Math.round(statSync(png).size / 1024)} KiB`,
    )
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
