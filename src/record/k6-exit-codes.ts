// k6's exit codes perfgate reads (k6's errext/exitcodes). Constants only, so the report may name them.

/** The script's own thresholds were crossed: a result, not a failure. */
export const K6_THRESHOLDS_CROSSED = 99
/** The test was stopped over k6's REST API (ScriptStoppedFromRESTAPI): the stopping rule's end. */
export const K6_STOPPED_FROM_API = 103
/** k6 got SIGINT/SIGTERM (ExternalAbort). */
export const K6_EXTERNAL_ABORT = 105
