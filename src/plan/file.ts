// Reads and validates perfgate.yml. Every error names the file, line, key path, value and
// what is allowed, in one line.
import { readFile, stat } from 'node:fs/promises'
import { LineCounter, parseDocument, isAlias, isMap, isSeq, visit, type Document, type Node } from 'yaml'
import { MAX_CONFIG_BYTES } from './bounds.ts'
import type { z } from 'zod'
import { ConfigError, shown } from './errors.ts'
import { fileSchema, type PerfgateFile } from './file-schema.ts'

export interface LoadedFile {
  path: string
  data: PerfgateFile
  /** Line (1-based) of a key path in the file, for errors found after schema validation. */
  lineOf(path: (string | number)[], keyNode?: boolean): number | undefined
}

/** Reads perfgate.yml; a missing file is `undefined` unless `required`. */
export async function readPerfgateFile(
  file: string,
  displayName: string,
  required: boolean,
): Promise<LoadedFile | undefined> {
  let text: string
  try {
    const { size } = await stat(file)
    if (size > MAX_CONFIG_BYTES) throw tooLarge(displayName, size)
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof ConfigError) throw error
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined
    throw new ConfigError(
      `config: cannot read ${displayName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
  return parsePerfgateFile(text, displayName)
}

function tooLarge(displayName: string, bytes: number): ConfigError {
  const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`
  return new ConfigError(
    `config: ${displayName} is ${mb(bytes)}: perfgate.yml may be at most ${mb(MAX_CONFIG_BYTES)} (endpoints, SLOs and a scenario fit in a few KB)`,
  )
}

export function parsePerfgateFile(text: string, path: string): LoadedFile {
  if (text.length > MAX_CONFIG_BYTES) throw tooLarge(path, Buffer.byteLength(text))
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const yamlError = document.errors[0]
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line
    throw new ConfigError(
      `${path}${line ? `:${line}` : ''}: invalid YAML: ${yamlError.message.split('\n')[0]}`,
    )
  }
  const lineOf = (keyPath: (string | number)[], keyNode = false): number | undefined => {
    const node = nodeAt(document.contents as Node | null, keyPath, keyNode)
    const offset = node?.range?.[0]
    return offset === undefined ? undefined : lineCounter.linePos(offset).line
  }
  let raw: unknown
  try {
    raw = document.toJS() ?? {}
  } catch (error) {
    // yaml refuses alias bombs (and other resource attacks) while building values, without a position.
    const line = firstAliasLine(document, lineCounter)
    throw new ConfigError(
      `${path}${line ? `:${line}` : ''}: invalid YAML: ${(error as Error).message.split('\n')[0]} (aliases expand to too many values; write the values out instead)`,
    )
  }
  const result = fileSchema.safeParse(raw)
  if (!result.success) {
    throw new ConfigError(describeIssue(path, result.error.issues[0]!, raw, lineOf))
  }
  return { path, data: result.data, lineOf }
}

function firstAliasLine(document: Document, lineCounter: LineCounter): number | undefined {
  let offset: number | undefined
  visit(document, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) offset = node.range[0]
      return visit.BREAK
    },
  })
  return offset === undefined ? undefined : lineCounter.linePos(offset).line
}

/** Finds the YAML node of a key path; for an unknown key, the key's own node. */
function nodeAt(root: Node | null, keyPath: (string | number)[], keyNode: boolean): Node | undefined {
  let node: Node | null | undefined = root
  for (const [i, key] of keyPath.entries()) {
    if (isMap(node)) {
      const pair: (typeof node.items)[number] | undefined = node.items.find(
        (item) => (item.key as { value?: unknown })?.value === key,
      )
      if (!pair) return undefined
      const last = i === keyPath.length - 1
      node = last && keyNode ? (pair.key as Node) : ((pair.value as Node | null) ?? (pair.key as Node))
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | undefined
    } else {
      return undefined
    }
  }
  return node ?? undefined
}

function valueAt(raw: unknown, keyPath: PropertyKey[]): unknown {
  return keyPath.reduce<unknown>(
    (value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key],
    raw,
  )
}

function keyPathText(keyPath: PropertyKey[]): string {
  return keyPath
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`))
    .join('')
}

function describeIssue(
  path: string,
  issue: z.core.$ZodIssue,
  raw: unknown,
  lineOf: (keyPath: (string | number)[], keyNode?: boolean) => number | undefined,
): string {
  const keyPath = issue.path as (string | number)[]
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!
    const full = [...keyPath, key]
    const allowed = allowedKeys(keyPath)
    const where = `${path}:${lineOf(full, true) ?? lineOf(keyPath) ?? 1}`
    return `${where}: unknown key ${shown(keyPathText(full))}${allowed ? `; allowed keys here: ${allowed}` : ''}`
  }
  const where = `${path}:${lineOf(keyPath) ?? 1}`
  const value = valueAt(raw, keyPath)
  const given = value === undefined ? 'missing' : shown(value)
  return `${where}: ${keyPathText(keyPath) || '(top level)'} is ${given}: ${issue.message}`
}

/** Lists the keys the schema accepts at a path, so an unknown-key error says what is allowed. */
function allowedKeys(keyPath: (string | number)[]): string | undefined {
  let schema: unknown = fileSchema
  for (const key of keyPath) {
    schema = unwrap(schema)
    const def = (
      schema as {
        def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown }
      }
    ).def
    if (!def) return undefined
    if (def.type === 'object') schema = def.shape?.[key as string]
    else if (def.type === 'array') schema = def.element
    else if (def.type === 'record') schema = def.valueType
    else return undefined
  }
  const shape = (unwrap(schema) as { def?: { shape?: Record<string, unknown> } })?.def?.shape
  return shape ? Object.keys(shape).join(', ') : undefined
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown; getter?: () => unknown } } | undefined
  for (let i = 0; i < 10 && current?.def; i++) {
    if (current.def.type === 'optional' || current.def.type === 'nullable' || current.def.type === 'default')
      current = current.def.innerType as typeof current
    else if (current.def.type === 'lazy') current = current.def.getter?.() as typeof current
    else break
  }
  return current
}
