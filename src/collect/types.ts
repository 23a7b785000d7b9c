// The collector interface: a small lifecycle (k6 outputs style) that the timeline drives around
// the load. Hooks may throw; the timeline time-boxes them and turns failures into `unavailable`.
import type { Plan } from '../plan/types.ts'
import type { Part } from '../record/index.ts'
import type { SecretScrubber } from '../secrets.ts'
import type { SettleReading } from './cool-down.ts'

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>

export interface CollectDeps {
  fetch: FetchLike
  /** Milliseconds since the epoch. */
  now: () => number
  sleep: (ms: number) => Promise<void>
  log: (line: string) => void
}

/** When the load's phases end, in seconds since it started. */
export interface LoadTimeline {
  /** Sum of all stages but the last: the steady hold starts here. */
  rampEndS: number
  /** End of the steady part (a script's plateau before its ramp-down); totalS when absent. */
  steadyEndS?: number
  totalS: number
}

export interface CollectContext {
  plan: Plan
  outDir: string
  deps: CollectDeps
  scrubber: SecretScrubber
  timeline: LoadTimeline
  /** Seconds since the load started (0 before it, totalS or more after it). */
  elapsedS: number
  /** Aborted when the hook's time box ends. */
  signal: AbortSignal
  /** Writes a raw file beside result.json (text is scrubbed of secrets); returns its relative path. */
  writeFile: (name: string, content: string | Uint8Array) => Promise<string>
}

export type PartName = 'prometheus' | 'postgres' | 'redis' | 'appStats' | 'profiles'

export interface Collector<D = unknown> {
  name: PartName
  before(ctx: CollectContext): Promise<void>
  /** Called every few seconds during the load. */
  sample?(ctx: CollectContext): Promise<void>
  /** Called once when the ramp ends (e.g. to start the CPU profile for the hold). */
  steady?(ctx: CollectContext): Promise<void>
  after(ctx: CollectContext): Promise<void>
  /** Called once every collector's after() is done (the query attribution probe). A failure here
   * is noted by the collector itself; the timeline does not mark the collector unavailable. */
  probe?(ctx: CollectContext): Promise<void>
  /** A level the adaptive cool-down watches (collect/cool-down.ts); undefined when it cannot read one. */
  settleReading?(ctx: CollectContext): Promise<SettleReading | undefined>
  /** Called after the attribution probe and the cool-down wait. */
  coolDown?(ctx: CollectContext): Promise<void>
  /** Releases connections; called once at the end of finish(), also for a collector that failed. */
  close?(): void | Promise<void>
  /** The part, or throws with a one-line reason. */
  result(): Part<D>
}

/** An error whose message is the one-line reason the report shows. */
export class Unavailable extends Error {
  override name = 'Unavailable'
}
