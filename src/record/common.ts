/** A collector's part: its data, or why it is missing. None of them can fail the run. */
export interface Unavailable {
  unavailable: string
}

export type Part<T> = T | Unavailable

export function isUnavailable<T>(part: Part<T> | undefined): part is Unavailable {
  return part !== undefined && part !== null && typeof (part as Unavailable).unavailable === 'string'
}
