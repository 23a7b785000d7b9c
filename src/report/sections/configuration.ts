// 1. Test Configuration: the load test's parameters and the system it ran against.
import { kv, list, section } from '../blocks.ts'
import { appValue, setting, type ReportContext } from '../context.ts'
import { durationText, missingReason } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { ListItem, Section } from '../model.ts'
import type { ScriptRun, ScriptScenario } from '../../record/scenario.ts'
import type { VuSegment } from '../../record/load.ts'
import { isUnavailable } from '../../record/common.ts'

/** Segments shown; a longer curve ends with how many more there were. */
const SHOWN_VU_SEGMENTS = 8

function vuSegmentText(s: VuSegment): string {
  const seconds = `${Math.round(s.durationS)} s`
  if (s.maxVUs !== undefined) return `${s.fromVUs} → ${s.toVUs} VUs over ${seconds} (up to ${s.maxVUs})`
  return s.fromVUs === s.toVUs
    ? `${s.fromVUs} VUs for ${seconds}`
    : `${s.fromVUs} → ${s.toVUs} VUs in ${seconds}`
}

/** k6's `vus` metric as it was measured, e.g. `2 → 20 VUs in 9 s, 20 VUs for 45 s`. */
function measuredVUsItem(curve: VuSegment[] | undefined): ListItem[] {
  if (!curve || curve.length === 0) return []
  const shown = curve.slice(0, SHOWN_VU_SEGMENTS).map(vuSegmentText)
  const more = curve.length - shown.length
  const start = curve[0]!.startS
  return [
    kv(
      'Measured VUs',
      `${start > 0 ? `from ${Math.round(start)} s: ` : ''}${shown.join(', ')}${more > 0 ? `, … (${more} more stretches)` : ''} (k6's vus metric, sampled each second)`,
    ),
  ]
}

function stageText(stages: { duration: string; target: number }[]): ListItem[] {
  return stages.map((s, i) => ({
    text:
      i > 0 && stages[i - 1]!.target === s.target
        ? `${s.duration} → hold ${s.target} VUs`
        : `${s.duration} → ${s.target} VUs`,
  }))
}

export function testConfiguration(ctx: ReportContext): Section {
  return section(
    'configuration',
    '1. Test Configuration',
    [],
    [
      section('load-parameters', 'Load Test Parameters', [list(loadParameters(ctx))]),
      section('system-configuration', 'System Configuration', [
        list([...databaseItems(ctx), cacheItem(ctx), backendItem(ctx)]),
      ]),
    ],
  )
}

/** `ramping-vus (exec browse), starts at 2 s, 20 s, up to 4 VUs` and its stages or constant load. */
function scriptScenarioItem(s: ScriptScenario): ListItem {
  const load =
    s.rate !== undefined
      ? `${s.rate} iterations per ${s.timeUnit ?? '1s'} for ${durationText(s.durationS)}`
      : s.stages
        ? `${durationText(s.durationS)} of stages`
        : `${s.vus ?? s.maxVUs} VUs for ${durationText(s.durationS)}`
  return {
    ...kv(
      `Scenario ${s.name}`,
      `${s.executor}${s.exec ? ` (runs ${s.exec}())` : ''}${s.startS > 0 ? `, starts at ${s.startS} s` : ''}: ${load}, up to ${s.maxVUs} VUs`,
    ),
    ...(s.stages ? { children: stageText(s.stages) } : {}),
  }
}

/** A user's script as it ran (k6 inspect after the overrides), with what k6 measured. */
function scriptParameters(ctx: ReportContext, run: ScriptRun): ListItem[] {
  const plan = ctx.record.plan
  const load = ctx.load
  const given = [
    run.overrides?.durationS !== undefined ? `duration ${run.overrides.durationS} s` : '',
    run.overrides?.vus !== undefined ? `vus ${run.overrides.vus}` : '',
  ].filter(Boolean)
  return [
    kv(
      'Scenario',
      `k6 script ${plan.script ?? ''}`.trim() +
        (given.length > 0 ? ` with perfgate's inputs as k6 overrides (${given.join(', ')})` : ', as written'),
    ),
    ...run.scenarios.map(scriptScenarioItem),
    kv('Virtual Users', `up to ${run.maxVUs}${load ? ` (peak measured ${load.vusMax})` : ''}`),
    ...measuredVUsItem(load?.vusCurve),
    kv(
      'Duration',
      `${durationText(run.durationS)}${load ? `, measured ${Math.round(load.durationS)} s` : ''}`,
    ),
    kv('Think-time scale', `${plan.thinkTimeScale} (offered to the script as PERFGATE_THINK_TIME_SCALE)`),
    kv('User Distribution', 'defined by the k6 script'),
  ]
}

