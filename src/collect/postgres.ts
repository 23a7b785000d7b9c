import type { Collector } from './types.ts'
export function createPostgresCollector(_url: string): Collector {
  throw new Error('todo')
}
