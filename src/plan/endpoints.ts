// The plan's endpoint list and the checks that tie the scenario's steps to it. Endpoints declared
// in perfgate.yml are exactly what the user wrote: nothing is taken from the default endpoints.
import { ConfigError, shown } from './errors.ts'
import { DEFAULT_ENDPOINTS } from './defaults.ts'
import type { PerfgateFile } from './file-schema.ts'
import type { LoadedFile } from './file.ts'
import type { EndpointSpec, JourneyStep, UserType } from './types.ts'

/** `perfgate.yml:12`: where a key path is in the file (line 1 when it is not there). */
export type At = (keyPath: (string | number)[]) => string

/** A list of names for an error line, cut after 20 so the line stays readable. */
export function namesList(names: Iterable<string>): string {
  const all = [...names]
  return all.length > 20 ? `${all.slice(0, 20).join(', ')} and ${all.length - 20} more` : all.join(', ')
}

/** The file's endpoints as written (method GET unless given), or the defaults when it has none. */
export function buildEndpoints(
  fileEndpoints: PerfgateFile['endpoints'],
  fileName: string,
  file: LoadedFile | undefined,
): EndpointSpec[] {
  if (!fileEndpoints) return DEFAULT_ENDPOINTS
  const lineOfName = (i: number) => file?.lineOf(['endpoints', i, 'name']) ?? 1
  const firstIndex = new Map<string, number>()
  fileEndpoints.forEach((e, i) => {
    const first = firstIndex.get(e.name)
    if (first === undefined) return firstIndex.set(e.name, i)
    throw new ConfigError(
      `${fileName}:${lineOfName(i)}: endpoints[${i}].name ${shown(e.name)} is declared twice (lines ${lineOfName(first)} and ${lineOfName(i)}): endpoint names must be unique; rename or remove one`,
    )
  })
  return fileEndpoints.map((e) => ({
    name: e.name,
    method: e.method ?? 'GET',
    route: e.route,
    ...(e.query ? { query: e.query } : {}),
    ...(e.body !== undefined ? { body: e.body } : {}),
    ...(e.auth !== undefined ? { auth: e.auth } : {}),
    ...(e['expect-status'] ? { expectStatus: e['expect-status'] } : {}),
  }))
}

/** Every step of the file's user types names a configured endpoint; the error points at the step. */
export function checkStepEndpoints(userTypes: UserType[], endpointNames: Set<string>, at: At): void {
  const visit = (steps: JourneyStep[], keyPath: (string | number)[]) =>
    steps.forEach((step, j) => {
      if (step.steps) return visit(step.steps, [...keyPath, j, 'steps'])
      if (!endpointNames.has(step.endpoint))
        throw new ConfigError(
          `${at([...keyPath, j, 'endpoint'])}: scenario step endpoint ${shown(step.endpoint)} is not a configured endpoint; known endpoints: ${namesList(endpointNames)}`,
        )
    })
  userTypes.forEach((userType, i) => visit(userType.steps, ['scenario', 'user-types', i, 'steps']))
}
