// What a user's k6 script ran, as `k6 inspect --execution-requirements` reads it (after the
// `vus`/`duration` overrides perfgate passed to k6): the record's description of the scenario.

export interface ScriptScenario {
  /** k6's scenario name (`default` for the `vus`/`duration`/`stages` shortcuts). */
  name: string
  /** k6 executor, e.g. `ramping-vus`, `constant-vus`, `constant-arrival-rate`. */
  executor: string
  /** The script function it runs, when not `default`. */
  exec?: string
  /** Seconds after the test start that the scenario starts. */
  startS: number
  /** Seconds it runs, without graceful stop. */
  durationS: number
  /** The most VUs it can use. */
  maxVUs: number
  /** ramping-vus / ramping-arrival-rate stages (targets are VUs or iterations per time unit). */
  stages?: { duration: string; target: number }[]
  /** constant-vus / per-vu-iterations VUs. */
  vus?: number
  /** Arrival-rate executors: iterations per `timeUnit`. */
  rate?: number
  timeUnit?: string
}

export interface ScriptRun {
  scenarios: ScriptScenario[]
  /** k6's `maxVUs` of the whole test. */
  maxVUs: number
  /** Seconds from the start to the end of the last scenario (without graceful stop). */
  durationS: number
  /** The inputs perfgate passed to k6 as its CLI overrides. */
  overrides?: { vus?: number; durationS?: number }
}
