// Module hooks of trace-loads.mjs (they run on Node's loader thread, hence a file, not stderr).
import { appendFileSync } from 'node:fs'

export async function load(url, context, next) {
  if (process.env.PERFGATE_TRACE_LOADS) appendFileSync(process.env.PERFGATE_TRACE_LOADS, `${url}\n`)
  return next(url, context)
}
