// 3. Profiling Analysis: CPU, memory, goroutine and block/mutex profiles from the analysis's tops.
import { isUnavailable } from '../../record/common.ts'
import type { ApplicationCostRow, ProfileTop, ProfileTopRow } from '../../record/analysis.ts'
import { codeBlock, codeSpan, list, note, notCollected, para, plain, section, strong } from '../blocks.ts'
import { profileMissing, topOf, type ReportContext } from '../context.ts'
import { findingItem, findingsOf, impactText } from '../findings.ts'
import { dataOf, sentence } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { Block, ListItem, Section } from '../model.ts'
import { goroutineMoments, goroutineMomentsText } from '../goroutines.ts'
import { formatProfileValue } from '../profiles.ts'
import { pairedProfilesLine } from '../paired.ts'
import {
  CPU_HOTSPOT_MIN_LATENCY_SHARE,
  CPU_HOTSPOT_MIN_MS_PER_REQUEST,
  CPU_HOTSPOT_MIN_SHARE,
} from '../../analyze/findings/rules.ts'
import {
  pointsText,
  thresholdText,
  unmovedKinds,
  whatChangedMissing,
  whatChangedOf,
} from '../what-changed.ts'

const CPU_HOTSPOT_RULE = `≥ ${CPU_HOTSPOT_MIN_SHARE * 100} % of CPU, ≥ ${CPU_HOTSPOT_MIN_MS_PER_REQUEST} ms of CPU per request and ≥ ${CPU_HOTSPOT_MIN_LATENCY_SHARE * 100} % of its endpoints' latency`

function costRow(c: ApplicationCostRow, what: string): ListItem {
  const via = c.dominantCall ? [plain(', mostly in '), codeSpan(c.dominantCall)] : []
  return {
    text: [codeSpan(c.name), plain(` - ${c.valueText} (${(c.share * 100).toFixed(1)}% ${what})`), ...via],
  }
}

function profileRow(r: ProfileTopRow, what: string): ListItem {
  return {
    text: [codeSpan(r.name), plain(` - ${r.flatPct.toFixed(1)}% ${what} flat, ${r.cumPct.toFixed(1)}% cum`)],
  }
}

function cpuProfile(ctx: ReportContext): Section {
  const top = topOf(ctx, ['cpu'])
  if (!top) return section('cpu', 'CPU Profile', [notCollected(profileMissing(ctx, ['cpu']))])
  const over5 = top.rows.filter((r) => r.flatPct > 5)
  const hot = findingsOf(ctx, 'cpu-hotspot')
  const keyItems: ListItem[] =
    hot.length > 0
      ? hot.map((f) => ({
          ...findingItem(f),
          text: [strong(f.title), plain(` - ${impactText(f)}: ${f.detail}`)],
        }))
      : []
  // The application's own functions, as the analysis ranks them: own CPU time, then cum (a handler
  // whose cost is all in the library calls it makes has no own time).
  const app = top.application.slice(0, 5)
  const byCost = (top.applicationCost ?? []).slice(0, 5)
  return section('cpu', 'CPU Profile', [
    para([
      strong('Top CPU Consumers'),
      plain(` (>5% CPU time: ${over5.length} function${over5.length === 1 ? '' : 's'}):`),
    ]),
    codeBlock(top.text),
    para([strong('Key Findings'), plain(':')]),
    keyItems.length > 0
      ? list(keyItems)
      : note(
          top.total > 0
            ? `No CPU hotspot: no application function met ${CPU_HOTSPOT_RULE} (docs/findings.md); the table above is the profile, not a finding.`
            : 'The CPU profile has no samples.',
        ),
    para([strong('Hot Paths'), plain(' (application functions by own CPU time):')]),
    app.length > 0
      ? list(app.map((r) => profileRow(r, 'CPU')))
      : note('No application function in the CPU profile (only runtime, standard library and libraries).'),
    ...(byCost.length > 0
      ? [
          para([
            strong('By own cost plus library calls'),
            plain(
              ' (each CPU sample charged to its innermost application function, so a handler whose time is in a library call it makes ranks by that call):',
            ),
          ]),
          list(byCost.map((c) => costRow(c, 'CPU'))),
        ]
      : []),
  ])
}

/** What the allocs profile counts: a delta over its window, or (a target without deltas) since start. */
function allocsWindow(ctx: ReportContext): string {
  const profiles = dataOf(ctx.record.profiles)
  const allocs = profiles?.files.find((f) => f.kind === 'allocs')
  return allocs?.delta && allocs.window
    ? `in ${allocs.window.durationS} s of the load (from ${allocs.window.startS} s)`
    : 'since start'
}

