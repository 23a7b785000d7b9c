// Builds the one validated Plan from action inputs (or CLI flags under the same names) and
// perfgate.yml. Inputs override the file. Every error is a ConfigError with one line.
import path from 'node:path'
import { ConfigError, shown } from './errors.ts'
import { readPerfgateFile, type LoadedFile } from './file.ts'
import { checkOutputDir } from './output-dir.ts'
import type { FileStep, PerfgateFile } from './file-schema.ts'
import { buildEndpoints, checkStepEndpoints, namesList } from './endpoints.ts'
import { appStatsUrl, optionalDsn, optionalHeader, requireHttpUrl, requireUrl } from './urls.ts'
import { DEFAULT_COLLECTORS, DEFAULT_SLOS, DEFAULT_TOLERANCES, defaultScenario } from './defaults.ts'
import type {
  BaselineSource,
  EndpointSlo,
  FailOn,
  JourneyStep,
  BaseCollectorsPlan,
  MetricNames,
  Mode,
  PairedDesignName,
  Plan,
  Scenario,
  Slos,
  Target,
  Tolerances,
} from './types.ts'
import {
  DEFAULT_TARGET_WAIT_S,
  MAX_DURATION_S,
  MAX_TARGET_WAIT_S,
  MAX_VUS,
  MAX_WARM_UP_S,
  durationBoundText,
} from './bounds.ts'
import { parseDurationS, parseList, parseTarget, parseTolerance, type TargetKind } from './values.ts'

/** Input values by action input name (`target-url`, `fail-on`, …); blank means unset. */
export type Inputs = Record<string, string | undefined>

/** The inputs that carry secrets: masked as soon as they are read, never written anywhere. */
export const SECRET_INPUTS = [
  'github-token',
  'database-url',
  'redis-url',
  'debug-auth-header',
  'baseline-debug-auth-header',
] as const

export interface PlanContext {
  cwd: string
  env: NodeJS.ProcessEnv
}

