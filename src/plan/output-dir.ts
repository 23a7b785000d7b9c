// The output folder: refused at plan time when it lies in a kernel file system, created one level
// at a time with errors in words. Node's `mkdir(…, { recursive: true })` never returns under
// /proc (it retries the missing parent forever), and its errno text names neither the input nor
// what to do.
import { mkdir, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { ConfigError, shown } from './errors.ts'

/** Kernel file systems: nothing perfgate writes belongs there, and some make mkdir hang. */
const KERNEL_ROOTS = ['/proc', '/sys', '/dev']

const ERRNO_WORDS: Record<string, string> = {
  EEXIST: 'a file (not a folder) already has that name',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has a loop of symbolic links',
  ENOENT: 'a part of the path does not exist and cannot be created',
}

/** Refuses an output-dir inside /proc, /sys or /dev (also through a symbolic link), at once. */
export async function checkOutputDir(dir: string): Promise<void> {
  const kernelRoot = (p: string) => KERNEL_ROOTS.find((root) => p === root || p.startsWith(`${root}/`))
  let root = kernelRoot(path.resolve(dir))
  if (!root) {
    // The nearest existing ancestor, resolved, catches a symbolic link into /proc.
    let existing = path.resolve(dir)
    while (
      !(await stat(existing).then(
        () => true,
        () => false,
      )) &&
      path.dirname(existing) !== existing
    )
      existing = path.dirname(existing)
    root = kernelRoot(await realpath(existing).catch(() => existing))
  }
  if (root)
    throw new ConfigError(
      `output-dir ${shown(dir)} is inside ${root}, a kernel file system where reports cannot be written: choose a folder such as perfgate-report`,
    )
}

/** Creates the output folder and its missing parents; one line naming output-dir when it cannot. */
export async function prepareOutputDir(dir: string): Promise<void> {
  await checkOutputDir(dir)
  const target = path.resolve(dir)
  const missing: string[] = []
  for (let p = target; ; p = path.dirname(p)) {
    const info = await stat(p).catch((error: NodeJS.ErrnoException) => error)
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw outputDirError(dir, p === target ? 'EEXIST' : 'ENOTDIR', p)
      break
    }
    if (info.code !== 'ENOENT' && info.code !== 'ENOTDIR') throw outputDirError(dir, info.code, p)
    missing.unshift(p)
    if (path.dirname(p) === p) break
  }
  for (const p of missing) {
    try {
      await mkdir(p)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (
        code === 'EEXIST' &&
        (await stat(p).then(
          (s) => s.isDirectory(),
          () => false,
        ))
      )
        continue
      throw outputDirError(dir, code, p)
    }
  }
}

function outputDirError(dir: string, code: string | undefined, at: string): ConfigError {
  const words = (code && ERRNO_WORDS[code]) ?? `the system refused (${code ?? 'unknown error'})`
  const where = path.resolve(dir) === at ? '' : ` (at ${at})`
  return new ConfigError(`output-dir ${shown(dir)} cannot be created: ${words}${where}`)
}