function memoryProfile(ctx: ReportContext): Section {
  const heap = topOf(ctx, ['heap'])
  const allocs = topOf(ctx, ['allocs'])
  if (!heap && !allocs)
    return section('memory', 'Memory Profile', [notCollected(profileMissing(ctx, ['heap', 'allocs']))])
  const shown = (heap ?? allocs)!
  const allocRows = allocs
    ? (allocs.application.length > 0 ? allocs.application : allocs.rows).slice(0, 3)
    : []
  const allocByCost = (allocs?.applicationCost ?? []).slice(0, 3)
  const total = (t: ProfileTop | undefined) => (t ? formatProfileValue(t.total, t.sampleUnit) : 'n/a')
  return section('memory', 'Memory Profile', [
    para([strong('Top Memory Allocators'), plain(` (${shown.sampleType}):`)]),
    codeBlock(shown.text),
    para([strong('Key Findings'), plain(':')]),
    list([
      {
        text: `Total heap allocation: ${total(allocs)} allocated ${allocsWindow(ctx)}, ${total(heap)} in use`,
      },
      {
        text: `Major allocators (${allocs?.sampleType ?? 'allocated space'}):`,
        children: allocRows.length
          ? allocRows.map((r) => ({
              text: [codeSpan(r.name), plain(`: ${r.flatText} (${r.flatPct.toFixed(1)}%)`)],
            }))
          : [
              {
                text: allocs
                  ? 'none in the profile'
                  : `no allocs profile: ${profileMissing(ctx, ['allocs'])}`,
              },
            ],
      },
      ...(allocByCost.length > 0
        ? [
            {
              text: 'By own allocations plus library calls (each sample charged to its innermost application function):',
              children: allocByCost.map((c) => costRow(c, 'allocated')),
            },
          ]
        : []),
      ...findingsOf(ctx, 'allocation-hotspot').map((f) => findingItem(f)),
    ]),
  ])
}

function goroutineProfile(ctx: ReportContext): Section {
  const g = dataOf(ctx.analysis?.goroutines)
  const top = topOf(ctx, ['goroutine_after'])
  if (!g && !top)
    return section('goroutines', 'Goroutine Profile', [
      notCollected(
        ctx.analysis?.goroutines && isUnavailable(ctx.analysis.goroutines)
          ? sentence(ctx.analysis.goroutines.unavailable)
          : profileMissing(ctx, ['goroutine_after', 'goroutine_during', 'goroutine_before']),
      ),
    ])
  const leaks = findingsOf(ctx, 'goroutine-leak')
  // k6 failed before any request (setup() threw): no load, no cool-down, nothing to call a leak.
  const noLoad = isUnavailable(ctx.record.load)
  const stacks = g?.topStacks ?? []
  // Where goroutines wait: the analysis's stacks, else the top table's non-runtime functions.
  const waiting = (
    stacks.length > 0
      ? stacks.map((s) => ({ name: s.waitingIn, count: `${s.count} goroutine${s.count === 1 ? '' : 's'}` }))
      : (top?.rows ?? [])
          .filter((r) => !r.name.startsWith('runtime.') && r.cum > 0)
          .sort((a, b) => b.cum - a.cum)
          .map((r) => ({ name: r.name, count: r.cumText }))
  ).slice(0, 3)
  const moments = goroutineMoments(ctx)
  const blocks: Block[] = [
    para([
      strong('Goroutine Count'),
      plain(
        moments
          ? `: ${goroutineMomentsText(moments)}`
          : `: ${top!.total} in the goroutine profile's top table`,
      ),
    ]),
    top ? codeBlock(top.text) : note(`No goroutine top table: ${profileMissing(ctx, ['goroutine_after'])}.`),
    para([strong('Analysis'), plain(':')]),
    list([
      {
        text:
          g?.threshold !== undefined
            ? noLoad
              ? `Leak threshold: growth above ${g.threshold} goroutines (not applied: the load did not run)`
              : `Leak threshold: growth above ${g.threshold} goroutines from before the load to after the cool-down counts as a leak`
            : 'Leak threshold: not set (no goroutine analysis)',
      },
      {
        text: noLoad
          ? 'Potential leaks: not judged (the load did not run)'
          : leaks.length > 0
            ? `Potential leaks: YES - ${leaks.map((f) => `${f.title} (${f.detail})`).join('; ')}`
            : g
              ? `Potential leaks: ${g.leakSuspected ? 'YES' : 'NO'} - ${sentence(g.reason)}`
              : 'Potential leaks: not judged (no goroutine analysis)',
      },
      {
        text: [
          plain('Blocking operations: '),
          ...(waiting.length
            ? waiting.flatMap((w, i) => [
                ...(i ? [plain(', ')] : []),
                codeSpan(w.name),
                plain(` (${w.count})`),
              ])
            : [plain('none outside the runtime')]),
        ],
      },
    ]),
  ]
  if (stacks.length > 0)
    blocks.push({
      kind: 'table',
      header: ['Goroutines', 'Waiting in', 'Started as', 'Endpoint', 'Started at'],
      rows: stacks.map((s) => [
        String(s.count),
        [codeSpan(s.waitingIn)],
        [codeSpan(s.entry)],
        s.endpoint ? [codeSpan(s.endpoint), plain(s.endpointBasis ? ` (${s.endpointBasis})` : '')] : 'n/a',
        s.location ? [codeSpan(s.location)] : 'not found',
      ]),
      align: ['r', 'l', 'l', 'l', 'l'],
    })
  return section('goroutines', 'Goroutine Profile', blocks)
}

