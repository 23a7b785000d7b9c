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
 * `into.add(other)`, with the same result: after `into` grew to `other`'s range, the same bucket
 * layout adds counts array to array; otherwise each count is recorded at its bucket's value, as
 * the library does, but only the non-zero ones are visited.
 */
export function addHistogram(into: Histogram, other: Histogram): void {
  const a = internals(into)
  const b = internals(other)
  const target = countsOf(into)
  const source = countsOf(other)
  const maxIndex = b.countsArrayIndex(b.maxValue)
  if (!target || !source || !a.autoResize || maxIndex >= source.length) {
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
    // Past the index of other's maximum every count is zero.
    let added = 0
    for (let i = 0; i <= maxIndex; i++) {
      const n = source[i]!
      if (n > 0) {
        grown[i] = grown[i]! + n
        added += n
      }
    }
    a._totalCount += added
    a.updatedMaxValue(Math.max(a.maxValue, b.maxValue))
    a.updateMinNonZeroValue(Math.min(a.minNonZeroValue, b.minNonZeroValue))
  } else {
    a.recordCountAtValue(source[maxIndex]!, b.valueFromIndex(maxIndex))
    for (let i = 0; i < maxIndex; i++) {
      const n = source[i]!
      if (n > 0) a.recordCountAtValue(n, b.valueFromIndex(i))
    }
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
export function encodeCompressedBase64(h: Histogram): string {
  const counts = countsOf(h)
  const js = internals(h)
  const end = js.countsArrayIndex(js.maxValue) + 1
  if (!counts || !USES_NODE_ZLIB || end > counts.length) return hdr.encodeIntoCompressedBase64(h)
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
  let i = 0
  while (i < end) {
    const count = counts[i++]!
    if (count === 0) {
      let zeros = 1
      while (i < end && counts[i] === 0) {
        zeros++
        i++
      }
      out.zigZag(zeros > 1 ? -zeros : 0)
    } else {
      out.zigZag(count)
    }
  }
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
