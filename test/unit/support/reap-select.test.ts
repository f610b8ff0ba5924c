// What `spotcheck reap` chooses to remove: by the run id's time or the creation time, by the
// tutorial's fixed names, and never a run whose lock is held and young.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseDuration, parseLock, runIdTime, select, type Leftover } from '../../../support/reap-select.ts'

const now = new Date('2026-12-06T12:00:00Z')
const H = 3_600_000
const OLD_RUN = '20261206050734-e4bb' // 6 h 52 min before `now`
const YOUNG_RUN = '20261206110000-aaaa' // 1 h before

const names = (s: { leftover: Leftover }[]) => s.map((x) => x.leftover.id).sort()

describe('reap: durations and run ids', () => {
  it('reads --older-than as the CLI documents it, and names what it accepts otherwise', () => {
    assert.equal(parseDuration('4h'), 4 * H)
    assert.equal(parseDuration('90m'), 90 * 60_000)
    assert.equal(parseDuration('1h30m'), 1.5 * H)
    assert.equal(parseDuration('2d'), 48 * H)
    assert.equal(parseDuration('0'), 0)
    assert.throws(() => parseDuration('4 hours'), /--older-than "4 hours": expected a duration such as 4h, 90m, 1h30m, 2d or 0/)
    assert.throws(() => parseDuration('-1h'), /expected a duration/)
  })

  it("takes a run's start from its id (UTC), and nothing from a value that is not a run id", () => {
    assert.equal(runIdTime(OLD_RUN)?.toISOString(), '2026-12-06T05:07:34.000Z')
    assert.equal(runIdTime('manual'), undefined)
    assert.equal(runIdTime('20261306050734-e4bb'), undefined) // month 13
    assert.equal(runIdTime(undefined), undefined)
  })

  it("reads a lock's value, and falls back to the parameter's time for a lock written by hand", () => {
    const lock = parseLock(
      '/spotcheck/lock/eu-west-2/spot-and-karpenter',
      JSON.stringify({ runId: YOUNG_RUN, host: 'ci-7', startedAt: '2026-12-06T11:00:05Z' }),
    )
    assert.deepEqual(lock, {
      name: '/spotcheck/lock/eu-west-2/spot-and-karpenter',
      runId: YOUNG_RUN,
      host: 'ci-7',
      startedAt: new Date('2026-12-06T11:00:05Z'),
    })
    const byHand = parseLock('/spotcheck/lock/eu-west-2/spot-and-karpenter', 'taken', new Date('2026-12-01T00:00:00Z'))
    assert.equal(byHand.runId, undefined)
    assert.equal(byHand.startedAt?.toISOString(), '2026-12-01T00:00:00.000Z')
  })
})

