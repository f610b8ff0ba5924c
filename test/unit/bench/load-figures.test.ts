// The load benchmark's figures from a run's timings.json: parsed (bad input named by field),
// summed without Terraform's and CloudFormation's commands, and written in docs/benchmarks.md's form.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { deviation, figuresOf, loadMarkdown, parseTimings } from '../../../bench/load-figures.ts'
import { RunTimings, commandKind } from '../../../support/timings.ts'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function runTimings(nodeReadyMs: number): string {
  const t = new RunTimings()
  t.command({ command: 'terraform init\nterraform apply -target="module.vpc" -auto-approve', durationMs: 40_000 })
  t.command({ command: 'aws cloudformation deploy --stack-name fis-spot-and-karpenter --template-file spotinterruption.yaml', durationMs: 5_000 })
  t.command({ command: 'kubectl apply -f workload.yaml', durationMs: 800 })
  t.command({ command: 'aws fis start-experiment --experiment-template-id $FIS_EXP_TEMP_ID', durationMs: 1_200 })
  t.duration('NodeClaim created → node Ready', nodeReadyMs)
  t.duration('NodeClaim created → node Ready', 1) // a later occurrence does not replace the tutorial's
  t.duration('interruption warning → replacement Ready', 48_000)
  t.duration('workload deletion → consolidation delete', 31_000)
  const file = join(mkdtempSync(join(tmpdir(), 'timings-')), 'timings.json')
  t.write(file, 'run-1')
  return readFileSync(file, 'utf8')
}

describe("the load benchmark's figures", () => {
  it("classifies the commands: Terraform's and CloudFormation's own waits apart", () => {
    assert.equal(commandKind('terraform init\nterraform apply -auto-approve'), 'terraform')
    assert.equal(commandKind('cd x && terraform destroy -auto-approve'), 'terraform')
    assert.equal(commandKind('aws cloudformation delete-stack --stack-name fis-spot-and-karpenter'), 'cloudformation')
    assert.equal(commandKind('aws cloudformation describe-stacks --stack-name x'), 'other')
    assert.equal(commandKind('export TF_VAR_x=terraform'), 'other')
  })

  it("reads a run's timings.json and sums the wall time of all but the providers' commands", () => {
    const f = figuresOf(parseTimings(runTimings(38_000)), 120_000)
    assert.deepEqual(f, {
      totalWallMs: 120_000,
      providerWallMs: 45_000,
      restWallMs: 75_000,
      durations: {
        'NodeClaim created → node Ready': 38_000,
        'interruption warning → replacement Ready': 48_000,
        'workload deletion → consolidation delete': 31_000,
      },
    })
  })

  it('names the field of a timings.json it cannot read', () => {
    assert.throws(() => parseTimings('{', 'x.json'), /^Error: x\.json: not JSON/)
    assert.throws(() => parseTimings('{"commands": {}}', 'x.json'), /x\.json: "commands" is not a list/)
    assert.throws(() => parseTimings('{"commands": [{"kind": "other"}], "tutorialDurations": []}', 'x.json'), /x\.json: commands\[0\] needs a numeric "wallMs"/)
    assert.throws(
      () => parseTimings('{"commands": [], "tutorialDurations": [{"name": "a"}]}', 'x.json'),
      /x\.json: tutorialDurations\[0\] needs a "name" and a numeric "ms"/,
    )
  })

  it('writes both runs side by side, flagging a loaded figure more than 10 % off the quiet one', () => {
    const quiet = figuresOf(parseTimings(runTimings(38_000)), 120_000)
    const loaded = figuresOf(parseTimings(runTimings(44_000)), 150_000)
    const md = loadMarkdown(quiet, loaded, 2)
    assert.match(md, /\| NodeClaim created → node Ready \(tutorial time\) \| 38\.0 s \| 44\.0 s \| \+16 % \(over 10 %\) \|/)
    assert.match(md, /\| interruption warning → replacement Ready \(tutorial time\) \| 48\.0 s \| 48\.0 s \| \+0 % \|/)
    assert.match(md, /\| \*\*wall time, all but Terraform's and CloudFormation's own commands\*\* \| \*\*75\.0 s\*\* \| \*\*105\.0 s\*\* \|/)
    assert.match(md, /with 2 busy-loop processes/)
    assert.equal(deviation(undefined, 3), '–')
    assert.match(loadMarkdown({ ...quiet, durations: {} }, loaded, 2), /\| not measured \| 44\.0 s \| – \|/)
  })
})
