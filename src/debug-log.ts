// What `debug` adds to the normal log (the action's `debug` input, the runner's debug mode, the
// CLI's --debug): stack traces, and one line per collector saying what it gathered or why not.
import type { RunRecord } from './record/index.ts'
import { isUnavailable } from './record/common.ts'

const PARTS = ['load', 'prometheus', 'postgres', 'redis', 'appStats', 'profiles'] as const

/** True for the `debug` input (true/1/yes), or when the runner's debug mode is on (RUNNER_DEBUG=1). */
export function debugRequested(value: string | undefined, env: NodeJS.ProcessEnv): boolean {
  return /^(true|1|yes)$/i.test((value ?? '').trim()) || env.RUNNER_DEBUG === '1'
}

/**
 * One line per part of the record: its fields and size, or why it is missing. Field names and
 * sizes only: the values went through the secret scrubber, but a debug log need not repeat them.
 */
export function collectorLines(record: RunRecord): string[] {
  return PARTS.map((name) => {
    const part = record[name] as unknown
    if (part === undefined || part === null) return `debug: ${name}: not collected`
    if (isUnavailable(part)) return `debug: ${name}: unavailable: ${part.unavailable}`
    const fields = typeof part === 'object' ? Object.keys(part as object).sort() : []
    const bytes = Buffer.byteLength(JSON.stringify(part))
    return `debug: ${name}: ${bytes} bytes of data (${fields.join(', ') || 'no fields'})`
  })
}

/** `--debug`, `--debug=true`, `--debug true` on the command line, or PERFGATE_DEBUG / RUNNER_DEBUG. */
export function cliDebugRequested(argv: string[], env: NodeJS.ProcessEnv): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg.startsWith('--debug=')) return debugRequested(arg.slice('--debug='.length), env)
    if (arg === '--debug') {
      const next = argv[i + 1]
      return next === undefined || next.startsWith('-') || debugRequested(next, env)
    }
  }
  return debugRequested(env.PERFGATE_DEBUG, env)
}
