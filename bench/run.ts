// `npm run bench [name…]`: runs the benchmarks in bench/*.bench.ts (all, or those named),
// keeps each one's latest figures in bench/results/<id>.json and rewrites docs/benchmarks.md
// from every result on file, so a partial run never drops the figures of the others.
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import os from 'node:os'

export interface BenchResult {
  /** Stable id; also the results file name. */
  id: string
  title: string
  /** Markdown body: tables of figures, then findings. */
  markdown: string
}

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, 'results')
const doc = join(here, '..', 'docs', 'benchmarks.md')

async function main(): Promise<void> {
  const wanted = process.argv.slice(2)
  const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort()
  await mkdir(resultsDir, { recursive: true })
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, '')
    if (wanted.length > 0 && !wanted.includes(name)) continue
    process.stderr.write(`bench: ${name}…\n`)
    const mod = (await import(join(here, file))) as { default: () => Promise<BenchResult> }
    const result = await mod.default()
    const stamped = { ...result, measuredAt: new Date().toISOString(), machine: machine() }
    await writeFile(join(resultsDir, `${result.id}.json`), JSON.stringify(stamped, null, 2) + '\n')
  }
  await render()
}

function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`
}

async function render(): Promise<void> {
  const results: (BenchResult & { measuredAt: string; machine: string })[] = []
  for (const f of (await readdir(resultsDir)).filter((f) => f.endsWith('.json')).sort()) {
    results.push(JSON.parse(await readFile(join(resultsDir, f), 'utf8')) as BenchResult & { measuredAt: string; machine: string })
  }
  const parts = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (all benchmarks) or `npm run bench -- <name>` (one of `bench/*.bench.ts`).',
    'Figures are wall-clock on the machine named under each section; they are measurements, never test assertions.',
    '',
  ]
  for (const r of results) {
    parts.push(`## ${r.title}`, '', `_Measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${r.machine}._`, '', r.markdown.trim(), '')
  }
  await mkdir(dirname(doc), { recursive: true })
  await writeFile(doc, parts.join('\n'))
  process.stderr.write(`bench: wrote ${doc}\n`)
}

await main()
