// `node --import` this file to have every module Node loads appended to the file named by
// PERFGATE_TRACE_LOADS, one URL a line, for tests that check what an entry point loads.
import { register } from 'node:module'

register('./trace-loads-hooks.mjs', import.meta.url)
