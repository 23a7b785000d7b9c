// Reading files out of another run's artifact through the REST API: the zip endpoint answers with
// a redirect to a short-lived signed URL, fetched without our token, and streamed through unzip so
// only the wanted entries are kept in memory (a report folder may hold large raw files).
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import unzip, { type Entry } from 'unzip-stream'
import type { GitHubClient } from './octokit.ts'
import { proxyAwareFetch } from './http.ts'

export interface ArtifactRef {
  owner: string
  repo: string
  artifactId: number
}

export interface DownloadOptions {
  /** Default: a fetch that honours HTTPS_PROXY/NO_PROXY (blob storage is reached like the API). */
  fetch?: typeof fetch
  /** Largest entry kept (default 64 MiB): a bigger one is an error, not an out-of-memory. */
  maxEntryBytes?: number
  /** When given, a bigger entry is left out and its name added here instead of being an error. */
  oversized?: Set<string>
}

/** Downloads an artifact's zip and returns the entries named in `wanted` (paths inside the zip). */
export async function downloadArtifactFiles(
  octokit: GitHubClient,
  ref: ArtifactRef,
  wanted: string[],
  options: DownloadOptions = {},
): Promise<Map<string, Buffer>> {
  const response = await octokit.request(
    'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
    {
      owner: ref.owner,
      repo: ref.repo,
      artifact_id: ref.artifactId,
      archive_format: 'zip',
      request: { redirect: 'manual' },
    },
  )
  const location = (response.headers as Record<string, string | undefined>).location
  if (!location)
    throw new Error(`artifact ${ref.artifactId}: GitHub answered ${response.status} without a download URL`)
  // The signed URL carries its own authorization; our token must not travel to blob storage.
  const blob = await (options.fetch ?? proxyAwareFetch())(location)
  if (!blob.ok || !blob.body)
    throw new Error(`artifact ${ref.artifactId}: download from blob storage failed with HTTP ${blob.status}`)
  const maxBytes = options.maxEntryBytes ?? 64 * 1024 * 1024
  const found = new Map<string, Buffer>()
  const keep = new Set(wanted.map(normalise))
  await pipeline(
    Readable.fromWeb(blob.body as WebReadableStream<Uint8Array>),
    unzip.Parse(),
    new Writable({
      objectMode: true,
      write(entry: Entry, _encoding, done) {
        const name = normalise(entry.path)
        if (entry.type !== 'File' || !keep.has(name)) {
          entry.autodrain()
          done()
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        entry.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size <= maxBytes) chunks.push(chunk)
        })
        entry.on('error', done)
        entry.on('end', () => {
          if (size > maxBytes) {
            if (!options.oversized)
              return done(new Error(`artifact ${ref.artifactId}: ${name} is over ${maxBytes} bytes`))
            options.oversized.add(name)
            return done()
          }
          found.set(name, Buffer.concat(chunks))
          done()
        })
      },
    }),
  )
  return found
}

function normalise(entryPath: string): string {
  return entryPath.replace(/\\/g, '/').replace(/^\.?\//, '')
}
