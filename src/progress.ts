export interface Progress {
  elapsedS: number
  totalS: number
  vus: number
  requests: number
  errors: number
}

/** `[  35s/90s] 40 VUs, 1234 requests, 0 errors` — one line per tick while the load runs. */
export function formatProgress(p: Progress): string {
  const width = String(Math.round(p.totalS)).length
  const elapsed = String(Math.min(Math.round(p.elapsedS), Math.round(p.totalS))).padStart(width)
  return `[${elapsed}s/${Math.round(p.totalS)}s] ${p.vus} VUs, ${p.requests} requests, ${p.errors} errors`
}