export async function loadPlan(inputs: Inputs, context: PlanContext): Promise<Plan> {
  const input = (name: string): string | undefined => {
    const value = inputs[name]?.trim()
    return value ? value : undefined
  }
  const configInput = input('config')
  const configPath = path.resolve(context.cwd, configInput ?? 'perfgate.yml')
  const fileName = path.relative(context.cwd, configPath).startsWith('..')
    ? configPath
    : path.relative(context.cwd, configPath)
  const file = await readPerfgateFile(
    configPath,
    fileName,
    configInput !== undefined && configInput !== 'perfgate.yml',
  )
  const data = file?.data ?? {}

  const mode = oneOf('mode', input('mode') ?? 'run', ['run', 'comment', 'merge']) as Mode
  const targetUrl = input('target-url') ?? data['target-url']
  // comment judges a recorded run and merge reads the shards' records: neither sends a request.
  const parsedTarget =
    mode === 'comment' || (mode === 'merge' && !targetUrl)
      ? (targetUrl ?? '')
      : requireHttpUrl('target-url', targetUrl)

  const script = input('script') ?? data.script
  const endpoints = buildEndpoints(data.endpoints, fileName, file)
  const endpointNames = new Set(endpoints.map((e) => e.name))
  const scenario = buildScenario(inputs, data, endpointNames, script !== undefined, fileName, file)
  const slos = buildSlos(data.slos, endpointNames, data.endpoints !== undefined, fileName, file)
  const gate = {
    failOn: parseFailOn(input('fail-on') ?? listText(data.gate?.['fail-on']) ?? 'slo,regression'),
    tolerances: buildTolerances(data.gate?.tolerances, fileName, file),
  }
  const shards = positiveInt('shards', input('shards') ?? '1')
  const shard = nonNegativeInt('shard', input('shard') ?? '0')
  if (shard >= shards) throw new ConfigError(`shard is ${shown(shard)}: must be below shards (${shards})`)

  const baselineUrl = parseBaselineUrl(input('baseline-url'), { script, shards, mode })
  const pairedDesign = parsePairedDesign(input('paired-design') ?? data['paired-design'], baselineUrl, mode)

  const collectorsFile = data.collectors ?? {}
  const optionalUrl = (name: string, value: string | undefined) =>
    value === undefined ? undefined : requireUrl(name, value)
  const appStats = (
    input('app-stats-urls') ? parseList(input('app-stats-urls')!) : (collectorsFile['app-stats-urls'] ?? [])
  ).map((url) => appStatsUrl(url, parsedTarget))

  const outputDir = path.resolve(context.cwd, input('output-dir') ?? 'perfgate-report')
  await checkOutputDir(outputDir)

  return {
    targetUrl: parsedTarget.replace(/\/+$/, ''),
    ...(baselineUrl ? { baselineUrl: baselineUrl.replace(/\/+$/, ''), pairedDesign } : {}),
    ...pairedMaxDurationOf(
      input('paired-max-duration') ?? data['paired-max-duration'],
      baselineUrl,
      scenario,
      mode,
    ),
    targetWaitS: parseTargetWait(input('target-wait') ?? data['target-wait']),
    warmUpS: parseWarmUp(input('warm-up') ?? data['warm-up'], script),
    script: script ? path.resolve(context.cwd, script) : undefined,
    scenario,
    endpoints,
    slos,
    collectors: {
      ...DEFAULT_COLLECTORS,
      metricsUrl: optionalUrl('metrics-url', input('metrics-url') ?? collectorsFile['metrics-url']),
      pprofUrl: optionalUrl('pprof-url', input('pprof-url') ?? collectorsFile['pprof-url']),
      databaseUrl: optionalDsn('database-url', input('database-url'), ['postgres:', 'postgresql:']),
      redisUrl: optionalDsn('redis-url', input('redis-url'), ['redis:', 'rediss:']),
      debugAuthHeader: optionalHeader(input('debug-auth-header')),
      appStatsUrls: appStats,
      ...baseCollectorsOf(input, collectorsFile, baselineUrl, mode),
      dependencies: collectorsFile.dependencies ?? DEFAULT_COLLECTORS.dependencies,
      areas: [...(collectorsFile.areas ?? []), ...DEFAULT_COLLECTORS.areas],
      coolDownS: durationOr(
        'collectors.cool-down',
        collectorsFile['cool-down'],
        DEFAULT_COLLECTORS.coolDownS,
        true,
      ),
      timeoutS: durationOr('collectors.timeout', collectorsFile.timeout, DEFAULT_COLLECTORS.timeoutS),
      probeRequests: collectorsFile['probe-requests'] ?? DEFAULT_COLLECTORS.probeRequests,
      ...metricNamesOf(collectorsFile.metrics),
    },
    baseline: buildBaseline(inputs, data.baseline),
    gate,
    mode,
    reportName: requireName('report-name', input('report-name') ?? 'perfgate'),
    outputDir,
    k6Path: input('k6-path'),
    repoDir: input('repo') ?? context.env.GITHUB_WORKSPACE ?? context.cwd,
    shards,
    shard,
    debug: parseBoolean('debug', input('debug') ?? 'false'),
  }
}

function listText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}

function oneOf(name: string, value: string, allowed: string[]): string {
  if (!allowed.includes(value))
    throw new ConfigError(`${name} is ${shown(value)}: allowed values are ${allowed.join(', ')}`)
  return value
}

export function parseFailOn(text: string): FailOn[] {
  const items = parseList(text)
  if (items.length === 1 && items[0] === 'never') return []
  const allowed = 'slo, regression, slo,regression or never'
  if (items.length === 0) throw new ConfigError(`fail-on is empty: allowed values are ${allowed}`)
  for (const item of items) {
    if (item !== 'slo' && item !== 'regression')
      throw new ConfigError(`fail-on is ${shown(text)}: allowed values are ${allowed}`)
  }
  return [...new Set(items)] as FailOn[]
}

/** `baseline-url`: a paired run loads it beside the target with the generated scenario, in one k6 process. */
function parseBaselineUrl(
  value: string | undefined,
  context: { script: string | undefined; shards: number; mode: Mode },
): string | undefined {
  if (value === undefined || context.mode !== 'run') return undefined
  requireUrl('baseline-url', value)
  if (context.script)
    throw new ConfigError(
      'baseline-url works with the generated scenario only: remove script (or baseline-url for a stored-baseline comparison)',
    )
  if (context.shards > 1)
    throw new ConfigError(
      `baseline-url cannot be sharded (shards is ${context.shards}): a paired run is one k6 process loading both deployments`,
    )
  return value
}

/** `paired-design`: how a paired run loads its two sides; only with baseline-url. */
function parsePairedDesign(
  value: string | undefined,
  baselineUrl: string | undefined,
  mode: Mode,
): PairedDesignName {
  if (value === undefined || mode !== 'run') return 'simultaneous'
  const design = oneOf('paired-design', value, ['simultaneous', 'alternating']) as PairedDesignName
  if (!baselineUrl)
    throw new ConfigError(
      `paired-design is ${shown(value)}: it applies to a paired run only: set baseline-url, or remove paired-design`,
    )
  return design
}