describe('reap: selection', () => {
  const taggedOld: Leftover = { kind: 'sqs-queue', id: 'old-queue', label: 'SQS queue old-queue', runId: OLD_RUN }
  const taggedYoung: Leftover = { kind: 'sqs-queue', id: 'young-queue', label: 'SQS queue young-queue', runId: YOUNG_RUN }
  // A tag value that is no run id (the sandbox fixture's default "manual"): its creation time decides.
  const taggedManual: Leftover = {
    kind: 'iam-role',
    id: 'manual-role',
    label: 'IAM role manual-role',
    runId: 'manual',
    createdAt: new Date(now.getTime() - 5 * H),
  }
  const fixedOld: Leftover = {
    kind: 'eks-cluster',
    id: 'spot-and-karpenter',
    label: 'EKS cluster spot-and-karpenter',
    fixedName: 'spot-and-karpenter',
    createdAt: new Date(now.getTime() - 30 * H),
  }
  const fixedYoung: Leftover = {
    kind: 'log-group',
    id: '/aws/eks/spot-and-karpenter/cluster',
    label: 'log group',
    fixedName: '/aws/eks/spot-and-karpenter/cluster',
    createdAt: new Date(now.getTime() - 10 * 60_000),
  }
  const fixedAgeless: Leftover = { kind: 'vpc', id: 'vpc-1', label: 'VPC vpc-1 (spot-and-karpenter)', fixedName: 'spot-and-karpenter' }
  const orphanRule: Leftover = { kind: 'events-rule', id: 'Karpenter-Spot-1', label: 'rule', fixedName: 'Karpenter-Spot-1', orphan: true }

  it('removes what is older than the limit, by the run id before the creation time, and keeps what is younger', () => {
    const s = select([taggedOld, taggedYoung, taggedManual, fixedOld, fixedYoung], [], { now, olderThanMs: 4 * H })
    assert.deepEqual(names(s.reap), ['manual-role', 'old-queue', 'spot-and-karpenter'])
    assert.deepEqual(names(s.keep), ['/aws/eks/spot-and-karpenter/cluster', 'young-queue'])
    assert.match(s.reap.find((r) => r.leftover.id === 'old-queue')!.why, /run 20261206050734-e4bb, started 6\.9h ago/)
    assert.match(s.keep.find((r) => r.leftover.id === 'young-queue')!.why, /younger than 4h/)
  })

  it('keeps what has no known age unless --older-than is 0, and removes orphans whatever their age', () => {
    const s = select([fixedAgeless, orphanRule], [], { now, olderThanMs: 4 * H })
    assert.deepEqual(names(s.reap), ['Karpenter-Spot-1'])
    assert.match(s.keep[0].why, /age unknown .*--older-than 0 removes it/)
    assert.deepEqual(names(select([fixedAgeless], [], { now, olderThanMs: 0 }).reap), ['vpc-1'])
  })

  it('skips the run that holds a young lock, and the fixed names while it holds it; a stale lock goes', () => {
    // The lock is taken a little after the run's id is made; judged with --older-than 30m, the
    // run (1 h old) is old enough, its lock (15 min) is not.
    const held = parseLock('/spotcheck/lock/eu-west-2/spot-and-karpenter', JSON.stringify({ runId: YOUNG_RUN, startedAt: '2026-12-06T11:45:00Z' }))
    const s = select([taggedOld, fixedOld, taggedYoung], [held], { now, olderThanMs: 30 * 60_000 })
    assert.deepEqual(names(s.reap), ['old-queue'])
    assert.deepEqual(names(s.keep), ['spot-and-karpenter', 'young-queue'])
    assert.match(
      s.keep.find((k) => k.leftover.id === 'young-queue')!.why,
      /run 20261206110000-aaaa holds the lock \/spotcheck\/lock\/eu-west-2\/spot-and-karpenter, younger than 30m/,
    )
    assert.match(s.keep.find((k) => k.leftover.id === 'spot-and-karpenter')!.why, /fixed name "spot-and-karpenter" may be in use/)
    assert.deepEqual(s.heldLocks, [held])

    const stale = parseLock('/spotcheck/lock/eu-west-2/spot-and-karpenter', JSON.stringify({ runId: OLD_RUN, startedAt: '2026-12-06T05:07:40Z' }))
    const t = select([taggedOld, fixedOld], [stale], { now, olderThanMs: 4 * H })
    assert.deepEqual(names(t.reap), ['old-queue', 'spot-and-karpenter'])
    assert.deepEqual(t.staleLocks, [stale])
  })

  it('takes everything inside a VPC that goes, and nothing of a VPC that stays; orders removal by dependency', () => {
    const vpcOld: Leftover = { kind: 'vpc', id: 'vpc-old', label: 'VPC vpc-old', runId: OLD_RUN }
    const vpcYoung: Leftover = { kind: 'vpc', id: 'vpc-young', label: 'VPC vpc-young', runId: YOUNG_RUN }
    const eniOld: Leftover = { kind: 'network-interface', id: 'eni-1', label: 'ENI eni-1', vpcId: 'vpc-old', extra: { onlyWithVpc: '1' } }
    const eniYoung: Leftover = { kind: 'network-interface', id: 'eni-2', label: 'ENI eni-2', vpcId: 'vpc-young', extra: { onlyWithVpc: '1' } }
    const instance: Leftover = { kind: 'ec2-instance', id: 'i-1', label: 'instance i-1', vpcId: 'vpc-old', createdAt: now, extra: { onlyWithVpc: '1' } }
    const s = select([vpcOld, vpcYoung, eniOld, eniYoung, instance, taggedOld], [], { now, olderThanMs: 4 * H })
    assert.deepEqual(
      s.reap.map((r) => r.leftover.id),
      ['i-1', 'eni-1', 'vpc-old', 'old-queue'],
    )
    assert.match(s.reap[0].why, /inside VPC vpc-old, which goes/)
    assert.deepEqual(names(s.keep), ['vpc-young'], 'untagged things of a VPC that stays are not listed at all')
  })
})
