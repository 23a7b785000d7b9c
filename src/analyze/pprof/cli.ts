// `perfgate profile top|diff`: pprof tables for users without a Go toolchain. Reads the
// files, calls the pure functions, returns the text to print; the CLI front door prints it.
import { readFile } from 'node:fs/promises'
import { decodeProfile } from '../../pprof/decode.ts'
import { diffProfile, diffTop } from './diff.ts'
import { goFixed, padLeft } from './gofmt.ts'
import type { Profile, Result } from '../../pprof/model.ts'
import { formatTopText, topTable } from './top.ts'

export interface ProfileTopCommandOptions {
  sampleIndex?: string
  nodeCount?: number
}

export interface ProfileDiffCommandOptions extends ProfileTopCommandOptions {
  /** Compare shares of each profile's own total (default true), like `-normalize`. */
  normalize?: boolean
  /** Rows in the "grew most" table (default 10). */
  limit?: number
}

/** Text output plus whether it succeeded; a failure's text is a one-line reason. */
export interface CommandOutput {
  ok: boolean
  text: string
}

async function load(file: string): Promise<Result<Profile>> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { ok: false, reason: `${file}: cannot read the file${code ? ` (${code})` : ''}` }
  }
  const decoded = decodeProfile(bytes)
  return decoded.ok ? decoded : { ok: false, reason: `${file}: ${decoded.reason}` }
}

/**
 * profileTopCommand prints FILE's top table exactly as `go tool pprof -top [-sample_index=NAME]
 * [-nodecount=N] FILE` does (times in UTC).
 */
export async function profileTopCommand(
  file: string,
  options: ProfileTopCommandOptions = {},
): Promise<CommandOutput> {
  const profile = await load(file)
  if (!profile.ok) return { ok: false, text: profile.reason + '\n' }
  const table = topTable(profile.value, options)
  if (!table.ok) return { ok: false, text: `${file}: ${table.reason}\n` }
  return { ok: true, text: formatTopText(table.value) }
}

function pct(x: number): string {
  return goFixed(x, 2) + '%'
}

/**
 * profileDiffCommand compares BASE and FILE: first the functions whose share grew most
 * (each profile as a share of its own total), then the table `go tool pprof -top
 * -normalize -diff_base=BASE FILE` prints.
 */
export async function profileDiffCommand(
  baseFile: string,
  file: string,
  options: ProfileDiffCommandOptions = {},
): Promise<CommandOutput> {
  const [base, current] = await Promise.all([load(baseFile), load(file)])
  if (!base.ok) return { ok: false, text: base.reason + '\n' }
  if (!current.ok) return { ok: false, text: current.reason + '\n' }
  const grew = diffTop(base.value, current.value, options.sampleIndex, { limit: options.limit })
  if (!grew.ok) return { ok: false, text: grew.reason + '\n' }
  const merged = diffProfile(base.value, current.value, { normalize: options.normalize ?? true })
  if (!merged.ok) return { ok: false, text: merged.reason + '\n' }
  const table = topTable(merged.value, { sampleIndex: options.sampleIndex, nodeCount: options.nodeCount })
  if (!table.ok) return { ok: false, text: table.reason + '\n' }

  const lines = [
    `Functions whose share of ${grew.value.sampleType} grew most (flat, share of each profile's total):`,
  ]
  if (grew.value.rows.length === 0) lines.push('  none')
  else {
    lines.push(`${padLeft('base', 9)} ${padLeft('current', 9)} ${padLeft('delta', 9)}  function`)
    for (const r of grew.value.rows) {
      lines.push(
        `${padLeft(pct(r.basePct), 9)} ${padLeft(pct(r.currentPct), 9)} ${padLeft('+' + goFixed(r.deltaPct, 2), 9)}  ${r.name}`,
      )
    }
  }
  lines.push(
    '',
    `go tool pprof -top${options.normalize === false ? '' : ' -normalize'} -diff_base equivalent:`,
  )
  return { ok: true, text: lines.join('\n') + '\n' + formatTopText(table.value) }
}
