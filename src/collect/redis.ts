import type { Collector } from './types.ts'
export function createRedisCollector(_url: string): Collector {
  throw new Error('todo')
}
