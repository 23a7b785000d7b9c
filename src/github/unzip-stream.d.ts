// unzip-stream ships without types; it is the zip reader @actions/artifact itself uses.
declare module 'unzip-stream' {
  import type { Transform, PassThrough } from 'node:stream'

  export interface Entry extends PassThrough {
    path: string
    type: 'File' | 'Directory'
    size?: number
    autodrain(): void
  }

  export function Parse(options?: { decodeString?: (buffer: Buffer) => string }): Transform
  export function Extract(options: { path: string }): Transform

  const unzip: { Parse: typeof Parse; Extract: typeof Extract }
  export default unzip
}
