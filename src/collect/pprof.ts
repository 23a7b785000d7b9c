import type { Collector } from './types.ts'
export function createPprofCollector(_url: string, _auth?: string): Collector {
  throw new Error('todo')
}