/**
 * `paired-max-duration`: how long a paired run may keep loading for its gated rows to resolve. It
 * must exceed the scenario's duration (the first look) and stay within the job's 6 h.
 */
function pairedMaxDurationOf(
  value: string | number | undefined,
  baselineUrl: string | undefined,
  scenario: Scenario,
  mode: Mode,
): { pairedMaxDurationS?: number } {
  if (value === undefined || value === '' || mode !== 'run') return {}
  if (!baselineUrl)
    throw new ConfigError(
      `paired-max-duration is ${shown(value)}: it applies to a paired run only: set baseline-url, or remove paired-max-duration`,
    )
  const seconds = boundedDuration(
    'paired-max-duration',
    String(value),
    durationOr('paired-max-duration', value, 0),
  )
  if (seconds <= scenario.durationS)
    throw new ConfigError(
      `paired-max-duration is ${shown(value)}: it must be longer than the scenario's duration (${scenario.durationS} s), where the first look is taken`,
    )
  return { pairedMaxDurationS: seconds }
}

/**
 * The base deployment's collectors (`baseline-metrics-url`, `baseline-pprof-url`,
 * `baseline-app-stats-urls`, `baseline-debug-auth-header`): read over the same load window as the
 * target's. Only with baseline-url; app-stats paths are appended to baseline-url.
 */
function baseCollectorsOf(
  input: (name: string) => string | undefined,
  file: NonNullable<PerfgateFile['collectors']>,
  baselineUrl: string | undefined,
  mode: Mode,
): { base?: BaseCollectorsPlan } {
  if (mode !== 'run') return {}
  const metrics = input('baseline-metrics-url') ?? file['baseline-metrics-url']
  const pprof = input('baseline-pprof-url') ?? file['baseline-pprof-url']
  const appStatsText = input('baseline-app-stats-urls')
  const appStats = appStatsText ? parseList(appStatsText) : (file['baseline-app-stats-urls'] ?? [])
  const header = input('baseline-debug-auth-header')
  const given = [
    metrics !== undefined && 'baseline-metrics-url',
    pprof !== undefined && 'baseline-pprof-url',
    appStats.length > 0 && 'baseline-app-stats-urls',
    header !== undefined && 'baseline-debug-auth-header',
  ].filter((name): name is string => typeof name === 'string')
  if (given.length === 0) return {}
  if (!baselineUrl)
    throw new ConfigError(
      `${given[0]} is set without baseline-url: the base deployment's collectors run in a paired run only; set baseline-url, or remove ${given.join(', ')}`,
    )
  const base: BaseCollectorsPlan = {
    ...(metrics !== undefined ? { metricsUrl: requireUrl('baseline-metrics-url', metrics) } : {}),
    ...(pprof !== undefined ? { pprofUrl: requireUrl('baseline-pprof-url', pprof) } : {}),
    ...(header !== undefined
      ? { debugAuthHeader: optionalHeader(header, 'baseline-debug-auth-header') }
      : input('debug-auth-header')
        ? { debugAuthHeader: optionalHeader(input('debug-auth-header')) }
        : {}),
    appStatsUrls: appStats.map((url) => appStatsUrl(url, baselineUrl, 'baseline-app-stats-urls')),
  }
  return { base }
}

function requireName(name: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/.test(value))
    throw new ConfigError(`${name} is ${shown(value)}: use 1-64 letters, digits, spaces, _ . -`)
  return value
}

