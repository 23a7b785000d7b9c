/**
 * ConfigError is the only error perfgate throws on purpose: a configuration mistake,
 * reported as one line naming the input or key path (and line), the value and what is allowed.
 * Everything observed at run time becomes data in the RunRecord instead.
 */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Formats a value for an error line: short, quoted, never multi-line. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  const oneLine = (text ?? String(value)).replace(/\s+/g, ' ')
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine)
}
