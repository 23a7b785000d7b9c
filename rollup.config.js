// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with every dependency inlined,
// because GitHub runs dist/index.js without node_modules.
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const plugins = () => [
  typescript({ tsconfig: './tsconfig.build.json' }),
  nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
  commonjs(),
  json(),
]

// Circular imports and `this` at the top of third-party CommonJS (undici, @actions/*) are harmless.
const onwarn = (warning, warn) => {
  if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return
  warn(warning)
}

const bundle = (input, file) => ({
  input,
  output: { file, format: 'es', sourcemap: true, inlineDynamicImports: true },
  plugins: plugins(),
  onwarn,
})

export default [bundle('src/index.ts', 'dist/index.js'), bundle('src/cli.ts', 'dist/cli.js')]
