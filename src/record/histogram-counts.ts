// Fast paths over an HDR histogram's counts array, for the thousands of small window histograms a
// run summarises (bench/aggregate.ts): hdr-histogram-js reads every one of a window's ~7 000
// counts through a method call, three times (add, percentiles, encoding), and builds its encoding
// byte by byte in a growing buffer and its base64 in JavaScript. These read the typed array directly.
// Their output is byte for byte hdr-histogram-js's own (__tests__/record/histogram-counts.test.ts
// checks it on random histograms); a histogram without a typed counts array (none perfgate
// builds) goes through the library as before.
import { Buffer } from 'node:buffer'
import * as zlib from 'node:zlib'
import * as hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'
import * as hdrEncoding from 'hdr-histogram-js/dist/JsHistogram.encoding.js'

/** The parts of hdr-histogram-js's JsHistogram read and called here (public in its JS, not in its types). */
export interface JsHistogramInternals {
  _counts?: Uint8Array | Uint16Array | Uint32Array | Float64Array
  _totalCount: number
  countsArrayLength: number
  bucketCount: number
  subBucketCount: number
  unitMagnitude: number
  maxValue: number
  minNonZeroValue: number
  highestTrackableValue: number
  lowestDiscernibleValue: number
  numberOfSignificantValueDigits: number
  startTimeStampMsec: number
  endTimeStampMsec: number
  autoResize: boolean
  getCountAtIndex(index: number): number
  countsArrayIndex(value: number): number
  valueFromIndex(index: number): number
  highestEquivalentValue(value: number): number
  medianEquivalentValue(value: number): number
  resize(value: number): void
  recordCountAtValue(count: number, value: number): void
  updatedMaxValue(value: number): void
  updateMinNonZeroValue(value: number): void
}

const internals = (h: Histogram) => h as unknown as JsHistogramInternals

/**
 * The counts as a Uint32Array, when the histogram keeps them in one (every perfgate histogram:
 * the library's default 32-bit buckets). One array type keeps the loops below monomorphic.
 */
export function countsOf(h: Histogram): Uint32Array | undefined {
  const counts = internals(h)._counts
  return counts instanceof Uint32Array ? counts : undefined
}

/**
 * `h.recordValue(value)` for a whole number of µs below 2^32, with the bucket index computed with
 * integer operations instead of the library's log2, floor and pow (the same index: its
 * floor(log2(v)) is 31 - clz32(v) for every such v). Perfgate's layout only (lowest discernible
 * value 1, 3 significant digits: 2 048 sub-buckets); anything else goes through the library.
 */
export function recordValue(h: Histogram, value: number): void {
  const js = internals(h)
  const counts = js._counts
  if (
    counts instanceof Uint32Array &&
    js.unitMagnitude === 0 &&
    js.subBucketCount === 2048 &&
    value >= 0 &&
    value <= 0xffff_ffff &&
    Number.isInteger(value)
  ) {
    const index = countsIndex(value)
    if (index < js.countsArrayLength) {
      counts[index]!++
      js._totalCount++
      if (value > js.maxValue) js.maxValue = value
      if (value < js.minNonZeroValue && value !== 0) js.minNonZeroValue = value
      return
    }
  }
  h.recordValue(value)
}

/** countsArrayIndex(v) of perfgate's layout, for 0 ≤ v < 2^32. */
function countsIndex(v: number): number {
  if (v < 2048) return v
  const bucket = 21 - Math.clz32(v) // floor(log2(v)) - 10
  return bucket * 1024 + (v >>> bucket)
}

/**
 * The indexes of the histogram's non-zero counts, ascending. A caller that recorded the values
 * itself passes them (`values[0, n)`): a window of 30 requests then costs 30 indexes, not a scan
 * of its ~7 000 counts. Undefined when the counts are not a Uint32Array (see countsOf).
 */
export function nonZeroIndexes(
  h: Histogram,
  values?: Uint32Array,
  n = values?.length ?? 0,
): Int32Array | undefined {
  const counts = countsOf(h)
  if (!counts) return undefined
  const js = internals(h)
  if (values !== undefined) {
    const indexes = new Int32Array(n)
    const ours = js.unitMagnitude === 0 && js.subBucketCount === 2048
    for (let i = 0; i < n; i++) indexes[i] = ours ? countsIndex(values[i]!) : js.countsArrayIndex(values[i]!)
    return distinctSorted(indexes)
  }
  const end = js._totalCount === 0 ? 0 : Math.min(counts.length, js.countsArrayIndex(js.maxValue) + 1)
  let k = 0
  for (let i = 0; i < end; i++) if (counts[i] !== 0) k++
  const indexes = new Int32Array(k)
  k = 0
  for (let i = 0; i < end; i++) if (counts[i] !== 0) indexes[k++] = i
  return indexes
}

/** The union of ascending index lists (the non-zero counts of a sum of histograms). */
export function unionIndexes(lists: Int32Array[]): Int32Array {
  let total = 0
  for (const list of lists) total += list.length
  const all = new Int32Array(total)
  let at = 0
  for (const list of lists) {
    all.set(list, at)
    at += list.length
  }
  return distinctSorted(all)
}

function distinctSorted(indexes: Int32Array): Int32Array {
  indexes.sort()
  let k = 0
  for (let i = 0; i < indexes.length; i++)
    if (i === 0 || indexes[i] !== indexes[k - 1]) indexes[k++] = indexes[i]!
  return indexes.subarray(0, k)
}

