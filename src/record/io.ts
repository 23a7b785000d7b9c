// Reading and writing result.json. A record is validated once, when it is loaded, against the full
// schema (record/schema/); records of an older schema are upgraded here so no other stage has to
// know about old shapes.
import type { PairedPart } from './paired.ts'
import { readFile, writeFile, mkdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { SCHEMA_VERSION, type RunRecord } from './index.ts'
import { recordProblem } from './schema/index.ts'

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

/** Validates a parsed record (upgrading an older schema first); returns it as loaded. */
export function validateRecord(data: unknown, source: string): RunRecord {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new RecordError(`${source} is not a perfgate record: expected a JSON object`)
  const schema = (data as { schema?: unknown }).schema
  if (schema === undefined) throw new RecordError(`${source} is not a perfgate record: schema: missing`)
  if (typeof schema !== 'number')
    throw new RecordError(
      `${source} is not a perfgate record: schema: wrong type (${schema === null ? 'null' : typeof schema}, want number)`,
    )
  if (!Number.isInteger(schema) || schema < 1)
    throw new RecordError(
      `${source} is not a perfgate record: schema: ${schema} is not a schema version (want 1 to ${SCHEMA_VERSION})`,
    )
  if (schema > SCHEMA_VERSION)
    throw new RecordError(
      `${source} has schema ${schema}, newer than this perfgate (${SCHEMA_VERSION}): update perfgate`,
    )
  const record = upgrade(data as Partial<RunRecord> & { schema: number })
  const problem = recordProblem(record)
  if (problem) throw new RecordError(`${source} is not a valid perfgate record: ${problem}`)
  return record
}

/**
 * Brings an older record to the current schema. Schema 1 → 2: `outcome` appeared (optional, and a
 * schema 1 record never has one); parts missing in the first versions are filled in.
 */
function upgrade(record: Partial<RunRecord> & { schema: number }): RunRecord {
  const unavailable = { unavailable: 'not collected by the perfgate version that wrote this record' }
  const { outcome, ...rest } = record
  return {
    ...rest,
    prometheus: record.prometheus ?? unavailable,
    postgres: record.postgres ?? unavailable,
    redis: record.redis ?? unavailable,
    appStats: record.appStats ?? unavailable,
    profiles: record.profiles ?? unavailable,
    findings: record.findings ?? [],
    ...(record.schema >= 2 && outcome !== undefined ? { outcome } : {}),
    ...(record.paired ? { paired: withOpenIntervals(record.paired) } : {}),
    schema: SCHEMA_VERSION,
  } as RunRecord
}

/** JSON writes an interval's infinite ends (fewer than two pairs) as null: read them back as ±Infinity. */
function withOpenIntervals(paired: PairedPart): PairedPart {
  if (!Array.isArray(paired.rows)) return paired
  const end = (x: unknown, open: number) => (x === null ? open : x)
  return {
    ...paired,
    rows: paired.rows.map((row) =>
      Array.isArray(row?.interval)
        ? {
            ...row,
            interval: [end(row.interval[0], -Infinity), end(row.interval[1], Infinity)] as [number, number],
          }
        : row,
    ),
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

/**
 * Writes result.json atomically (a temporary file beside it, then a rename): the record is written
 * again after rendering and publishing (their stage spans), and a reader never sees half a file.
 */
export async function writeRecord(file: string, record: RunRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  try {
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`)
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
