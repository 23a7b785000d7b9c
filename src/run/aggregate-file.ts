// Aggregates a k6 NDJSON file (plain or gzip) as a stream: memory stays bounded by the
// number of endpoints and windows, not by the file size. A file cut short (k6 killed) is
// aggregated up to where it ends and reported as truncated.
import { createReadStream } from 'node:fs'
import { createGunzip, constants as zlib } from 'node:zlib'
import type { Readable } from 'node:stream'
import { LoadAggregator, type AggregateOptions, type AggregateResult } from './aggregate.ts'
import { K6JsonScanner } from './k6-json-scanner.ts'

export interface FileAggregate {
  result: AggregateResult
  lines: number
  malformed: number
  /** Why the file ended early, when it did. */
  truncated?: string
}

const READ_CHUNK = 1 << 20

export async function aggregateK6File(path: string, options: AggregateOptions): Promise<FileAggregate> {
  const aggregator = new LoadAggregator(options)
  const scanner = new K6JsonScanner(aggregator)
  let truncated: string | undefined
  try {
    for await (const chunk of openK6File(path)) scanner.pushBytes(chunk as Buffer)
  } catch (error) {
    truncated = `reading ${path} stopped: ${(error as Error).message}`
  }
  if (!scanner.end()) truncated ??= `the last line of ${path} was cut off`
  return { result: aggregator.result(), lines: scanner.lines, malformed: scanner.malformed, truncated }
}

function openK6File(path: string): Readable {
  const file = createReadStream(path, { highWaterMark: READ_CHUNK })
  if (!path.endsWith('.gz')) return file
  // SYNC_FLUSH lets a gzip stream that k6 never closed still yield what it holds.
  const gunzip = createGunzip({ chunkSize: READ_CHUNK, finishFlush: zlib.Z_SYNC_FLUSH })
  file.on('error', (error) => gunzip.destroy(error))
  return file.pipe(gunzip)
}
