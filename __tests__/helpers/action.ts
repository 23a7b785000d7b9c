// The action's front door (src/main.ts) under test: a toolkit that records what the action sets in
// place of @actions/core, and a pipeline whose load is the recorded testbed run (everything after
// the load is the real code).
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ActionDeps, Toolkit } from '../../src/main.ts'
import { finishPipeline } from '../../src/pipeline.ts'
import { parseRecord } from '../../src/record/io.ts'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { RECORDS } from '../report/fixtures.ts'

/** A suite's fake GitHub and scratch folder (the runs' outputs and event files). */
export interface ActionSuite {
  dir: string
  gh: FakeGitHub
}

/** Starts the fake GitHub and makes a scratch folder named from `prefix` (call it in `before`). */
export async function startActionSuite(prefix: string): Promise<ActionSuite> {
  return { dir: await mkdtemp(path.join(tmpdir(), prefix)), gh: await startFakeGitHub() }
}

/** Stops the fake and removes the folder (call it in `after`). */
export async function stopActionSuite(suite: ActionSuite): Promise<void> {
  await suite.gh.close()
  await rm(suite.dir, { recursive: true, force: true })
}

/** What the action did through its toolkit. */
export interface Recorded {
  outputs: Record<string, string>
  failed: string[]
  secrets: string[]
  info: string[]
  warnings: string[]
}

/** A toolkit answering `inputs` (others empty) and recording the rest. */
export function recordingToolkit(inputs: Record<string, string>): { core: Toolkit; seen: Recorded } {
  const seen: Recorded = { outputs: {}, failed: [], secrets: [], info: [], warnings: [] }
  const core: Toolkit = {
    getInput: (name) => inputs[name] ?? '',
    setSecret: (secret) => void seen.secrets.push(secret),
    setOutput: (name, value) => void (seen.outputs[name] = String(value)),
    setFailed: (message) => void seen.failed.push(String(message)),
    info: (line) => void seen.info.push(line),
    warning: (line) => void seen.warnings.push(String(line)),
    debug: () => {},
  }
  return { core, seen }
}

/** Stands in for the load: the testbed run's folder as the output, then the real rest of the pipeline. */
export const fixtureRun: ActionDeps['runPipeline'] = async (plan, deps) => {
  await cp(path.join(RECORDS, 'testbed-run'), plan.outputDir, { recursive: true })
  const file = path.join(plan.outputDir, 'result.json')
  const record = parseRecord(await readFile(file, 'utf8'), file)
  return finishPipeline(record, { ...plan, slos: record.plan.slos }, deps)
}
