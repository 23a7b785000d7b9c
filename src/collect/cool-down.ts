// The adaptive cool-down (issue 18): after the load, wait until the target has settled — every
// level a collector reads (goroutines, in-flight requests) back to its pre-load value (goroutines:
// within the leak check's threshold of it), or unchanged over two samples — bounded by the
// configured maximum. A leak still shows: leaked goroutines stay put above the threshold, the
// level is stable, and the cool-down snapshot compares them with the count before.

/** One level a collector reads while the target settles. */
export interface SettleReading {
  /** What was read, for the log: "goroutines", "in-flight requests". */
  what: string
  value: number
  /** The level before the load, when known. */
  before?: number
  /**
   * How far above `before` still counts as settled: the goroutine leak check's threshold (a level
   * within it cannot become a leak finding); 0 when absent.
   */
  slack?: number
}

export interface SettleOptions {
  maxS: number
  /** Between samples (default 1000 ms). */
  everyMs?: number
  sleep: (ms: number) => Promise<void>
  now: () => number
}

export interface Settled {
  waitedS: number
  /** What the cool-down waited for and what ended it, for the log and the leak check. */
  reason: string
}

const describe = (readings: SettleReading[]) =>
  readings
    .map(
      (r) =>
        `${r.what} ${r.value}${r.before !== undefined ? ` (${r.before} before the load${r.slack ? `, a leak needs +${r.slack}` : ''})` : ''}`,
    )
    .join(', ')

/** Samples `read` until the levels settle or `maxS` has passed. `read` never throws (it gives []). */
export async function waitUntilSettled(
  read: () => Promise<SettleReading[]>,
  options: SettleOptions,
): Promise<Settled> {
  const everyMs = options.everyMs ?? 1000
  const start = options.now()
  const waited = () => Math.round((options.now() - start) / 100) / 10
  let previous: SettleReading[] | undefined
  let last: SettleReading[] = []
  while (options.now() - start < options.maxS * 1000) {
    await options.sleep(Math.min(everyMs, options.maxS * 1000 - (options.now() - start)))
    const readings = await read()
    if (readings.length === 0) continue // nothing to watch: the full maximum, as a fixed cool-down
    last = readings
    if (readings.every((r) => r.before !== undefined && r.value <= r.before))
      return { waitedS: waited(), reason: `back to the pre-load level: ${describe(readings)}` }
    if (readings.every((r) => r.before !== undefined && r.value <= r.before + (r.slack ?? 0)))
      return {
        waitedS: waited(),
        reason: `back within the leak threshold of the pre-load level: ${describe(readings)}`,
      }
    if (
      previous &&
      previous.length === readings.length &&
      readings.every((r, i) => previous![i]!.what === r.what && previous![i]!.value === r.value)
    )
      return { waitedS: waited(), reason: `stable over two samples: ${describe(readings)}` }
    previous = readings
  }
  return {
    waitedS: waited(),
    reason:
      last.length > 0
        ? `the ${options.maxS}s maximum, not settled: ${describe(last)}`
        : `the ${options.maxS}s maximum (no collector reads goroutines or in-flight requests)`,
  }
}
