// The report's history is carried from one run to the next (the nightly workflow keeps the file
// between nights): allurerc.mjs names it, and every generated report appends to it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { execa } from 'execa'
import { projectRoot } from '../../../lib/paths.ts'

const config = join(projectRoot, 'allurerc.mjs')

/**
 * allurerc.mjs as Allure loads it (its default export), in a fresh process with the given
 * environment. Importing the `allure` package prints its CLI's help, hence the marker.
 */
async function loadConfig(env: Record<string, string | undefined>): Promise<{ historyPath?: string; historyLimit?: number }> {
  const script = `const c = (await import(${JSON.stringify(config)})).default; process.stdout.write('\\n@@config ' + JSON.stringify(c) + '\\n')`
  const r = await execa(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, SPOTCHECK_ALLURE_HISTORY: undefined, ...env },
    extendEnv: false,
  })
  const line = r.stdout.split('\n').find((l) => l.startsWith('@@config '))
  assert.ok(line, `allurerc.mjs printed no config:\n${r.stdout}`)
  return JSON.parse(line.slice('@@config '.length)) as { historyPath?: string; historyLimit?: number }
}

describe('allurerc.mjs: the report history', () => {
  it('keeps it in allure-history/history.jsonl beside the project by default (git-ignored)', async () => {
    const c = await loadConfig({})
    assert.equal(c.historyPath, join(projectRoot, 'allure-history', 'history.jsonl'))
    assert.ok(c.historyLimit && c.historyLimit > 0, 'a limit, so the file does not grow without end')
    assert.match(readFileSync(join(projectRoot, '.gitignore'), 'utf8'), /^allure-history\/$/m)
  })

  it('takes another file from SPOTCHECK_ALLURE_HISTORY, relative to the project', async () => {
    assert.equal((await loadConfig({ SPOTCHECK_ALLURE_HISTORY: 'elsewhere/h.jsonl' })).historyPath, join(projectRoot, 'elsewhere', 'h.jsonl'))
    assert.equal((await loadConfig({ SPOTCHECK_ALLURE_HISTORY: '/tmp/x/h.jsonl' })).historyPath, '/tmp/x/h.jsonl')
  })

  it('grows by one line per generated report, which Allure reads back the next time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-history-'))
    try {
      const results = join(dir, 'results')
      mkdirSync(results)
      const now = Date.now()
      writeFileSync(
        join(results, `${randomUUID()}-result.json`),
        JSON.stringify({
          uuid: randomUUID(),
          historyId: 'h1',
          testCaseId: 't1',
          name: 'a scenario',
          fullName: 'features/x.feature:a scenario',
          status: 'passed',
          stage: 'finished',
          start: now - 1000,
          stop: now,
          labels: [],
          steps: [],
          attachments: [],
          parameters: [],
        }),
      )
      const history = join(dir, 'history', 'history.jsonl')
      const generate = () =>
        execa(
          process.execPath,
          [join(projectRoot, 'node_modules', 'allure', 'cli.js'), 'generate', results, '--config', config, '--output', join(dir, 'report')],
          {
            cwd: dir,
            env: { SPOTCHECK_ALLURE_HISTORY: history },
          },
        )
      await generate()
      assert.ok(existsSync(history), `no history written to ${history}`)
      assert.equal(readFileSync(history, 'utf8').trim().split('\n').length, 1)
      await generate()
      const lines = readFileSync(history, 'utf8').trim().split('\n')
      assert.equal(lines.length, 2)
      for (const line of lines) assert.ok(JSON.parse(line), 'each line is one JSON history point')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
