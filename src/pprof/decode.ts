// The pprof profile format (Go's profile.proto): decoding .pb / .pb.gz bytes into the model, and a
// cheaper check that bytes are a profile at all. Used by collect/ (the check), the output folder's
// loader (record/files.ts, the one decode per file) and the pprof CLI. Malformed input never throws:
// it becomes a one-line reason, like `go tool pprof` reports it.
import { gunzipSync } from 'node:zlib'
import { Profile as WireProfile } from 'pprof-format'
import type { Line, Location, Mapping, Profile, Result, Sample } from './model.ts'

type Numeric = number | bigint

/** int64 fields arrive as unsigned varints; big ones as bigint. */
function num(n: Numeric | undefined): number {
  if (n === undefined) return 0
  return typeof n === 'bigint' ? Number(BigInt.asIntN(64, n)) : n
}

/**
 * Walks the top-level protobuf fields and reports the first structural problem
 * (truncation, an impossible wire type), since pprof-format decodes such input silently.
 * `counts[field]` is incremented for each top-level field seen.
 */
function checkWire(bytes: Uint8Array, counts: number[] = []): string | undefined {
  let i = 0
  const varint = (): number | undefined => {
    let value = 0
    for (let shift = 0; shift < 70; shift += 7) {
      if (i >= bytes.length) return undefined
      const b = bytes[i++]!
      value += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return value
    }
    return undefined
  }
  while (i < bytes.length) {
    const start = i
    const key = varint()
    if (key === undefined) return `truncated field key at byte ${start}`
    const field = Math.floor(key / 8)
    const wire = key % 8
    // pprof-format reads the field number from one byte; profile.proto's fields are 1..15.
    if (field < 1 || field > 15 || i - start !== 1)
      return `unexpected protobuf field ${field} at byte ${start}`
    counts[field] = (counts[field] ?? 0) + 1
    if (wire === 0) {
      if (varint() === undefined) return `truncated varint at byte ${start}`
    } else if (wire === 2) {
      const size = varint()
      if (size === undefined || i + size > bytes.length) return `truncated field ${field} at byte ${start}`
      i += size
    } else {
      return `unexpected protobuf wire type ${wire} at byte ${start}`
    }
  }
  return undefined
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

/** Go's heuristic: the first mapping with a file that is not a shared library or `[vdso]` is the main binary. */
function mainBinaryFirst(mappings: Mapping[]): Mapping[] {
  const libRx = /([.]so$|[.]so[._][0-9]+)/
  const out = [...mappings]
  const i = out.findIndex((m) => {
    const file = m.file.replaceAll('(deleted)', '').trim()
    return file !== '' && !libRx.test(file) && !file.startsWith('[')
  })
  if (i > 0) [out[0], out[i]] = [out[i]!, out[0]!]
  return out
}

function convert(wire: WireProfile): Result<Profile> {
  const strings = wire.stringTable.strings
  let badString: number | undefined
  const str = (n: Numeric | undefined): string => {
    const i = num(n)
    const s = strings[i]
    if (s === undefined) {
      badString ??= i
      return ''
    }
    return s
  }
  if (strings.length > 0 && strings[0] !== '')
    return { ok: false, reason: 'string table does not start with ""' }

  const mappings = new Map<number, Mapping>()
  for (const m of wire.mapping) {
    const id = num(m.id)
    if (id === 0 || mappings.has(id))
      return { ok: false, reason: `mapping with invalid or repeated id ${id}` }
    mappings.set(id, { id, file: str(m.filename), buildId: str(m.buildId) })
  }
  const functions = new Map<number, Omit<Line, 'line'>>()
  for (const f of wire.function) {
    const id = num(f.id)
    if (id === 0 || functions.has(id))
      return { ok: false, reason: `function with invalid or repeated id ${id}` }
    functions.set(id, {
      function: str(f.name),
      systemName: str(f.systemName),
      filename: str(f.filename),
      startLine: num(f.startLine),
    })
  }
  const locations = new Map<number, Location>()
  for (const l of wire.location) {
    const id = num(l.id)
    if (id === 0 || locations.has(id))
      return { ok: false, reason: `location with invalid or repeated id ${id}` }
    const mappingId = num(l.mappingId)
    const mapping = mappingId === 0 ? undefined : mappings.get(mappingId)
    if (mappingId !== 0 && !mapping)
      return { ok: false, reason: `location ${id} refers to missing mapping ${mappingId}` }
    const lines: Line[] = []
    for (const line of l.line) {
      const fn = functions.get(num(line.functionId))
      if (!fn)
        return { ok: false, reason: `location ${id} refers to missing function ${num(line.functionId)}` }
      lines.push({ ...fn, line: num(line.line) })
    }
    locations.set(id, { id, address: num(l.address), mappingFile: mapping?.file ?? '', lines })
  }

  const sampleTypes = wire.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) }))
  if (sampleTypes.length === 0 && wire.sample.length > 0)
    return { ok: false, reason: 'missing sample type information' }
  const samples: Sample[] = []
  for (const s of wire.sample) {
    if (s.value.length !== sampleTypes.length) {
      return {
        ok: false,
        reason: `mismatch: sample has ${s.value.length} values vs. ${sampleTypes.length} types`,
      }
    }
    const locs: Location[] = []
    for (const id of s.locationId) {
      const loc = locations.get(num(id))
      if (!loc) return { ok: false, reason: `sample refers to missing location ${num(id)}` }
      locs.push(loc)
    }
    const labels: Record<string, string[]> = {}
    for (const label of s.label) {
      if (num(label.str) === 0) continue
      ;(labels[str(label.key)] ??= []).push(str(label.str))
    }
    samples.push({ locations: locs, values: s.value.map(num), labels })
  }

  const profile: Profile = {
    sampleTypes,
    defaultSampleType: str(wire.defaultSampleType),
    samples,
    mappings: mainBinaryFirst([...mappings.values()]),
    timeNanos: num(wire.timeNanos),
    durationNanos: num(wire.durationNanos),
    periodType: wire.periodType
      ? { type: str(wire.periodType.type), unit: str(wire.periodType.unit) }
      : undefined,
    period: num(wire.period),
    comments: wire.comment.map(str),
    docUrl: str(wire.docUrl),
    dropFrames: str(wire.dropFrames),
    keepFrames: str(wire.keepFrames),
  }
  if (badString !== undefined)
    return { ok: false, reason: `string index ${badString} is outside the string table` }
  return { ok: true, value: profile }
}