function contentionProfile(ctx: ReportContext): Section {
  const tops = (['block', 'mutex'] as const).map((k) => topOf(ctx, [k])).filter((t) => t !== undefined)
  const data = dataOf(ctx.analysis?.contention) ?? []
  if (tops.length === 0 && data.length === 0)
    return section('block', 'Block Profile', [notCollected(profileMissing(ctx, ['block', 'mutex']))])
  const findings = findingsOf(ctx, 'contention')
  const blocks: Block[] = [
    para([strong('Lock Contention'), plain(':')]),
    ...tops.map((t) => codeBlock(t.text)),
  ]
  for (const c of data) {
    if (c.sites.length === 0) continue
    blocks.push(
      para(
        `${c.kind} profile: ${c.totalDelayText} waited over ${fmt.count(c.totalContentions)} contentions; the sites:`,
      ),
      {
        kind: 'table',
        header: ['Function', 'Blocked in', 'Delay', 'Contentions', 'Share', 'Location'],
        rows: c.sites
          .slice(0, 5)
          .map((s) => [
            [codeSpan(s.function)],
            [codeSpan(s.blockedIn)],
            s.delayText,
            fmt.count(s.contentions),
            fmt.pct(s.share),
            s.location ? [codeSpan(s.location)] : 'not found',
          ]),
        align: ['l', 'l', 'r', 'r', 'r', 'l'],
      },
    )
  }
  blocks.push(
    para([strong('Key Findings'), plain(':')]),
    findings.length > 0
      ? list(findings.map((f) => findingItem(f)))
      : note('No application lock stood out (lock waits under 1 ms or 5% of the lock delay).'),
  )
  return section('block', 'Block Profile', blocks)
}

/** The profile diff against the baseline's profiles, or the one line saying why there is none. */
function whatChangedSection(ctx: ReportContext): Section | undefined {
  const missing = whatChangedMissing(ctx.analysis)
  if (missing) return section('what-changed', 'What Changed Since the Baseline', [note(sentence(missing))])
  const w = whatChangedOf(ctx.analysis)
  if (!w) return undefined
  const title = w.live
    ? 'What Changed Against the Base Deployment (live paired profiles)'
    : 'What Changed Since the Baseline'
  return section('what-changed', title, [
    para(`Each function's ${thresholdText(w)}:`),
    w.rows.length > 0
      ? {
          kind: 'table',
          header: [
            'Profile',
            'Function',
            'Location',
            w.live ? 'Base' : 'Baseline',
            w.live ? 'This PR' : 'This run',
            'Change',
          ],
          rows: w.rows.map((r) => [
            r.kind === 'cpu' ? 'CPU' : 'allocations',
            [codeSpan(r.name)],
            r.location ? [codeSpan(r.location)] : 'not found',
            `${r.basePct.toFixed(1)}%`,
            `${r.currentPct.toFixed(1)}%`,
            pointsText(r.deltaPct),
          ]),
          align: ['l', 'l', 'l', 'r', 'r', 'r'],
        }
      : note('No function moved by more than the threshold.'),
    ...(w.rows.length > 0 && unmovedKinds(w).length > 0
      ? [note(`${unmovedKinds(w).join(', ')}: no function moved by more than the threshold.`)]
      : []),
  ])
}

export function profiling(ctx: ReportContext): Section {
  const changed = whatChangedSection(ctx)
  const paired = pairedProfilesLine(ctx.record)
  return section('profiling', '3. Profiling Analysis', paired ? [para(paired)] : [], [
    cpuProfile(ctx),
    memoryProfile(ctx),
    goroutineProfile(ctx),
    contentionProfile(ctx),
    ...(changed ? [changed] : []),
  ])
}
