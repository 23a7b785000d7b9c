// Follows k6's NDJSON output (plain or gzip) while k6 is still writing it: each poll reads what
// was appended since the last one into the sink, so the aggregate is current during the load (the
// paired stopping rule judges it) and after k6's exit only the last few seconds remain to read
// (issue 18: the verdict within seconds of the load's end).
//
// k6 writes its gzip output through a deflate stream it closes only at the end (output/json in
// k6): a poll inflates what has reached the file so far, and what deflate still buffers comes in
// a later poll. A file k6 never closed (killed) is read up to where it ends, as aggregate-file.ts.
import { open, type FileHandle } from 'node:fs/promises'
import { createGunzip, constants as zlib, type Gunzip } from 'node:zlib'
import { K6JsonScanner, type PointSink } from './k6-json-scanner.ts'
import { endOfRead, READ_CHUNK, type K6FileRead } from './aggregate-file.ts'

export class K6OutputTail {
  private readonly scanner: K6JsonScanner
  private readonly gzip: boolean
  private file: FileHandle | undefined
  private offset = 0
  private inflate: Gunzip | undefined
  private failed: Error | undefined
  /** Polls run one at a time: a timer's poll and the final one never read the same bytes twice. */
  private queue: Promise<void> = Promise.resolve()
  private readonly buffer = Buffer.allocUnsafeSlow(READ_CHUNK)

  constructor(
    private readonly path: string,
    sink: PointSink,
  ) {
    this.scanner = new K6JsonScanner(sink)
    this.gzip = path.endsWith('.gz')
  }

  /** Reads what k6 appended since the last poll; nothing when the file does not exist yet. */
  poll(): Promise<void> {
    const next = this.queue.then(() => this.readNew())
    this.queue = next.catch(() => {})
    return next
  }

  /** Reads the rest after k6's exit and ends the stream; ENOENT when k6 wrote no file at all. */
  async finish(): Promise<K6FileRead> {
    await this.poll().catch((error: Error) => {
      this.failed ??= error
    })
    if (!this.file) {
      const error = new Error(`k6 wrote no ${this.path}`) as NodeJS.ErrnoException
      error.code = 'ENOENT'
      throw error
    }
    await this.file.close()
    this.file = undefined
    if (this.inflate && !this.failed) await this.endInflate()
    else this.inflate?.destroy()
    const stopped = this.failed ? `reading ${this.path} stopped: ${this.failed.message}` : undefined
    return endOfRead(this.scanner, this.path, stopped)
  }

  private async readNew(): Promise<void> {
    if (this.failed) return
    if (!this.file) {
      try {
        this.file = await open(this.path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
        throw error
      }
    }
    for (;;) {
      const { bytesRead } = await this.file.read(this.buffer, 0, READ_CHUNK, this.offset)
      if (bytesRead === 0) return
      this.offset += bytesRead
      const chunk = this.buffer.subarray(0, bytesRead)
      try {
        if (this.gzip) await this.inflateChunk(chunk)
        else this.scanner.pushBytes(chunk)
      } catch (error) {
        this.failed = error as Error
        return
      }
    }
  }

  /** Inflates one chunk and waits until its output reached the scanner (the chunk is reused). */
  private inflateChunk(chunk: Buffer): Promise<void> {
    if (!this.inflate) {
      // SYNC_FLUSH at the end: a gzip stream k6 never closed still yields what it holds.
      this.inflate = createGunzip({ chunkSize: READ_CHUNK, finishFlush: zlib.Z_SYNC_FLUSH })
      this.inflate.on('data', (out: Buffer) => this.scanner.pushBytes(out))
    }
    const inflate = this.inflate
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error)
      inflate.once('error', onError)
      // The chunk is copied: zlib reads it on its own thread after write() returns.
      inflate.write(Buffer.from(chunk), (error) => {
        if (error) return reject(error)
        inflate.flush(zlib.Z_SYNC_FLUSH, () => {
          inflate.off('error', onError)
          resolve()
        })
      })
    })
  }

  private endInflate(): Promise<void> {
    const inflate = this.inflate!
    return new Promise((resolve) => {
      inflate.once('end', () => resolve())
      inflate.once('error', (error) => {
        this.failed ??= error
        resolve()
      })
      inflate.end()
      inflate.resume()
    })
  }
}
