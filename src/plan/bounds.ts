// Upper bounds on what a PR gate may ask for. A typo (`--vus 1e9`, `--duration 99999h`) should
// be refused in one line before k6 starts, not become a run that never ends.

/** Peak virtual users: far above any PR check, well below what exhausts one runner. */
export const MAX_VUS = 10_000
/** Load length: a GitHub-hosted job stops at 6 h whatever runs in it. */
export const MAX_DURATION_S = 6 * 3600
/** How long a sleeping preview may take to answer before it is declared down. */
export const MAX_TARGET_WAIT_S = 15 * 60
export const DEFAULT_TARGET_WAIT_S = 60
/** A warm-up longer than this is a load test of its own. */
export const MAX_WARM_UP_S = 5 * 60
/** perfgate.yml above this is refused before parsing (a real one is a few KB). */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** `21600 s (6h)`: the bound as the user would write it, for error lines. */
export function durationBoundText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}
