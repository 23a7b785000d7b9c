#!/usr/bin/env node
// Generates the README's inputs/outputs tables from action.yml, between the markers
// <!-- inputs:start --> … <!-- inputs:end --> and <!-- outputs:start --> … <!-- outputs:end -->.
// `--write` updates README.md; without it, exits 1 when the README has drifted.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { markdownTable } from 'markdown-table'
import { parse } from 'yaml'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8'))
const cell = (text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
const code = (text) => (text === '' || text === undefined ? '' : `\`${cell(text)}\``)

export function inputsTable() {
  return markdownTable([
    ['Input', 'Description', 'Default', 'Required'],
    ...Object.entries(action.inputs).map(([name, input]) => [
      `\`${name}\``,
      cell(input.description),
      code(input.default),
      input.required ? 'yes' : 'no',
    ]),
  ])
}

export function outputsTable() {
  return markdownTable([
    ['Output', 'Description'],
    ...Object.entries(action.outputs).map(([name, output]) => [`\`${name}\``, cell(output.description)]),
  ])
}

function replaceBetween(text, marker, content) {
  const start = `<!-- ${marker}:start -->`
  const end = `<!-- ${marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`)
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`
}

const readmePath = path.join(root, 'README.md')
const current = readFileSync(readmePath, 'utf8')
const expected = replaceBetween(replaceBetween(current, 'inputs', inputsTable()), 'outputs', outputsTable())
if (process.argv.includes('--write')) {
  writeFileSync(readmePath, expected)
  console.log('README.md inputs/outputs regenerated from action.yml')
} else if (expected !== current) {
  console.error('README.md inputs/outputs differ from action.yml: run `npm run readme` and commit README.md')
  process.exit(1)
} else {
  console.log('README.md inputs/outputs match action.yml')
}
