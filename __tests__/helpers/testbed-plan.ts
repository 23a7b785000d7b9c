// The plan of an integration run against the testbed with real k6: `config` written as
// <workDir>/<label>.yml, no baseline, the output in <workDir>/<label>.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadPlan } from '../../src/plan/load.ts'
import type { Plan } from '../../src/plan/types.ts'
import { k6ForTests } from '../run/support/k6.ts'

/** Loads the plan of run `label`; `inputs` are the action's inputs (target-url at least). */
export async function testbedPlan(
  workDir: string,
  label: string,
  config: string,
  inputs: Record<string, string>,
): Promise<Plan> {
  const file = path.join(workDir, `${label}.yml`)
  await writeFile(file, config)
  return loadPlan(
    {
      'k6-path': k6ForTests(),
      baseline: 'none',
      config: file,
      'output-dir': path.join(workDir, label),
      ...inputs,
    },
    { cwd: workDir, env: process.env },
  )
}