/**
 * `into.add(other)`, with the same result: after `into` grew to `other`'s range, the same bucket
 * layout adds counts array to array; otherwise each count is recorded at its bucket's value, as
 * the library does, but only the non-zero ones are visited.
 */
export function addHistogram(into: Histogram, other: Histogram, nonZero = nonZeroIndexes(other)): void {
  const a = internals(into)
  const b = internals(other)
  const target = countsOf(into)
  const source = countsOf(other)
  const maxIndex = b.countsArrayIndex(b.maxValue)
  if (!target || !source || !nonZero || !a.autoResize || maxIndex >= source.length) {
    into.add(other)
    return
  }
  const highestRecordable = a.highestEquivalentValue(a.valueFromIndex(a.countsArrayLength - 1))
  if (highestRecordable < b.maxValue) a.resize(b.maxValue)
  const grown = countsOf(into)!
  if (
    a.bucketCount === b.bucketCount &&
    a.subBucketCount === b.subBucketCount &&
    a.unitMagnitude === b.unitMagnitude
  ) {
    let added = 0
    for (const i of nonZero) {
      const n = source[i]!
      grown[i] = grown[i]! + n
      added += n
    }
    a._totalCount += added
    a.updatedMaxValue(Math.max(a.maxValue, b.maxValue))
    a.updateMinNonZeroValue(Math.min(a.minNonZeroValue, b.minNonZeroValue))
  } else {
    a.recordCountAtValue(source[maxIndex]!, b.valueFromIndex(maxIndex))
    for (const i of nonZero) if (i < maxIndex) a.recordCountAtValue(source[i]!, b.valueFromIndex(i))
  }
  a.startTimeStampMsec = Math.min(a.startTimeStampMsec, b.startTimeStampMsec)
  a.endTimeStampMsec = Math.max(a.endTimeStampMsec, b.endTimeStampMsec)
}

// hdr-histogram-js's V2 encoding: cookies, header layout and the ZigZag LEB128 counts.
const V2_ENCODING_COOKIE = 478450435 | 16
const V2_COMPRESSED_COOKIE = 478450436 | 16
const TWO_POW_32 = 2 ** 32

/** Big-endian writes into a growing byte array. */
class Bytes {
  data = new Uint8Array(1 << 12)
  length = 0
  private room(n: number): void {
    if (this.length + n <= this.data.length) return
    const grown = new Uint8Array(Math.max(this.data.length * 2, this.length + n))
    grown.set(this.data.subarray(0, this.length))
    this.data = grown
  }
  int32(value: number): void {
    this.room(4)
    const v = value >>> 0
    this.data[this.length++] = v >>> 24
    this.data[this.length++] = (v >>> 16) & 255
    this.data[this.length++] = (v >>> 8) & 255
    this.data[this.length++] = v & 255
  }
  int64(value: number): void {
    this.int32(Math.floor(value / TWO_POW_32))
    this.int32(value % TWO_POW_32)
  }
  /** ZigZag then LEB128, as hdr-histogram-js's ZigZagEncoding.encode (values within ±2^53). */
  zigZag(value: number): void {
    this.room(10)
    let v = value >= 0 ? value * 2 : -value * 2 - 1
    while (v >= 128) {
      this.data[this.length++] = 128 | (v % 128)
      v = Math.floor(v / 128)
    }
    this.data[this.length++] = v
  }
}

const scratch = new Bytes()

/**
 * hdr.encodeIntoCompressedBase64(h), read from the typed counts. Only when the library deflates
 * with Node's zlib (its own choice, made when it loads): otherwise the library encodes.
 */
export function encodeCompressedBase64(h: Histogram, nonZero = nonZeroIndexes(h)): string {
  const counts = countsOf(h)
  const js = internals(h)
  const end = js.countsArrayIndex(js.maxValue) + 1
  if (!counts || !nonZero || !USES_NODE_ZLIB || end > counts.length) return hdr.encodeIntoCompressedBase64(h)
  const out = scratch
  out.length = 0
  out.int32(V2_ENCODING_COOKIE)
  out.int32(0) // payload length, written below
  out.int32(1) // normalizing index offset, as the library writes it
  out.int32(js.numberOfSignificantValueDigits)
  out.int64(js.lowestDiscernibleValue)
  out.int64(js.highestTrackableValue)
  out.int64(1) // integer to double conversion ratio
  const payloadStart = out.length
  // A run of zeros is written as its negated length, a single zero as 0, as the library does.
  let previous = -1
  for (const i of nonZero) {
    if (i >= end) break
    const zeros = i - previous - 1
    if (zeros > 0) out.zigZag(zeros > 1 ? -zeros : 0)
    out.zigZag(counts[i]!)
    previous = i
  }
  const zeros = end - previous - 1
  if (zeros > 0) out.zigZag(zeros > 1 ? -zeros : 0)
  const payload = out.length - payloadStart
  const length = out.length
  out.length = 4
  out.int32(payload)
  out.length = length
  const compressed = zlib.deflateSync(out.data.subarray(0, length))
  // The library's target buffer starts at 16 bytes, so a very short result is padded with zeros.
  const whole = Buffer.alloc(Math.max(16, 8 + compressed.byteLength))
  whole.writeUInt32BE(V2_COMPRESSED_COOKIE >>> 0, 0)
  whole.writeUInt32BE(compressed.byteLength, 4)
  whole.set(compressed, 8)
  return whole.toString('base64')
}

/** Whether hdr-histogram-js found Node's zlib (it falls back to pako where `require` is missing). */
const USES_NODE_ZLIB = (hdrEncoding as { deflate?: unknown }).deflate === zlib.deflateSync
