// perfgate's in-memory pprof model: one decoded profile with strings resolved and
// int64s as numbers. Every analysis in this folder reads it and none modifies it.

export interface ValueType {
  type: string
  unit: string
}

/** One frame of a location; inlined callees come first, the physical caller last. */
export interface Line {
  function: string
  systemName: string
  filename: string
  startLine: number
  line: number
}

export interface Mapping {
  id: number
  file: string
  buildId: string
}

export interface Location {
  id: number
  address: number
  /** File of the location's mapping, '' when unknown. */
  mappingFile: string
  lines: Line[]
}

export interface Sample {
  /** Leaf first, as in profile.proto. */
  locations: Location[]
  /** One value per sample type. */
  values: number[]
  labels: Record<string, string[]>
}

export interface Profile {
  sampleTypes: ValueType[]
  /** Type name of the default sample type, '' when the profile names none. */
  defaultSampleType: string
  samples: Sample[]
  /** Main binary first (pprof's heuristic). */
  mappings: Mapping[]
  timeNanos: number
  durationNanos: number
  periodType?: ValueType
  period: number
  comments: string[]
  docUrl: string
  dropFrames: string
  keepFrames: string
}

/** A result that is either a value or a one-line reason it could not be produced. */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string }