function loadParameters(ctx: ReportContext): ListItem[] {
  const plan = ctx.record.plan
  const load = ctx.load
  if (plan.script && isUnavailable(ctx.record.load))
    return [
      kv(
        'Scenario',
        `k6 script ${plan.script}: its load did not run (see Performance Status), so there is no scenario, VU or duration figure to show`,
      ),
      kv('Target', ctx.record.meta.targetUrl),
      ...(ctx.record.meta.k6Version ? [kv('k6', ctx.record.meta.k6Version)] : []),
    ]
  if (load?.scriptRun)
    return [
      ...scriptParameters(ctx, load.scriptRun),
      kv('Target', ctx.record.meta.targetUrl),
      ...(ctx.record.meta.k6Version ? [kv('k6', ctx.record.meta.k6Version)] : []),
    ]
  return [
    kv('Scenario', plan.script ? `${plan.scenario} (k6 script ${plan.script})` : plan.scenario),
    kv('Virtual Users', `${plan.vus} concurrent users${load ? ` (peak measured ${load.vusMax})` : ''}`),
    ...measuredVUsItem(load?.vusCurve),
    kv(
      'Duration',
      `${durationText(plan.durationS)}${load ? `, measured ${Math.round(load.durationS)} s` : ''}`,
    ),
    kv('Think-time scale', String(plan.thinkTimeScale)),
    plan.stages.length > 0
      ? { ...kv('Ramp-up', ''), children: stageText(plan.stages) }
      : kv('Ramp-up', 'none (constant VUs)'),
    plan.userTypes.length > 0
      ? {
          ...kv('User Distribution', ''),
          children: plan.userTypes.map((u) => ({ text: `${u.weight}% ${u.name}` })),
        }
      : kv('User Distribution', plan.script ? 'defined by the k6 script' : 'one user type'),
    kv('Target', ctx.record.meta.targetUrl),
    ...(ctx.record.meta.k6Version ? [kv('k6', ctx.record.meta.k6Version)] : []),
  ]
}

function databaseItems(ctx: ReportContext): ListItem[] {
  const pg = ctx.pg
  const maxConns = appValue(ctx.app, 'database.max_conns')
  const poolSize = maxConns.after ?? maxConns.before
  const poolText =
    poolSize !== undefined
      ? `${poolSize} (max_conns from app stats)`
      : ctx.app
        ? 'not reported by the app stats (no database.max_conns)'
        : `not collected (${missingReason(ctx.record.appStats, 'app stats')})`
  const dbItems: ListItem[] = [
    kv(
      'Database',
      pg
        ? `PostgreSQL ${pg.version}`
        : `PostgreSQL: not collected (${missingReason(ctx.record.postgres, 'PostgreSQL')})`,
    ),
  ]
  dbItems[0]!.children = [
    kv('Connection pool', poolText),
    kv('Shared buffers', pg ? (setting(pg, 'shared_buffers') ?? 'not reported') : 'not collected'),
    ...(pg && setting(pg, 'max_connections') ? [kv('max_connections', setting(pg, 'max_connections')!)] : []),
  ]
  return dbItems
}

function cacheItem(ctx: ReportContext): ListItem {
  const redis = ctx.redis
  return {
    ...kv(
      'Cache',
      redis ? `Redis ${redis.version}` : `Redis: not collected (${missingReason(ctx.record.redis, 'Redis')})`,
    ),
    children: redis
      ? [
          kv(
            'Max memory',
            redis.memory.maxmemoryBytes > 0
              ? fmt.bytes(redis.memory.maxmemoryBytes)
              : 'no limit (maxmemory 0)',
          ),
          kv('Eviction policy', redis.memory.policy || 'not reported'),
        ]
      : [kv('Max memory', 'not collected'), kv('Eviction policy', 'not collected')],
  }
}

function backendItem(ctx: ReportContext): ListItem {
  const after = ctx.prom?.runtime.after
  const before = ctx.prom?.runtime.before
  const gomaxprocs = after?.gomaxprocs ?? before?.gomaxprocs
  const memLimit = after?.memoryLimitBytes ?? before?.memoryLimitBytes
  const goVersion = after?.goVersion ?? before?.goVersion
  return {
    ...kv(
      'Backend',
      ctx.prom
        ? `Go${goVersion ? ` ${goVersion.replace(/^go/, '')}` : ''} (from Prometheus runtime metrics)`
        : `Go: not collected (${missingReason(ctx.record.prometheus, 'Prometheus')})`,
    ),
    children: ctx.prom
      ? [
          kv(
            'GOMAXPROCS',
            gomaxprocs !== undefined ? String(gomaxprocs) : 'not exposed (no go_sched_gomaxprocs_threads)',
          ),
          kv(
            'Memory limit',
            memLimit !== undefined
              ? memLimit >= 2 ** 62
                ? 'none (GOMEMLIMIT unset)'
                : fmt.bytes(memLimit)
              : 'not exposed (no go_gc_gomemlimit_bytes)',
          ),
          ...(after?.rssBytes !== undefined
            ? [kv('Resident memory after load', fmt.bytes(after.rssBytes))]
            : []),
        ]
      : [kv('GOMAXPROCS', 'not collected'), kv('Memory limit', 'not collected')],
  }
}
