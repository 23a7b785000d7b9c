// Text a target sent (response samples, record/load.ts) made safe to keep and show, and how much
// of it is kept. Pure; shared by the run stage that captures it and the report that shows it.

/** Distinct answers kept per (endpoint, status). */
export const SAMPLES_PER_STATUS = 3
/** Bytes of a body kept. */
export const RESPONSE_SAMPLE_BYTES = 200
/**
 * Text from the target made safe to store and show: control characters (but tab and newline,
 * which become spaces) and Unicode format characters (bidi overrides, zero-width) removed,
 * whitespace collapsed, cut to `maxBytes` of UTF-8 without splitting a character.
 */
export function cleanText(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const flat = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  let bytes = 0
  let end = 0
  for (const char of flat) {
    const size = Buffer.byteLength(char)
    if (bytes + size > maxBytes) return { text: flat.slice(0, end).trimEnd(), truncated: true }
    bytes += size
    end += char.length
  }
  return { text: flat, truncated: false }
}
