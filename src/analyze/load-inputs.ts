// The I/O shell of analysis: reads the profiles and EXPLAIN plans named in the record from the
// output folder (and the baseline's profiles), and the repository's source files for the
// source index. Never throws for bad files: each becomes a one-line reason.
import { readFile, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { ProfileKind, ProfilesData } from '../record/collectors.ts'
import { isUnavailable, type Part } from '../record/common.ts'
import type { RunRecord } from '../record/index.ts'
import type { AnalysisInputs } from './analyze.ts'
import type { PlansById } from './db.ts'
import { decodeProfile } from './pprof/index.ts'
import type { DecodedProfiles } from './profiles.ts'
import { createSourceIndex, EMPTY_SOURCE_INDEX, type SourceFile, type SourceIndex } from './source.ts'

export interface LoadInputsOptions {
  /** The checked-out repository (GITHUB_WORKSPACE or --repo); no source index without it. */
  repoDir?: string
  /** Folder of the baseline run (its result.json and profiles), for the profile diff. */
  baselineDir?: string
  /** The baseline record, if already loaded (else `<baselineDir>/result.json` is read). */
  baseline?: RunRecord
  /** Limits of the repository scan. */
  maxFiles?: number
  maxFileBytes?: number
  maxTotalBytes?: number
  timeBudgetMs?: number
}

const SOURCE_EXTENSIONS = new Set([
  '.go',
  '.sql',
  '.ts',
  '.tsx',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '.py',
  '.rb',
  '.java',
  '.kt',
  '.kts',
  '.scala',
  '.cs',
  '.php',
  '.rs',
  '.ex',
  '.exs',
  '.erl',
  '.clj',
  '.swift',
  '.c',
  '.h',
  '.cc',
  '.cpp',
  '.hpp',
  '.groovy',
  '.lua',
  '.pl',
  '.sh',
  '.xml',
  '.yaml',
  '.yml',
  '.toml',
  '.graphql',
  '.prisma',
])

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  'vendor',
  'dist',
  'build',
  'out',
  'target',
  '.next',
  '.nuxt',
  'coverage',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.gradle',
  '.idea',
  '.vscode',
  'bin',
  'obj',
  '.cache',
  '.perfgate-stack',
  'perfgate-report',
  'third_party',
])

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.trim()
}

/**
 * scanRepository reads the repository's source files (skipping dependency, build and VCS
 * folders, minified and big files), within a file count, byte and time budget. The paths are
 * relative to `repoDir`. `truncated` says why the scan stopped early.
 */
export async function scanRepository(
  repoDir: string,
  options: Pick<LoadInputsOptions, 'maxFiles' | 'maxFileBytes' | 'maxTotalBytes' | 'timeBudgetMs'> = {},
): Promise<{ files: SourceFile[]; truncated?: string }> {
  const maxFiles = options.maxFiles ?? 5000
  const maxFileBytes = options.maxFileBytes ?? 512 * 1024
  const maxTotalBytes = options.maxTotalBytes ?? 64 * 1024 * 1024
  const deadline = Date.now() + (options.timeBudgetMs ?? 10_000)
  const files: SourceFile[] = []
  let total = 0
  let truncated: string | undefined
  const queue = ['']
  while (queue.length > 0 && !truncated) {
    const rel = queue.shift()!
    let entries
    try {
      entries = await readdir(path.join(repoDir, rel), { withFileTypes: true })
    } catch {
      continue
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1))
    for (const entry of entries) {
      if (Date.now() > deadline) {
        truncated = `the source search stopped after ${options.timeBudgetMs ?? 10_000} ms`
        break
      }
      const child = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) queue.push(child)
        continue
      }
      if (!entry.isFile()) continue
      if (entry.name !== 'go.mod' && !SOURCE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) continue
      if (/\.min\.[jc]ss?$|\.pb\.go$|_gen\.go$|\.d\.ts$/.test(entry.name)) continue
      if (files.length >= maxFiles) {
        truncated = `the source search stopped at ${maxFiles} files`
        break
      }
      try {
        const info = await stat(path.join(repoDir, child))
        if (info.size > maxFileBytes) continue
        if (total + info.size > maxTotalBytes) {
          truncated = `the source search stopped at ${maxTotalBytes} bytes`
          break
        }
        const text = await readFile(path.join(repoDir, child), 'utf8')
        if (text.includes('\u0000')) continue
        total += info.size
        files.push({ path: child, text })
      } catch {
        continue
      }
    }
  }
  return { files, ...(truncated ? { truncated } : {}) }
}

