// Scrubs the raw files of the output folder before they become the artifact: text files in
// place, gzip text files (k6.ndjson.gz) decompressed, scrubbed and recompressed as a stream.
import { createReadStream, createWriteStream } from 'node:fs'
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip, createGzip, constants as zlib } from 'node:zlib'
import type { SecretScrubber } from './secrets.ts'

const TEXT = /\.(json|ndjson|txt|js|md|html|csv|log|ya?ml)$/
/** Compressed text: k6's NDJSON and any .json.gz/.txt.gz a collector wrote (not .pb.gz profiles). */
const GZIP_TEXT = /\.(json|ndjson|txt|csv|log)\.gz$/

export async function scrubOutputFiles(dir: string, scrubber: SecretScrubber): Promise<void> {
  if (scrubber.values.length === 0) return
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath ?? dir, entry.name)
    if (GZIP_TEXT.test(entry.name)) await scrubGzipFile(file, scrubber)
    else if (TEXT.test(entry.name)) {
      const text = await readFile(file, 'utf8')
      const clean = scrubber.scrub(text)
      if (clean !== text) await writeFile(file, clean)
    }
  }
}

/** Rewrites a gzip text file with its secrets replaced; a stream cut short (k6 killed) is read as far as it goes. */
export async function scrubGzipFile(file: string, scrubber: SecretScrubber): Promise<void> {
  const temp = `${file}.scrub-${process.pid}`
  const scrub = new ScrubStream(scrubber)
  try {
    await pipeline(
      createReadStream(file),
      createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH }),
      scrub,
      createGzip({ level: 6 }),
      createWriteStream(temp),
    )
  } catch (error) {
    await rm(temp, { force: true })
    // Not gzip after all, or unreadable: it must not reach the artifact as it is.
    await writeFile(
      file,
      `(removed by perfgate: could not be scrubbed of secrets: ${(error as Error).message})\n`,
    )
    return
  }
  if (scrub.replaced) await rename(temp, file)
  else await rm(temp, { force: true })
}

/**
 * Scrubs a text stream chunk by chunk. The last (longest secret − 1) characters are held back,
 * so a secret split across two chunks is still found whole.
 */
class ScrubStream extends Transform {
  replaced = false
  private carry = ''
  private readonly decoder = new StringDecoder('utf8')
  private readonly hold: number

  constructor(private readonly scrubber: SecretScrubber) {
    super()
    this.hold = Math.max(0, ...scrubber.values.map((v) => v.length)) - 1
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const text = this.carry + this.decoder.write(chunk)
    const clean = this.scrubber.scrub(text)
    if (clean !== text) this.replaced = true
    const cut = Math.max(0, clean.length - this.hold)
    this.carry = clean.slice(cut)
    done(null, clean.slice(0, cut))
  }

  override _flush(done: TransformCallback): void {
    const text = this.carry + this.decoder.end()
    const clean = this.scrubber.scrub(text)
    if (clean !== text) this.replaced = true
    done(null, clean)
  }
}
