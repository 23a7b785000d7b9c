// Findings new since the baseline: a finding is new when the baseline run had none with the same
// key, its kind and where it is (the location, else the endpoint and the title without its
// numbers, since a measured figure in a title moves from run to run). Pure.
import type { Finding } from '../record/findings.ts'

export interface FindingsSince {
  /** This run's findings the baseline did not have. */
  newOnes: Set<Finding>
  /** The baseline's findings this run no longer has. */
  gone: number
}

/** The key two runs' findings are matched by: `contention|internal/app/faults.go:245`. */
export function findingKey(f: Finding): string {
  if (f.location) return `${f.kind}|${f.location}`
  const title = f.title
    .replace(/\d+(?:[.,]\d+)*/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
  return `${f.kind}|${f.endpoint ?? ''}|${title}`
}

/**
 * findingsSince matches `current` against the baseline's findings; undefined when the baseline
 * record carries no findings (nothing to tell new ones by).
 */
export function findingsSince(
  current: Finding[],
  baseline: Finding[] | undefined,
): FindingsSince | undefined {
  if (!baseline) return undefined
  const before = new Set(baseline.map(findingKey))
  const now = new Set(current.map(findingKey))
  return {
    newOnes: new Set(current.filter((f) => !before.has(findingKey(f)))),
    gone: [...before].filter((k) => !now.has(k)).length,
  }
}

/** `New since the baseline: 2 of 5 findings (matched by kind and location); 1 of the baseline's is gone.` */
export function sinceText(since: FindingsSince, total: number): string {
  const gone =
    since.gone > 0 ? `; ${since.gone} of the baseline's ${since.gone === 1 ? 'is' : 'are'} gone` : ''
  return `New since the baseline: ${since.newOnes.size} of ${total} finding${total === 1 ? '' : 's'} (matched by kind and location)${gone}.`
}
