// Reading and writing result.json. A record is validated once, when it is loaded; records of
// an older schema are upgraded here so no other stage has to know about old shapes.
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { SCHEMA_VERSION, type RunRecord } from './index.ts'

export class RecordError extends Error {
  override name = 'RecordError'
}

/** Parses and validates a RunRecord; throws RecordError with one line naming what is wrong. */
export function parseRecord(text: string, source: string): RunRecord {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new RecordError(`${source} is not valid JSON: ${(error as Error).message}`)
  }
  return validateRecord(data, source)
}

export function validateRecord(data: unknown, source: string): RunRecord {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new RecordError(`${source} is not a perfgate record: expected a JSON object`)
  const record = data as Partial<RunRecord>
  if (typeof record.schema !== 'number')
    throw new RecordError(`${source} is not a perfgate record: "schema" is missing`)
  if (record.schema > SCHEMA_VERSION)
    throw new RecordError(
      `${source} has schema ${record.schema}, newer than this perfgate (${SCHEMA_VERSION}): update perfgate`,
    )
  for (const key of ['meta', 'plan', 'load'] as const) {
    if (typeof record[key] !== 'object' || record[key] === null)
      throw new RecordError(`${source} is not a perfgate record: "${key}" is missing`)
  }
  const load = record.load as { unavailable?: unknown; overall?: unknown; endpoints?: unknown }
  if (
    typeof load.unavailable !== 'string' &&
    (typeof load.overall !== 'object' || !Array.isArray(load.endpoints))
  )
    throw new RecordError(`${source} is corrupt: "load" has neither results nor an unavailable reason`)
  return upgrade(record as RunRecord)
}

/** Brings an older record to the current schema (schema 1 is the first; nothing to do yet). */
function upgrade(record: RunRecord): RunRecord {
  const unavailable = { unavailable: 'not collected by the perfgate version that wrote this record' }
  return {
    ...record,
    prometheus: record.prometheus ?? unavailable,
    postgres: record.postgres ?? unavailable,
    redis: record.redis ?? unavailable,
    appStats: record.appStats ?? unavailable,
    profiles: record.profiles ?? unavailable,
    findings: record.findings ?? [],
    schema: SCHEMA_VERSION,
  }
}

export async function readRecord(file: string): Promise<RunRecord> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new RecordError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
  return parseRecord(text, file)
}

export async function writeRecord(file: string, record: RunRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`)
}