/** Go module paths declared by the repository's go.mod files. */
export function goModules(files: SourceFile[]): string[] {
  return files
    .filter((f) => f.path === 'go.mod' || f.path.endsWith('/go.mod'))
    .map((f) => /^module\s+(\S+)/m.exec(f.text)?.[1])
    .filter((m): m is string => Boolean(m))
}

/** Reads and decodes each profile a ProfilesData part names; failures become reasons. */
export async function loadProfiles(
  part: Part<ProfilesData> | undefined,
  dir: string,
): Promise<{ profiles: DecodedProfiles; errors: { kind: ProfileKind; reason: string }[] }> {
  const profiles: DecodedProfiles = {}
  const errors: { kind: ProfileKind; reason: string }[] = []
  if (!part || isUnavailable(part)) return { profiles, errors }
  for (const f of part.files ?? []) {
    let bytes: Uint8Array
    try {
      bytes = await readFile(path.resolve(dir, f.file))
    } catch (error) {
      errors.push({ kind: f.kind, reason: `${f.file}: cannot read the file (${oneLine(error)})` })
      continue
    }
    const decoded = decodeProfile(bytes)
    if (!decoded.ok) {
      errors.push({ kind: f.kind, reason: `${f.file}: ${decoded.reason}` })
      continue
    }
    if (decoded.value.samples.length === 0) {
      errors.push({ kind: f.kind, reason: `${f.file}: the profile has no samples` })
      continue
    }
    profiles[f.kind] = decoded.value
  }
  return { profiles, errors }
}

/**
 * loadAnalysisInputs gathers what analyzeRecord needs beyond the record: decoded profiles
 * (and the baseline's), the EXPLAIN plans of the PostgreSQL part, and the source index of
 * `repoDir`. Every failure is a reason in the inputs, never an exception.
 */
export async function loadAnalysisInputs(
  record: RunRecord,
  outDir: string,
  options: LoadInputsOptions = {},
): Promise<AnalysisInputs> {
  const { profiles, errors } = await loadProfiles(record.profiles, outDir)

  let baselineProfiles: DecodedProfiles | undefined
  if (options.baselineDir) {
    let baseline = options.baseline
    if (!baseline) {
      try {
        baseline = JSON.parse(
          await readFile(path.join(options.baselineDir, 'result.json'), 'utf8'),
        ) as RunRecord
      } catch {
        baseline = undefined
      }
    }
    if (baseline) {
      const loaded = await loadProfiles(baseline.profiles, options.baselineDir)
      if (Object.keys(loaded.profiles).length > 0) baselineProfiles = loaded.profiles
    }
  }

  const plans: PlansById = {}
  if (!isUnavailable(record.postgres) && record.postgres) {
    for (const e of record.postgres.explains ?? []) {
      if (!e.file) continue
      try {
        plans[e.queryid] = JSON.parse(await readFile(path.resolve(outDir, e.file), 'utf8')) as unknown
      } catch (error) {
        plans[e.queryid] = `${e.file}: ${oneLine(error)}`
      }
    }
  }

  let source: SourceIndex = EMPTY_SOURCE_INDEX
  let appPrefixes: string[] = []
  if (options.repoDir) {
    const scanned = await scanRepository(options.repoDir, options)
    source = createSourceIndex(scanned.files, scanned.truncated)
    appPrefixes = goModules(scanned.files)
  }

  return {
    profiles,
    profileErrors: errors,
    ...(baselineProfiles ? { baselineProfiles } : {}),
    plans,
    source,
    appPrefixes,
  }
}
