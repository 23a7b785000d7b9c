// The I/O shell of analysis: the run's decoded profiles and EXPLAIN plans come from the output
// folder's loader (record/files.ts, shared with the report); this adds the repository's source
// files for the source index. Never throws for bad files: each becomes a one-line reason.
import { readFile, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Profile } from '../pprof/model.ts'
import type { ProfileKind } from '../record/collectors.ts'
import type { RunFiles } from '../record/files.ts'
import type { AnalysisInputs } from './analyze.ts'
import type { PlansById } from './db.ts'
import type { DecodedProfiles } from './profiles.ts'
import { createSourceIndex, EMPTY_SOURCE_INDEX, type SourceFile, type SourceIndex } from './source.ts'

export interface LoadInputsOptions {
  /** The checked-out repository (GITHUB_WORKSPACE or --repo); no source index without it. */
  repoDir?: string
  /** The baseline run's files (loadRunFiles of its folder), for the profile diff. */
  baselineFiles?: RunFiles
  /** Why there are no baseline profiles, when the diff ends up without them. */
  baselineProfilesMissing?: string
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

/** The decoded profiles analysis reads: a profile without samples becomes a reason instead. */
function profilesOf(files: RunFiles): Pick<AnalysisInputs, 'profiles' | 'profileErrors'> {
  const profiles: DecodedProfiles = {}
  const profileErrors = [...files.profileErrors]
  for (const [kind, profile] of Object.entries(files.profiles) as [ProfileKind, Profile][]) {
    if (profile.samples.length > 0) profiles[kind] = profile
    else profileErrors.push({ kind, reason: `${files.profileFiles[kind]}: the profile has no samples` })
  }
  return { profiles, profileErrors }
}

/**
 * loadAnalysisInputs gathers what analyzeRecord needs beyond the record: the decoded profiles and
 * EXPLAIN plans of the run's files (loaded once by loadRunFiles, which the report uses too), the
 * baseline's profiles when its files are given, and the source index of `repoDir`. Every failure
 * is a reason in the inputs, never an exception.
 */
export async function loadAnalysisInputs(
  files: RunFiles,
  options: LoadInputsOptions = {},
): Promise<AnalysisInputs> {
  const { profiles, profileErrors } = profilesOf(files)
  const baseline = options.baselineFiles ? profilesOf(options.baselineFiles).profiles : {}

  const plans: PlansById = {}
  for (const [queryid, e] of Object.entries(files.explains))
    plans[queryid] = 'plan' in e ? e.plan : `${e.file}: ${e.reason}`

  let source: SourceIndex = EMPTY_SOURCE_INDEX
  let appPrefixes: string[] = []
  if (options.repoDir) {
    const scanned = await scanRepository(options.repoDir, options)
    source = createSourceIndex(scanned.files, scanned.truncated)
    appPrefixes = goModules(scanned.files)
  }

  return {
    profiles,
    profileErrors,
    ...(Object.keys(baseline).length > 0
      ? { baselineProfiles: baseline }
      : options.baselineProfilesMissing
        ? { baselineProfilesMissing: options.baselineProfilesMissing }
        : {}),
    plans,
    source,
    appPrefixes,
  }
}