/** Whole numbers as people write them: decimal digits only (Number() would take 0x10, 1e9, 1_0). */
function wholeNumber(name: string, text: string, min: number, max?: number): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN
  const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`
  if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max))
    throw new ConfigError(`${name} is ${shown(text)}: expected a whole number ${range}, in decimal digits`)
  return n
}

function positiveInt(name: string, text: string, max?: number): number {
  return wholeNumber(name, text, 1, max)
}

function nonNegativeInt(name: string, text: string): number {
  return wholeNumber(name, text, 0)
}

/** `target-wait`: 0 means one try; otherwise how long a waking preview may stay silent. */
function parseTargetWait(value: string | number | undefined): number {
  const seconds = durationOr('target-wait', value, DEFAULT_TARGET_WAIT_S, true)
  if (seconds > MAX_TARGET_WAIT_S)
    throw new ConfigError(
      `target-wait is ${shown(value)}: allowed range is 0s to ${durationBoundText(MAX_TARGET_WAIT_S)}`,
    )
  return seconds
}

/** `warm-up`: off by default; only for the generated scenario (a user's script owns its own stages). */
function parseWarmUp(value: string | number | undefined, script: string | undefined): number {
  const seconds = durationOr('warm-up', value, 0, true)
  if (seconds > MAX_WARM_UP_S)
    throw new ConfigError(
      `warm-up is ${shown(value)}: allowed range is 0s to ${durationBoundText(MAX_WARM_UP_S)}`,
    )
  if (seconds > 0 && script)
    throw new ConfigError(
      `warm-up is ${shown(value)}: it runs the generated scenario only; with your own script, put a warm-up stage in it (its requests then count) or leave warm-up empty`,
    )
  return seconds
}

function boundedDuration(name: string, text: string, seconds: number): number {
  if (seconds > MAX_DURATION_S)
    throw new ConfigError(
      `${name} is ${shown(text)}: allowed range is 1s to ${durationBoundText(MAX_DURATION_S)} (a GitHub job stops at 6 h)`,
    )
  return seconds
}

function parseBoolean(name: string, text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true
  if (/^(false|0|no)$/i.test(text)) return false
  throw new ConfigError(`${name} is ${shown(text)}: allowed values are true, false`)
}

function durationOr(
  name: string,
  value: string | number | undefined,
  fallback: number,
  allowZero = false,
): number {
  if (value === undefined) return fallback
  if (allowZero && (value === 0 || value === '0' || value === '0s')) return 0
  const seconds = parseDurationS(value)
  if (seconds === undefined)
    throw new ConfigError(`${name} is ${shown(value)}: expected a duration such as 30s, 3m or 1m30s`)
  return seconds
}

function buildScenario(
  inputs: Inputs,
  data: PerfgateFile,
  endpointNames: Set<string>,
  hasScript: boolean,
  fileName: string,
  file: LoadedFile | undefined,
): Scenario {
  const fileScenario = data.scenario
  const at = (keyPath: (string | number)[]) => `${fileName}:${file?.lineOf(keyPath) ?? 1}`
  const vusText = inputs.vus?.trim()
  const vus = vusText ? positiveInt('vus', vusText, MAX_VUS) : (fileScenario?.vus ?? 100)
  if (!vusText && vus > MAX_VUS)
    throw new ConfigError(
      `${at(['scenario', 'vus'])}: scenario.vus is ${vus}: allowed range is 1 to ${MAX_VUS} VUs`,
    )
  const durationText = inputs.duration?.trim()
  let durationS: number
  if (durationText) {
    const parsed = parseDurationS(durationText)
    if (parsed === undefined)
      throw new ConfigError(
        `duration is ${shown(durationText)}: expected a duration such as 90s, 3m or 1m30s`,
      )
    durationS = boundedDuration('duration', durationText, parsed)
  } else {
    const where = `${at(['scenario', 'duration'])}: scenario.duration`
    durationS = durationOr('scenario.duration', fileScenario?.duration, 180)
    boundedDuration(where, String(fileScenario?.duration ?? ''), durationS)
  }
  const scaleText = inputs['think-time-scale']?.trim()
  let thinkTimeScale = fileScenario?.['think-time-scale'] ?? 1
  if (scaleText) {
    thinkTimeScale = /^\d+(\.\d+)?$/.test(scaleText) ? Number(scaleText) : Number.NaN
    if (!Number.isFinite(thinkTimeScale) || thinkTimeScale <= 0)
      throw new ConfigError(`think-time-scale is ${shown(scaleText)}: expected a number above 0, e.g. 0.25`)
  }
  const scenario = defaultScenario(vus, durationS, thinkTimeScale)
  if (vusText || durationText)
    scenario.overrides = { ...(vusText ? { vus } : {}), ...(durationText ? { durationS } : {}) }
  if (fileScenario?.name) scenario.name = fileScenario.name
  if (fileScenario?.fixtures) scenario.fixtures = fileScenario.fixtures
  // Explicit stages win unless the inputs rescale the run.
  if (fileScenario?.stages && !vusText && !durationText) {
    scenario.stages = fileScenario.stages.map((stage, i) => {
      const seconds = parseDurationS(stage.duration)
      if (seconds === undefined)
        throw new ConfigError(
          `${at(['scenario', 'stages', i, 'duration'])}: scenario.stages[${i}].duration is ${shown(stage.duration)}: expected a duration such as 30s`,
        )
      return { duration: `${seconds}s`, target: stage.target }
    })
    scenario.durationS = scenario.stages.reduce((sum, stage) => sum + Number.parseFloat(stage.duration), 0)
    scenario.vus = Math.max(...scenario.stages.map((stage) => stage.target))
    const stagesAt = at(['scenario', 'stages'])
    boundedDuration(`${stagesAt}: scenario.stages (total)`, `${scenario.durationS}s`, scenario.durationS)
    if (scenario.vus > MAX_VUS)
      throw new ConfigError(
        `${stagesAt}: scenario.stages target up to ${scenario.vus} VUs: allowed range is 1 to ${MAX_VUS} VUs`,
      )
    // k6 refuses such a scenario with a bare heading; say what is wrong here instead.
    if (scenario.vus === 0)
      throw new ConfigError(
        `${stagesAt}: scenario.stages all target 0 VUs: at least one stage needs a target of 1 or more`,
      )
  }
  if (fileScenario?.['user-types']) {
    scenario.userTypes = fileScenario['user-types'].map((userType, i) => ({
      name: userType.name,
      weight: userType.weight,
      steps: userType.steps.map((step, j) => toStep(step, ['scenario', 'user-types', i, 'steps', j])),
    }))
    const total = scenario.userTypes.reduce((sum, u) => sum + u.weight, 0)
    if (Math.abs(total - 100) > 1e-6)
      throw new ConfigError(
        `${at(['scenario', 'user-types'])}: scenario.user-types weights add up to ${total}%: they must add up to 100% (${scenario.userTypes.map((u) => `${u.name} ${u.weight}`).join(', ')})`,
      )
    checkStepEndpoints(scenario.userTypes, endpointNames, at)
  } else if (hasScript) {
    // The script drives the load: the generated scenario's user types describe nothing that runs.
    scenario.userTypes = []
  } else if (data.endpoints) {
    // The default user types walk the default endpoints; they never run against the user's own.
    throw new ConfigError(
      `${at(['endpoints'])}: endpoints are declared without scenario.user-types: the generated scenario needs user types whose steps name your endpoints (${namesList(endpointNames)}); add scenario.user-types, or give your own k6 script (script)`,
    )
  }
  return scenario

  function toStep(step: FileStep, keyPath: (string | number)[]): JourneyStep {
    if (!step.endpoint && !step.steps)
      throw new ConfigError(`${at(keyPath)}: a step needs an endpoint or nested steps`)
    return {
      endpoint: step.endpoint ?? '',
      think: step.think ?? 0,
      ...(step.probability !== undefined ? { probability: step.probability } : {}),
      ...(step.repeat !== undefined ? { repeat: step.repeat } : {}),
      ...(step.query ? { query: step.query } : {}),
      ...(step.steps ? { steps: step.steps.map((s, k) => toStep(s, [...keyPath, 'steps', k])) } : {}),
    }
  }
}

function buildSlos(
  fileSlos: PerfgateFile['slos'],
  endpointNames: Set<string>,
  ownEndpoints: boolean,
  fileName: string,
  file: LoadedFile | undefined,
): Slos {
  // The default p95 targets are Clipper's endpoints' figures: a user's own endpoint named "feed" gets none.
  if (!fileSlos) return { ...DEFAULT_SLOS, endpoints: ownEndpoints ? [] : DEFAULT_SLOS.endpoints }
  const target = (keyPath: string[], value: string | number | undefined, kind: TargetKind) => {
    if (value === undefined) return undefined
    const parsed = parseTarget(value, kind)
    if (!parsed) {
      const example = kind === 'ms' ? '<100ms or 0.1s' : kind === 'fraction' ? '<1% or 0.01' : '>=100 (req/s)'
      throw new ConfigError(
        `${fileName}:${file?.lineOf(keyPath) ?? 1}: ${keyPath.join('.')} is ${shown(value)}: expected a target such as ${example}`,
      )
    }
    return parsed
  }
  // The report says where the throughput target came from: it is the one SLO with no default.
  const withSource = (t: Target | undefined, keyPath: string[]) =>
    t && { ...t, source: `${fileName}:${file?.lineOf(keyPath) ?? 1}` }
  const endpoints: EndpointSlo[] = Object.entries(fileSlos.endpoints ?? {}).map(([endpoint, s]) => {
    const base = ['slos', 'endpoints', endpoint]
    if (!endpointNames.has(endpoint))
      throw new ConfigError(
        `${fileName}:${file?.lineOf(base) ?? 1}: slos.endpoints.${endpoint} names an unknown endpoint; known endpoints: ${namesList(endpointNames)}`,
      )
    const slo: EndpointSlo = { endpoint }
    const set = <K extends keyof EndpointSlo>(key: K, value: EndpointSlo[K] | undefined) => {
      if (value !== undefined) slo[key] = value
    }
    set('p50Ms', target([...base, 'p50'], s.p50, 'ms'))
    set('p95Ms', target([...base, 'p95'], s.p95, 'ms'))
    set('p99Ms', target([...base, 'p99'], s.p99, 'ms'))
    set('errorRate', target([...base, 'error-rate'], s['error-rate'], 'fraction'))
    set('minRps', target([...base, 'min-rps'], s['min-rps'], 'rps'))
    return slo
  })
  return {
    endpoints,
    errorRate: target(['slos', 'error-rate'], fileSlos['error-rate'], 'fraction'),
    minRps: withSource(target(['slos', 'throughput'], fileSlos.throughput, 'rps'), ['slos', 'throughput']),
    cacheHitRate: target(['slos', 'cache-hit-rate'], fileSlos['cache-hit-rate'], 'fraction'),
  }
}

function buildTolerances(
  fileTolerances: NonNullable<import('./file-schema.ts').PerfgateFile['gate']>['tolerances'],
  fileName: string,
  file: LoadedFile | undefined,
): Tolerances {
  const tolerances = { ...DEFAULT_TOLERANCES }
  if (!fileTolerances) return tolerances
  const keys: [keyof typeof fileTolerances, keyof Tolerances][] = [
    ['p50', 'p50'],
    ['p95', 'p95'],
    ['p99', 'p99'],
    ['error-rate', 'errorRate'],
    ['error-rate-floor', 'errorRateFloor'],
    ['throughput', 'rps'],
    ['db-time', 'dbTime'],
    ['statements', 'statements'],
    ['cache-hit-rate', 'cacheHitRate'],
  ]
  for (const [fileKey, key] of keys) {
    const value = fileTolerances[fileKey]
    if (value === undefined) continue
    const parsed = parseTolerance(value)
    if (parsed === undefined)
      throw new ConfigError(
        `${fileName}:${file?.lineOf(['gate', 'tolerances', fileKey]) ?? 1}: gate.tolerances.${fileKey} is ${shown(value)}: expected a relative change such as +10% or 0.1`,
      )
    tolerances[key] = parsed
  }
  if (fileTolerances.alpha !== undefined) tolerances.alpha = fileTolerances.alpha
  return tolerances
}

function buildBaseline(
  inputs: Inputs,
  fileBaseline: import('./file-schema.ts').PerfgateFile['baseline'],
): BaselineSource {
  const kind = oneOf('baseline', inputs.baseline?.trim() || fileBaseline?.source || 'artifact', [
    'artifact',
    'path',
    'branch',
    'none',
  ]) as BaselineSource['kind']
  const historyText = inputs['baseline-history']?.trim()
  const history = historyText ? positiveInt('baseline-history', historyText) : (fileBaseline?.history ?? 5)
  const pathValue = inputs['baseline-path']?.trim() || fileBaseline?.path
  const branch = inputs['baseline-branch']?.trim() || fileBaseline?.branch
  if (kind === 'path' && !pathValue)
    throw new ConfigError('baseline-path is missing: baseline=path needs the path of a result.json')
  if (kind === 'branch' && !branch)
    throw new ConfigError('baseline-branch is missing: baseline=branch needs a branch name')
  return { kind, history, ...(pathValue ? { path: pathValue } : {}), ...(branch ? { branch } : {}) }
}

/** perfgate.yml `collectors.metrics` as the plan's `metricNames`: only the keys the file sets. */
function metricNamesOf(file: NonNullable<PerfgateFile['collectors']>['metrics']): {
  metricNames?: Partial<MetricNames>
} {
  if (!file) return {}
  const names: Partial<MetricNames> = {
    ...(file.requests ? { requests: file.requests } : {}),
    ...(file.duration ? { duration: file.duration } : {}),
    ...(file['in-flight'] ? { inFlight: file['in-flight'] } : {}),
    ...(file['route-label'] ? { routeLabel: file['route-label'] } : {}),
    ...(file['method-label'] ? { methodLabel: file['method-label'] } : {}),
    ...(file['status-label'] ? { statusLabel: file['status-label'] } : {}),
    ...(file['exclude-routes'] ? { excludeRoutes: file['exclude-routes'] } : {}),
  }
  return { metricNames: names }
}
