// Aggregates a k6 NDJSON file (plain or gzip) as a stream: memory stays bounded by the
// number of endpoints and windows, not by the file size. A file cut short (k6 killed) is
// aggregated up to where it ends and reported as truncated.
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createGunzip, constants as zlib } from 'node:zlib'
import { LoadAggregator, type AggregateOptions, type AggregateResult } from './aggregate.ts'
import { K6JsonScanner, type PointSink } from './k6-json-scanner.ts'

export interface FileAggregate {
  result: AggregateResult
  lines: number
  malformed: number
  /** Why the file ended early, when it did. */
  truncated?: string
}

export const READ_CHUNK = 1 << 20

export async function aggregateK6File(path: string, options: AggregateOptions): Promise<FileAggregate> {
  const aggregator = new LoadAggregator(options)
  const read = await readK6File(path, aggregator)
  return { result: aggregator.result(), ...read }
}

/** What reading a k6 NDJSON file into a sink gave: its lines, and why it ended early when it did. */
export interface K6FileRead {
  lines: number
  malformed: number
  truncated?: string
}

/** Streams a k6 NDJSON file (plain or gzip) into `sink`; a cut-off file is read up to where it ends. */
export async function readK6File(path: string, sink: PointSink): Promise<K6FileRead> {
  const scanner = new K6JsonScanner(sink)
  let truncated: string | undefined
  try {
    if (path.endsWith('.gz')) await readGzip(path, (chunk) => scanner.pushBytes(chunk))
    else await readPlain(path, (chunk) => scanner.pushBytes(chunk))
  } catch (error) {
    truncated = `reading ${path} stopped: ${(error as Error).message}`
  }
  return endOfRead(scanner, path, truncated)
}

/** Ends the scan of `path` and says why it ended early, when it did (`stopped`: a read error). */
export function endOfRead(scanner: K6JsonScanner, path: string, stopped: string | undefined): K6FileRead {
  let truncated = stopped
  if (!scanner.end()) truncated ??= `the last line of ${path} was cut off`
  if (scanner.lines === 0) truncated ??= `${path} is empty: k6 recorded no samples`
  return { lines: scanner.lines, malformed: scanner.malformed, ...(truncated ? { truncated } : {}) }
}

/**
 * Reads into one buffer, over and over (the scanner copies what it keeps). A read stream allocates
 * a fresh buffer per chunk instead, and touching that new memory cost 5× the read itself
 * (bench/aggregate.ts: ~0.5 CPU s per 330 MB against ~0.1 s).
 */
async function readPlain(path: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  const file = await open(path)
  try {
    const buffer = Buffer.allocUnsafeSlow(READ_CHUNK)
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, READ_CHUNK, null)
      if (bytesRead === 0) return
      onChunk(buffer.subarray(0, bytesRead))
    }
  } finally {
    await file.close()
  }
}

async function readGzip(path: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  const file = createReadStream(path, { highWaterMark: READ_CHUNK })
  // SYNC_FLUSH lets a gzip stream that k6 never closed still yield what it holds.
  const gunzip = createGunzip({ chunkSize: READ_CHUNK, finishFlush: zlib.Z_SYNC_FLUSH })
  file.on('error', (error) => gunzip.destroy(error))
  for await (const chunk of file.pipe(gunzip)) onChunk(chunk as Buffer)
}
