// Building blocks of the record schema. The schema checks what the stages rely on (types, nesting,
// the enums they switch on); unknown keys are allowed so a newer perfgate's extra fields load.
import { z } from 'zod'
import type { Part } from '../common.ts'

export const num = z.number()
export const str = z.string()
export const bool = z.boolean()
export const strings = z.array(z.string())
export const numbers = z.record(z.string(), z.number())

export const unavailableSchema = z.object({ unavailable: z.string() })

/** A collector's or an analysis' part: its data, or `{ unavailable: '<one line>' }`. */
export function part<T>(schema: z.ZodType<T>): z.ZodType<Part<T>> {
  return z.union([unavailableSchema, schema])
}

/**
 * A number a statistic may have produced as NaN or ±Infinity, which JSON writes as null. Only used
 * in the outcome (computed verdicts), never in measured data.
 */
export const statNum = z
  .number()
  .nullable()
  .transform((value) => value ?? undefined)
