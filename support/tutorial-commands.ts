// Keeping the features and the tutorial in step.
//
// fixtures/tutorial-commands.yaml lists every command block of the tutorial, as the tutorial
// prints it. Every one must appear verbatim in a feature's doc string; `npm test` checks it, so a
// feature cannot drift from the text it claims to execute. When the tutorial changes,
// `npx spotcheck tutorial-commands <tutorial.md>` prints the list afresh.

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin'
import { IdGenerator, type GherkinDocument } from '@cucumber/messages'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'

export interface TutorialCommand {
  section: string
  text: string
}

/**
 * The command blocks of the tutorial's Markdown: ```bash fences under a "## " section, minus
 * sample output. A block that starts with "$ cmd" is that command followed by its output; a block
 * that is only output (a table, JSON log lines, an error message) is left out. Commands the prose
 * gives inline (`aws …`, `kubectl …`, `terraform …`) count too.
 */
export function extractCommands(markdown: string): TutorialCommand[] {
  const out: TutorialCommand[] = []
  let section = ''
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heading = /^##\s+(.+?)\s*$/.exec(lines[i])
    if (heading) {
      section = heading[1]
      continue
    }
    const fence = /^```(\w*)\s*$/.exec(lines[i])
    if (!fence) {
      // A command given in the prose ("…by running this command: `terraform output -raw …`").
      for (const m of lines[i].matchAll(INLINE_COMMAND)) out.push({ section, text: m[1] })
      continue
    }
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && !/^```\s*$/.test(lines[j]); j++) body.push(lines[j])
    i = j
    if (fence[1] !== 'bash' && fence[1] !== 'sh' && fence[1] !== 'shell') continue
    if (body.length === 0 || isOutput(body[0])) continue
    if (body[0].startsWith('$ ')) {
      out.push({ section, text: body[0].slice(2) })
      continue
    }
    out.push({ section, text: body.join('\n') })
  }
  return out
}

const INLINE_COMMAND = /`((?:aws|kubectl|terraform|helm|wget|eks-node-viewer) [^`]+)`/g

function isOutput(first: string): boolean {
  return /^\s*[{[]"/.test(first) || /^\s*\{"level"/.test(first) || /^An error occurred\b/.test(first) || /^[A-Z][A-Z-]+(\s{2,}[A-Z][A-Z()-]*)+\s*$/.test(first)
}

export function commandsYaml(commands: TutorialCommand[]): string {
  return stringifyYaml({ commands }, { lineWidth: 0, blockQuote: 'literal' })
}

export function readCommandsFile(path: string): TutorialCommand[] {
  const data = parseYaml(readFileSync(path, 'utf8')) as { commands?: unknown }
  if (!Array.isArray(data?.commands)) throw new Error(`${path}: expected a top-level "commands" list`)
  return data.commands.map((c: unknown, i: number) => {
    const entry = c as Partial<TutorialCommand>
    if (typeof entry.section !== 'string' || typeof entry.text !== 'string') throw new Error(`${path}: commands[${i}] needs "section" and "text" strings`)
    return { section: entry.section, text: entry.text }
  })
}

export interface DocString {
  file: string
  line: number
  content: string
}

export function parseFeature(file: string, text = readFileSync(file, 'utf8')): GherkinDocument {
  const parser = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher())
  return { ...parser.parse(text), uri: file }
}

/** Every doc string of the .feature files in `dir`, with where it is. */
export function featureDocStrings(dir: string): DocString[] {
  const out: DocString[] = []
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.feature'))
    .sort()) {
    const file = join(dir, name)
    const doc = parseFeature(file)
    for (const child of doc.feature?.children ?? []) {
      const steps = [
        ...(child.scenario?.steps ?? []),
        ...(child.background?.steps ?? []),
        ...(child.rule?.children ?? []).flatMap((c) => c.scenario?.steps ?? []),
      ]
      for (const step of steps) if (step.docString) out.push({ file, line: step.docString.location.line, content: step.docString.content })
    }
  }
  return out
}

const normalise = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '')

/** The commands that no doc string contains verbatim (trailing spaces aside). */
export function missingCommands(commands: TutorialCommand[], docStrings: DocString[]): TutorialCommand[] {
  const haystack = docStrings.map((d) => `\n${normalise(d.content)}\n`)
  return commands.filter((c) => !haystack.some((h) => h.includes(`\n${normalise(c.text)}\n`)))
}
