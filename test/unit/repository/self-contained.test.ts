// The repository is read on its own (a clone, a reviewer, CI): no file may point at notes that live
// outside it. Behaviour notes cite their upstream source (repository, tag, file) or a file in docs/
// instead. Checked over every file git tracks or would track (so a new file counts before its
// commit), text files only.

import { it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

// Written in pieces so that this file does not mention what it forbids.
const NOTE_NAMES = [
  'karpenter-behaviour',
  'kubectl-wire-contract',
  'sandbox-notes',
  'platform-drift',
  'aws-target-audit',
  'ecosystem-conventions',
  'style-review',
  'anchors-executable-docs',
]
const FORBIDDEN: [string, RegExp][] = [
  ...NOTE_NAMES.map((name): [string, RegExp] => [`${name}.md`, new RegExp(`${name}\\.md`, 'i')]),
  ['a path into the shared folder beside the repository', new RegExp(['\\.\\.', 'shared'].join('/'), 'i')],
  ['the shared reference folder', new RegExp(['shared', 'reference'].join('/'), 'i')],
  ['a reference note beside the repository', new RegExp(['\\.\\.', 'reference', ''].join('/'), 'i')],
]

function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  return [...new Set(out.split('\0'))].filter((f) => f !== '' && !f.split('/').includes('node_modules'))
}

/** Text, as git's own heuristic has it: no NUL byte in the first 8000 bytes. */
function textOf(file: string): string | undefined {
  let bytes: Buffer
  try {
    bytes = readFileSync(join(projectRoot, file))
  } catch {
    return undefined // listed by git but deleted in the work tree
  }
  return bytes.subarray(0, 8000).includes(0) ? undefined : bytes.toString('utf8')
}

function mentionsOutside(text: string): string[] {
  return FORBIDDEN.filter(([, pattern]) => pattern.test(text)).map(([what]) => what)
}

it('recognises each forbidden mention, and not the tutorial or the docs', () => {
  assert.deepEqual(mentionsOutside(`see ${NOTE_NAMES[0]}.md §3`), [`${NOTE_NAMES[0]}.md`])
  assert.deepEqual(mentionsOutside(['[notes](..', 'shared', 'reference', 'x.md)'].join('/')), [
    'a path into the shared folder beside the repository',
    'the shared reference folder',
  ])
  assert.deepEqual(mentionsOutside(['(..', 'reference', 'x.md)'].join('/')), ['a reference note beside the repository'])
  assert.deepEqual(mentionsOutside('docs/karpenter-lines.md, kubernetes-sigs/karpenter v0.32.1 pkg/controllers/provisioning/provisioner.go, <tutorial.md>'), [])
})

it('no tracked file mentions notes outside the repository', () => {
  const files = repositoryFiles()
  assert.ok(files.length > 100, `git listed only ${files.length} files in ${projectRoot}`)
  const found: string[] = []
  for (const file of files) {
    const text = textOf(file)
    if (text === undefined) continue
    text.split('\n').forEach((line, i) => {
      const what = mentionsOutside(line)
      if (what.length > 0) found.push(`${file}:${i + 1}: ${what.join(', ')}`)
    })
  }
  assert.deepEqual(found, [], `files that point outside the repository (cite the upstream source or a file in docs/ instead):\n${found.join('\n')}`)
})
