// Response samples for a user's own k6 script (issue 16): perfgate cannot make the script log its
// failing answers, so after the load it requests each failing endpoint once itself, with the
// attribution probe's values and auth (collect/probe.ts), and keeps what the target answered,
// marked as re-requested after the load. Only requests that change nothing are sent unasked: GET
// endpoints, and other methods only when the endpoint is declared with a body (a configured request).
import type { EndpointSpec, Plan } from '../plan/types.ts'
import type { LoadPart, ResponseSample } from '../record/load.ts'
import { RESPONSE_SAMPLE_BYTES, ResponseSampleCollector } from '../run/response-samples.ts'
import type { SecretScrubber } from '../secrets.ts'
import { gatherPools, probeRequests, type ProbeRequest } from './probe.ts'
import type { FetchLike } from './types.ts'

export interface ResampleDeps {
  fetch: FetchLike
  log: (line: string) => void
  scrubber: SecretScrubber
  /** The load test's bearer token (PERFGATE_TOKEN), as the probe uses it. */
  token?: string
  /** Per request; the default is 5 s. */
  timeoutMs?: number
  /** The whole step, the probe's value lookups included; the default is 30 s. */
  totalTimeoutMs?: number
}

export interface Resampled {
  samples: ResponseSample[]
  skipped: { endpoint: string; reason: string }[]
}

/** Bytes of a body read: enough for the sample after scrubbing, never the whole of a large page. */
const READ_BYTES = RESPONSE_SAMPLE_BYTES * 4

/** The failing endpoints' one request each, or why one is not sent. Pure. */
export function resampleRequests(
  plan: Plan,
  load: LoadPart,
  pools: Parameters<typeof probeRequests>[1],
): { requests: ProbeRequest[]; skipped: Resampled['skipped'] } {
  const failing = load.endpoints.filter((ep) => ep.errors > 0)
  const declared = new Map(plan.endpoints.map((e) => [e.name, e]))
  const specs: EndpointSpec[] = []
  const skipped: Resampled['skipped'] = []
  for (const ep of failing) {
    const spec = declared.get(ep.name)
    if (spec) {
      if (spec.method !== 'GET' && spec.body === undefined)
        skipped.push({
          endpoint: ep.name,
          reason: `${spec.method} without a configured body (endpoints[].body): perfgate does not make up requests that change data`,
        })
      else specs.push(spec)
      continue
    }
    // An endpoint named from its URL (`GET /api/v1/feed`): its path is the request when it holds no id.
    const fromUrl = /^GET (\/\S*)$/.exec(ep.name)
    if (fromUrl && !fromUrl[1]!.includes(':'))
      specs.push({ name: ep.name, method: 'GET', route: fromUrl[1]! })
    else
      skipped.push({
        endpoint: ep.name,
        reason: fromUrl
          ? 'its URL holds ids perfgate does not know: declare it under endpoints to have it re-requested'
          : 'not a declared endpoint nor a GET URL: declare it under endpoints to have it re-requested',
      })
  }
  const probe = probeRequests(specs, pools)
  return { requests: probe.requests, skipped: [...skipped, ...probe.skipped] }
}

/**
 * Requests each failing endpoint of a user's script's load once and keeps the answers (scrubbed,
 * cut) as `after-load` samples. Never throws: a request that fails is a sample with its error.
 */
export async function resampleFailures(
  plan: Plan,
  load: LoadPart,
  deps: ResampleDeps,
  signal?: AbortSignal,
): Promise<Resampled> {
  if (!load.endpoints.some((ep) => ep.errors > 0)) return { samples: [], skipped: [] }
  // A target that stopped answering must not hold the run: the whole step is boxed.
  const box = AbortSignal.timeout(deps.totalTimeoutMs ?? 30_000)
  const stop = signal ? AbortSignal.any([signal, box]) : box
  const pools = await gatherPools(
    { plan, signal: stop, deps: { fetch: deps.fetch, log: deps.log } },
    deps.token,
  )
  const { requests, skipped } = resampleRequests(plan, load, pools)
  const samples = new ResponseSampleCollector(deps.scrubber, 'after-load')
  const base = plan.targetUrl.replace(/\/+$/, '')
  for (const r of requests) {
    if (stop.aborted) {
      skipped.push({
        endpoint: r.endpoint,
        reason: signal?.aborted ? 'perfgate was stopped' : 'the re-requests ran out of time',
      })
      continue
    }
    const timeout = AbortSignal.any([stop, AbortSignal.timeout(deps.timeoutMs ?? 5000)])
    try {
      const response = await deps.fetch(`${base}${r.path}`, {
        method: r.method,
        headers: r.headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
        signal: timeout,
        redirect: 'manual',
      })
      const { text, more } = await readStart(response, READ_BYTES)
      samples.add({
        endpoint: r.endpoint,
        status: response.status,
        body: text,
        truncated: more,
        headers: Object.fromEntries(response.headers.entries()),
      })
    } catch (error) {
      samples.add({ endpoint: r.endpoint, status: 0, body: '', error: (error as Error).message })
    }
  }
  deps.log(
    `perfgate: re-requested ${requests.length} failing endpoint${requests.length === 1 ? '' : 's'} once after the load` +
      (skipped.length ? ` (${skipped.length} not: ${skipped.map((s) => s.endpoint).join(', ')})` : ''),
  )
  return { samples: samples.samples(), skipped }
}

/** The first `max` bytes of a body as text, and whether there was more; the rest is not read. */
async function readStart(response: Response, max: number): Promise<{ text: string; more: boolean }> {
  const reader = response.body?.getReader()
  if (!reader) return { text: '', more: false }
  const chunks: Uint8Array[] = []
  let size = 0
  let more = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
      if (size >= max) {
        more = size > max
        break
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  // A character cut at the end decodes as U+FFFD; the sample is cut shorter than this anyway.
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max))
  return { text, more }
}
