// Failing responses explained (issue 16): per endpoint and failing status, how many requests got
// it, a few answers the target gave (record.load.responseSamples), and, for 401/403/429 storms
// and Retry-After headers, what they most likely are: the target's authentication, abuse
// protection or rate limiting refusing the load generator. Pure.
import type { EndpointLoad, LoadPart, ResponseSample } from '../record/load.ts'
import { cleanText, RESPONSE_SAMPLE_BYTES } from '../record/response-text.ts'
import { codeSpan, list, para, plain, withCode } from './blocks.ts'
import type { Block, ListItem, Span } from './model.ts'

/** A failing status given to at least this share of an endpoint's requests is named as a storm. */
export const STORM_SHARE = 0.1

export type StormKind = 'authentication' | 'abuse-protection' | 'rate-limiting'

export interface FailureGroup {
  endpoint: string
  /** HTTP status; 0: no answer. */
  status: number
  count: number
  /** Of the endpoint's requests. */
  share: number
  samples: ResponseSample[]
  storm?: { kind: StormKind; sentence: string }
}

/** `100 %`, `35.2 %`, `10 %`: one decimal only where it says something. */
const pct = (share: number) => {
  const value = Math.round(share * 1000) / 10
  return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)} %`
}

/** The statuses k6 counts as failed by default (not 200–399), with their counts. */
function failingStatuses(ep: EndpointLoad): [number, number][] {
  if (!(ep.errors > 0)) return []
  return Object.entries(ep.statuses)
    .map(([code, n]) => [Number(code), n] as [number, number])
    .filter(([code, n]) => Number.isInteger(code) && !(code >= 200 && code < 400) && n > 0)
}

/**
 * The sentence naming a storm, with the threshold it was named at and what to do; undefined when
 * the status is no storm (below STORM_SHARE, or a status that says nothing about the load generator).
 */
export function stormOf(
  endpoint: string,
  status: number,
  share: number,
  samples: ResponseSample[],
): FailureGroup['storm'] {
  if (!(share >= STORM_SHARE)) return undefined
  const retryAfter = samples.map((s) => s.headers['retry-after']).find((v) => v !== undefined)
  // The sentence is rendered with its `code` spans: text from the target must bring no backtick.
  const clean = cleanText(endpoint, 200).text
  const name = clean.includes('`') ? clean.replace(/`/g, "'") : `\`${clean}\``
  const measured = `${pct(share)} of ${name}'s requests answered ${status} (named so at ≥ ${pct(STORM_SHARE)} of an endpoint's requests)`
  const fix =
    'allow-list the runner’s address at the target (or its WAF or CDN) for the test, or lower the rate (the vus input, think-time-scale)'
  if (status === 429 || retryAfter !== undefined) {
    const header =
      retryAfter !== undefined
        ? `, with Retry-After: ${cleanText(retryAfter, 40).text.replace(/`/g, "'")}`
        : ''
    return {
      kind: 'rate-limiting',
      sentence: `Rate limiting of the load generator: ${measured}${header}. The target throttled perfgate, so these numbers measure its limiter, not the endpoint: ${fix}.`,
    }
  }
  if (status === 401)
    return {
      kind: 'authentication',
      sentence: `Authentication refused the load generator: ${measured}. Check the token the load sends (PERFGATE_TOKEN, the fixtures' tokens, the script's own); if the target bans by address after many requests, ${fix}.`,
    }
  if (status === 403)
    return {
      kind: 'abuse-protection',
      sentence: `Abuse protection (or authorisation) refused the load generator: ${measured}. A target that bans an address after many requests answers so to a load test: ${fix}.`,
    }
  return undefined
}

/** Every failing (endpoint, status) of the load, most requests first, with its samples and storm. */
export function failureGroups(load: LoadPart): FailureGroup[] {
  const samples = load.responseSamples ?? []
  const groups: FailureGroup[] = []
  for (const ep of load.endpoints) {
    for (const [status, count] of failingStatuses(ep)) {
      const mine = samples.filter((s) => s.endpoint === ep.name && s.status === status)
      const share = ep.count > 0 ? count / ep.count : 0
      const storm = stormOf(ep.name, status, share, mine)
      groups.push({ endpoint: ep.name, status, count, share, samples: mine, ...(storm ? { storm } : {}) })
    }
  }
  groups.sort((a, b) => b.count - a.count || a.endpoint.localeCompare(b.endpoint))
  // A re-request after the load may get another answer (the ban lifted, another error): it still
  // belongs to the endpoint, under its most frequent failing status.
  for (const s of samples) {
    if (s.source !== 'after-load' || groups.some((g) => g.samples.includes(s))) continue
    groups.find((g) => g.endpoint === s.endpoint)?.samples.push(s)
  }
  return groups
}

/** One answer as report text: target text cleaned again (a record may come from elsewhere) and plain, so the renderer escapes it. */
function sampleItem(s: ResponseSample): ListItem {
  const body = cleanText(s.body, RESPONSE_SAMPLE_BYTES)
  const headers = Object.entries(s.headers ?? {})
    .slice(0, 6)
    .map(([k, v]) => `${cleanText(k, 40).text}: ${cleanText(v, 120).text}`)
  const text: Span[] = [
    plain(
      s.source === 'after-load'
        ? `re-requested after the load: ${s.status || 'no answer'}`
        : `${s.status || 'no answer'}`,
    ),
    ...(s.error ? [plain(` (${cleanText(s.error, 200).text})`)] : []),
    ...(headers.length ? [plain(` · ${headers.join(' · ')}`)] : []),
    plain(' · '),
    body.text
      ? plain(`body “${body.text}${body.truncated || s.truncated ? ' …' : ''}”`)
      : plain('empty body'),
  ]
  return { text }
}

/** The report's failing-responses blocks: one item per failing (endpoint, status); none when nothing failed. */
export function failureBlocks(load: LoadPart): Block[] {
  const groups = failureGroups(load)
  if (groups.length === 0) return []
  const items: ListItem[] = groups.map((g) => ({
    text: [
      codeSpan(cleanText(g.endpoint, 200).text),
      plain(
        ` answered ${g.status || 'nothing (no response)'} to ${g.count.toLocaleString('en-US')} requests (${pct(g.share)} of its requests)`,
      ),
    ],
    children: [
      // The sentence's `endpoint` becomes a code span; a name that is not plain stays escaped text.
      ...(g.storm ? [{ text: withCode(g.storm.sentence) }] : []),
      ...g.samples.map(sampleItem),
      ...(g.samples.length === 0 ? [{ text: [plain(samplesMissing(load, g.endpoint))] }] : []),
    ],
  }))
  const reRequested = groups.some((g) => g.samples.some((s) => s.source === 'after-load'))
  return [
    para(
      `Failing responses: up to 3 distinct answers per endpoint and status, the first ${RESPONSE_SAMPLE_BYTES} bytes of each body with secrets scrubbed; text from the target is shown as text, never as markup.` +
        (reRequested
          ? ' The script’s own answers are not visible to perfgate: it requested each failing endpoint once after the load (GET endpoints, or a declared body, with the attribution probe’s values and token), so these answers may differ from what the script got.'
          : ''),
    ),
    list(items),
  ]
}

/** Why a failing (endpoint, status) has no sample. */
function samplesMissing(load: LoadPart, endpoint: string): string {
  const skipped = load.responseSamplesSkipped?.find((s) => s.endpoint === endpoint)
  if (skipped) return `No answer kept: not re-requested after the load (${skipped.reason}).`
  if (load.source?.kind === 'script') return 'No answer kept: the re-request after the load got none.'
  return load.responseSamples
    ? 'No answer kept for this status: each VU logs only its first few failing answers.'
    : 'No answer kept: none was logged (a record of an older perfgate keeps none).'
}

/** The storm sentences of the load, for the follow-up actions and the PR comment. */
export function stormSentences(load: LoadPart | undefined): string[] {
  return load ? failureGroups(load).flatMap((g) => (g.storm ? [g.storm.sentence] : [])) : []
}
