// The browser half of `report --check`: a real single-file Allure report, opened in headless
// Chromium; a chart that renders is photographed, one that does not is a problem.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zoneSpreadChart } from '../../../support/charts.ts'
import { findBrowser } from '../../../support/report-check.ts'
import { chartScreens, landingScreen } from '../../../support/report-screens.ts'
import { projectRoot } from '../../../lib/paths.ts'

const browser = findBrowser()

/** One scenario of a section, whose zone-spread step attached `svg` as its chart (as allure-cucumberjs writes it). */
function result(dir: string, uuid: string, section: string, svg: string, status = 'passed'): void {
  writeFileSync(join(dir, `${uuid}-attachment.svg`), svg)
  const now = Date.now()
  const chart = {
    name: 'zone spread (chart)',
    attachments: [{ name: 'zone spread (chart)', source: `${uuid}-attachment.svg`, type: 'image/svg+xml' }],
    start: now,
    stop: now,
  }
  writeFileSync(
    join(dir, `${uuid}-result.json`),
    JSON.stringify({
      uuid,
      historyId: uuid,
      name: `Ten pods spread over three zones (${section})`,
      fullName: `spotcheck:features/06.feature#${section}`,
      status,
      stage: 'finished',
      labels: [{ name: 'feature', value: section }],
      steps: [
        {
          name: 'And the report shows the zone spread of the deployment "stateless"',
          status: 'passed',
          stage: 'finished',
          steps: [chart],
          attachments: [],
          parameters: [],
          start: now,
          stop: now,
        },
      ],
      attachments: [],
      parameters: [],
      links: [],
      start: now,
      stop: now,
    }),
  )
}

/** Generates the single-file report of `results` into `<dir>/report` with the project's Allure configuration. */
async function generate(dir: string, results: string): Promise<string> {
  const report = join(dir, 'report')
  const cli = join(projectRoot, 'node_modules', 'allure', 'cli.js')
  await execa(process.execPath, [cli, 'generate', results, '--config', join(projectRoot, 'allurerc.mjs'), '--output', report], {
    cwd: dir,
    env: { SPOTCHECK_ALLURE_HISTORY: join(dir, 'history.jsonl') },
  })
  return join(report, 'index.html')
}

describe('report check in Chromium: the landing page', { skip: browser ? false : 'no Chromium on PATH' }, () => {
  it("is photographed once it shows the tutorial's title and the passed count, and named when it does not", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-report-landing-'))
    try {
      const passed = join(dir, 'passed')
      const failed = join(dir, 'failed')
      mkdirSync(join(passed, 'results'), { recursive: true })
      mkdirSync(join(failed, 'results'), { recursive: true })
      const chart = await zoneSpreadChart([{ zone: 'eu-west-2a', capacityType: 'spot', nodes: 1, pods: 4 }], 'the pods by zone')
      result(join(passed, 'results'), '33333333-3333-4333-8333-333333333333', 'Step 5: Spread pods within multiple AZs', chart)
      result(join(failed, 'results'), '44444444-4444-4444-8444-444444444444', 'Step 5: Spread pods within multiple AZs', chart, 'failed')

      const png = join(dir, 'report.png')
      assert.equal((await landingScreen(browser!, await generate(passed, join(passed, 'results')), png)).problem, undefined)
      assert.equal(readFileSync(png).subarray(1, 4).toString(), 'PNG')

      // No scenario passed: the page draws its summary without a passed count.
      assert.equal(
        (await landingScreen(browser!, await generate(failed, join(failed, 'results')), join(dir, 'failed.png'))).problem,
        'the landing page does not show the count of passed scenarios ("Passed")',
      )
      assert.ok(!existsSync(join(dir, 'failed.png')))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('loads the page again when it drew only its frame, and says so; gives up after the attempts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-report-landing-'))
    // A stand-in for Allure's app stopping at its frame: the first load of /flaky is the frame alone,
    // every later one the report; /never is always the frame. The server counts the loads, so the
    // page's behaviour does not depend on what the browser kept between them.
    const drawn =
      '<h2 data-testid="report-title">Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter</h2>' +
      '<div data-testid="metadata-item-total">Total 1</div><div data-testid="metadata-item-passed">Passed 1</div>'
    const served = new Map<string, number>()
    const server = createServer((req, res) => {
      const n = (served.get(req.url!) ?? 0) + 1
      served.set(req.url!, n)
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' })
      res.end(req.url === '/flaky' && n > 1 ? drawn : '<div>Report</div>')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      assert.deepEqual(await landingScreen(browser!, new URL('/flaky', base), join(dir, 'flaky.png'), 3, 10_000), { loads: 2 })
      assert.ok(existsSync(join(dir, 'flaky.png')))
      assert.deepEqual(await landingScreen(browser!, new URL('/never', base), join(dir, 'never.png'), 2, 1_000), {
        loads: 2,
        problem: 'the landing page did not draw its header and summary in 2 loads of 1 s each',
      })
      assert.equal(served.get('/never'), 2)
    } finally {
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('report check in Chromium: the charts', { skip: browser ? false : 'no Chromium on PATH' }, () => {
  it('photographs a chart that renders and reports one that does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-report-screens-'))
    try {
      const results = join(dir, 'results')
      mkdirSync(results)
      result(
        results,
        '11111111-1111-4111-8111-111111111111',
        'Step 5: Spread pods within multiple AZs',
        await zoneSpreadChart([{ zone: 'eu-west-2a', capacityType: 'spot', nodes: 1, pods: 4 }], 'the pods by zone'),
      )
      // Not well-formed XML: the browser cannot draw it.
      result(
        results,
        '22222222-2222-4222-8222-222222222222',
        'Step 6: Simulate a Spot interruption',
        '<svg xmlns="http://www.w3.org/2000/svg"><g class="mark-rect role-mark"><path d="M0,0h9v9h-9Z"></g>',
      )
      const screens = await chartScreens(browser!, await generate(dir, results), dir)
      assert.deepEqual(
        screens.map((s) => [s.chart, s.problem, s.png && s.png.slice(dir.length + 1)]),
        [
          ['zone spread (chart)', undefined, 'report-step-5-zone-spread.png'],
          ['zone spread (chart)', 'the chart did not render as a picture', undefined],
        ],
      )
      const png = readFileSync(join(dir, 'report-step-5-zone-spread.png'))
      assert.equal(png.subarray(1, 4).toString(), 'PNG')
      assert.ok(png.readUInt32BE(16) > 400 && png.readUInt32BE(20) > 100, 'a picture of the step, not a sliver')
      assert.ok(!existsSync(join(dir, 'report-step-6-zone-spread.png')))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
