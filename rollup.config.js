// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with every dependency inlined,
// because GitHub runs dist/index.js without node_modules. One build with a shared chunk keeps
// the build fast and the committed dist/ small.
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

// Circular imports and `this` at the top of third-party CommonJS (undici, @actions/*) are harmless;
// hdr-histogram-js finds zlib with eval('require(…)'), which the banner's `require` satisfies.
const onwarn = (warning, warn) => {
  if (['CIRCULAR_DEPENDENCY', 'THIS_IS_UNDEFINED', 'EVAL'].includes(warning.code)) return
  warn(warning)
}

// CommonJS dependencies that call require() at run time get Node's own, inside an ES module.
const banner =
  "import { createRequire as __perfgateCreateRequire } from 'node:module'\nconst require = __perfgateCreateRequire(import.meta.url)"

export default {
  input: { index: 'src/index.ts', cli: 'src/cli.ts' },
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: true,
    banner,
    entryFileNames: '[name].js',
    chunkFileNames: 'pipeline.js',
  },
  plugins: [
    typescript({ tsconfig: './tsconfig.build.json' }),
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    commonjs(),
    json(),
  ],
  onwarn,
}
