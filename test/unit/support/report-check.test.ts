// The report check knows, by value, what must never be published: on a real account the run
// records no sandbox credentials, so the opted-in account and the shell's credentials stand in.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chartProblems, findLeaks, knownSecrets, rawEscapes } from '../../../support/report-check.ts'
import { zoneSpreadChart } from '../../../support/charts.ts'

describe('report check: knownSecrets', () => {
  it("takes the opted-in account and the shell's AWS credentials when the run recorded none (a real account)", () => {
    const env = {
      SPOTCHECK_AWS_ACCOUNT: '111122223333',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE12',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ',
    }
    const known = knownSecrets({ secrets: [] }, env)
    assert.equal(known.accountId, '111122223333')
    assert.deepEqual(known.secrets.sort(), [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].sort())
  })

  it('keeps what the run recorded, and leaves short values (moto\'s "testing") and a malformed opt-in to the patterns', () => {
    const known = knownSecrets(
      { secrets: ['recorded-secret-value'], accountId: '123456789012' },
      { SPOTCHECK_AWS_ACCOUNT: '111122223333', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    )
    assert.deepEqual(known, { secrets: ['recorded-secret-value'], accountId: '123456789012' })
    assert.equal(knownSecrets({ secrets: [] }, { SPOTCHECK_AWS_ACCOUNT: 'abc' }).accountId, undefined)
  })

  it('finds the real account ID in a report file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-report-check-'))
    try {
      writeFileSync(join(dir, 'a.json'), '{"arn":"arn:aws:iam::111122223333:role/x"}')
      const leaks = findLeaks([dir], knownSecrets({ secrets: [] }, { SPOTCHECK_AWS_ACCOUNT: '111122223333' }))
      assert.deepEqual(
        leaks.map((l) => l.what),
        ['the account ID 111122223333'],
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('report check: charts and escape codes', () => {
  /** An allure-results directory as allure-cucumberjs writes it: the step, its attachment as a sub-step. */
  function results(chart: { name: string; svg: string } | undefined, output = 'Apply complete!'): string {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-report-check-'))
    const attachments = [{ name: 'output', source: 'b-attachment.txt', type: 'text/plain' }]
    writeFileSync(join(dir, 'b-attachment.txt'), output)
    const steps = [
      { name: 'When I run:', status: 'passed', steps: [{ name: 'output', attachments }] },
      {
        name: 'And the report shows the zone spread of the deployment "stateless"',
        status: 'passed',
        steps: chart ? [{ name: chart.name, attachments: [{ name: chart.name, source: 'a-attachment.svg', type: 'image/svg+xml' }] }] : [],
      },
    ]
    if (chart) writeFileSync(join(dir, 'a-attachment.svg'), chart.svg)
    writeFileSync(join(dir, 'r-result.json'), JSON.stringify({ name: 'Ten pods spread over three zones', status: 'passed', steps }))
    return dir
  }
  const spread = [{ zone: 'eu-west-1a', capacityType: 'spot', nodes: 1, pods: 4 }]

  it('passes a report whose chart is drawn with data, and whose attachments carry no ESC', async () => {
    const dir = results({ name: 'zone spread (chart)', svg: await zoneSpreadChart(spread, 'spread') })
    try {
      assert.deepEqual(chartProblems(dir), [])
      assert.deepEqual(rawEscapes(dir), [])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('fails a report whose step passed without its chart', () => {
    const dir = results(undefined)
    try {
      assert.deepEqual(
        chartProblems(dir).map((p) => p.what),
        ['Ten pods spread over three zones › And the report shows the zone spread of the deployment "stateless": no chart "zone spread (chart)"'],
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('fails a report whose chart is empty: the "no data" frame, or an SVG with no marks', async () => {
    for (const svg of [await zoneSpreadChart([], 'spread'), '<svg xmlns="http://www.w3.org/2000/svg"></svg>']) {
      const dir = results({ name: 'zone spread (chart)', svg })
      try {
        assert.match(
          chartProblems(dir)
            .map((p) => p.what)
            .join('\n'),
          /the chart "zone spread \(chart\)" is empty \(no data marks\)/,
        )
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  })

  it('fails a report with a raw escape code in an attachment, naming the attachment', async () => {
    const dir = results({ name: 'zone spread (chart)', svg: await zoneSpreadChart(spread, 'spread') }, '\u001b[0m\u001b[1m\u001b[32mApply complete!\u001b[0m')
    try {
      assert.deepEqual(
        rawEscapes(dir).map((p) => p.what),
        ['the attachment "output" contains a raw escape character (ESC): terminal codes not stripped'],
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
