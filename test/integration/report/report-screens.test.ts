// The browser half of `report --check`: a real single-file Allure report, opened in headless
// Chromium; a chart that renders is photographed, one that does not is a problem.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zoneSpreadChart } from '../../../support/charts.ts'
import { findBrowser } from '../../../support/report-check.ts'
import { chartScreens } from '../../../support/report-screens.ts'
import { projectRoot } from '../../../lib/paths.ts'

const browser = findBrowser()

/** One scenario of a section, whose zone-spread step attached `svg` as its chart (as allure-cucumberjs writes it). */
function result(dir: string, uuid: string, section: string, svg: string): void {
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
      status: 'passed',
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

describe('report check in Chromium: the charts', { skip: browser ? false : 'no Chromium on PATH' }, () => {
  it('photographs a chart that renders and reports one that does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-report-screens-'))
    try {
      const results = join(dir, 'results')
      const report = join(dir, 'report')
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
      const cli = join(projectRoot, 'node_modules', 'allure', 'cli.js')
      await execa(process.execPath, [cli, 'generate', results, '--config', join(projectRoot, 'allurerc.mjs'), '--output', report], {
        cwd: dir,
        env: { SPOTCHECK_ALLURE_HISTORY: join(dir, 'history.jsonl') },
      })
      const screens = await chartScreens(browser!, join(report, 'index.html'), dir)
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
