import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { INPUT_NAMES } from '../../src/plan/inputs.ts'
import { VERSION } from '../../src/version.ts'

const action = parse(readFileSync('action.yml', 'utf8'))

test('action.yml declares exactly the inputs the action reads', () => {
  assert.deepEqual(Object.keys(action.inputs).sort(), [...INPUT_NAMES].sort())
})

test('every input and output has a description, and every input a default or required', () => {
  for (const [name, input] of Object.entries<{ description?: string; default?: string; required?: boolean }>(
    action.inputs,
  )) {
    assert.ok(input.description, `input ${name} has a description`)
    assert.ok(input.required || input.default !== undefined, `input ${name} has a default`)
  }
  for (const [name, output] of Object.entries<{ description?: string }>(action.outputs)) {
    assert.ok(output.description, `output ${name} has a description`)
  }
  assert.equal(action.runs.using, 'node24')
  assert.equal(action.runs.main, 'dist/index.js')
})

test('the README inputs and outputs tables match action.yml', () => {
  const out = execFileSync(process.execPath, ['scripts/readme-inputs.mjs'], { encoding: 'utf8' })
  assert.match(out, /match action\.yml/)
})

test('the version constant matches package.json', () => {
  assert.equal(VERSION, JSON.parse(readFileSync('package.json', 'utf8')).version)
})