/** Decompressed size a profile may have (Go's largest real heap profiles are tens of MB). */
export const MAX_PROFILE_BYTES = 256 * 2 ** 20

/** The protobuf bytes of a profile, gunzipped when compressed; a reason when they are not a profile. */
function wireBytes(bytes: Uint8Array, counts?: number[]): Result<Uint8Array> {
  let data = bytes
  if (isGzip(bytes)) {
    // A profile never needs more than this; the cap refuses a gzip bomb before it fills memory.
    const maxBytes = MAX_PROFILE_BYTES
    try {
      data = gunzipSync(bytes, { maxOutputLength: maxBytes })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        return {
          ok: false,
          reason: `decompressing profile: it inflates to more than ${maxBytes / 2 ** 20} MB, the limit for a profile`,
        }
      return { ok: false, reason: `decompressing profile: ${oneLine(error)}` }
    }
  }
  if (data.length === 0) return { ok: false, reason: 'parsing profile: empty input file' }
  const problem = checkWire(data, counts)
  if (problem) return { ok: false, reason: `parsing profile: not a pprof protobuf profile (${problem})` }
  return { ok: true, value: data }
}

/** profile.proto's field numbers of the sample types and the samples. */
const SAMPLE_TYPE_FIELD = 1
const SAMPLE_FIELD = 2

/**
 * checkProfile tells whether bytes are a pprof profile (gzip-compressed or raw) and how many
 * samples it has, from the protobuf structure alone: what a collector needs before it keeps the
 * file, without building the model (the output folder's loader decodes each file once, later).
 * Never throws.
 */
export function checkProfile(bytes: Uint8Array): Result<{ samples: number }> {
  const counts: number[] = []
  const data = wireBytes(bytes, counts)
  if (!data.ok) return data
  if (!counts[SAMPLE_TYPE_FIELD])
    return { ok: false, reason: 'malformed profile: profile has no sample types' }
  return { ok: true, value: { samples: counts[SAMPLE_FIELD] ?? 0 } }
}

let decodeCalls = 0

/** How many times decodeProfile ran in this process: lets a test prove each file is decoded once per run. */
export function profileDecodeCount(): number {
  return decodeCalls
}

/**
 * decodeProfile parses a pprof protobuf profile, gzip-compressed (.pb.gz) or raw.
 * It never throws: truncated, empty or foreign input gives `{ ok: false, reason }`
 * with a one-line reason.
 */
export function decodeProfile(bytes: Uint8Array): Result<Profile> {
  decodeCalls++
  const bytesOk = wireBytes(bytes)
  if (!bytesOk.ok) return bytesOk
  const data = bytesOk.value
  let wire: WireProfile
  try {
    wire = WireProfile.decode(data)
  } catch (error) {
    return { ok: false, reason: `parsing profile: ${oneLine(error)}` }
  }
  const result = convert(wire)
  if (!result.ok) return { ok: false, reason: `malformed profile: ${result.reason}` }
  if (result.value.sampleTypes.length === 0) {
    return { ok: false, reason: 'malformed profile: profile has no sample types' }
  }
  return result
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.trim()
}
