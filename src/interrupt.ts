// SIGINT/SIGTERM while perfgate runs: the first one stops the load (k6 gets SIGINT and writes what
// it has), the pipeline goes on to a partial record and report, and perfgate then exits 130/143.
// A second signal means "now": perfgate exits at once (k6-process.ts kills k6's group on exit).

export interface Interrupt {
  /** Aborted on the first signal; its reason is the line the partial record shows. */
  signal: AbortSignal
  /** The signal received, if any. */
  received(): NodeJS.Signals | undefined
  /** 130 after SIGINT, 143 after SIGTERM (128 + the signal's number), else undefined. */
  exitCode(): number | undefined
  /** Removes the handlers (tests; a long-lived process). */
  dispose(): void
}

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 }

export function handleInterrupts(
  log: (line: string) => void,
  processLike: Pick<NodeJS.Process, 'on' | 'off' | 'exit'> = process,
): Interrupt {
  const controller = new AbortController()
  let received: NodeJS.Signals | undefined
  const onSignal = (sig: NodeJS.Signals) => {
    if (received) {
      log(`perfgate: ${sig} again: exiting now`)
      processLike.exit(EXIT_CODES[sig] ?? 1)
      return
    }
    received = sig
    log(`perfgate: ${sig} received: stopping the load, then writing a partial record and report`)
    controller.abort(`interrupted by ${sig}`)
  }
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
  for (const sig of signals) processLike.on(sig, onSignal)
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received ? EXIT_CODES[received] : undefined),
    dispose: () => {
      for (const sig of signals) processLike.off(sig, onSignal)
    },
  }
}

/** The reason text of an aborted signal (a string reason), for partial-load messages. */
export function abortReason(signal: AbortSignal | undefined): string | undefined {
  if (!signal?.aborted) return undefined
  return typeof signal.reason === 'string' ? signal.reason : undefined
}
