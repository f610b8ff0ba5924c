import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fromLabelSelectorSpec, parseFieldSelector, parseLabelSelector, selectableFields, supportedFields } from '../../../sandbox/kube/selectors.ts'
import { ApiError } from '../../../sandbox/kube/errors.ts'

describe('label selectors', () => {
  it('parse and match the full syntax', () => {
    const labels = { app: 'web', tier: 'front', 'karpenter.sh/capacity-type': 'spot', n: '5' }
    const yes = [
      'app=web',
      'app==web',
      'app!=db',
      'tier in (front,back)',
      'tier notin (back)',
      'app',
      '!missing',
      'karpenter.sh/capacity-type=spot',
      'n>4',
      'n<6',
      'app=web, tier in ( front )',
      'missing notin (x)',
      '',
    ]
    const no = ['app=db', 'app!=web', 'tier in (back)', 'tier notin (front)', 'missing', '!app', 'n>5', 'n<5', 'missing in (x)']
    for (const s of yes) assert.ok(parseLabelSelector(s).matches(labels), s)
    for (const s of no) assert.ok(!parseLabelSelector(s).matches(labels), s)
    for (const bad of ['a in (', 'a b', '=b', 'a=b=c', 'a in (x', 'a>b', 'bad key!=x'])
      assert.throws(
        () => parseLabelSelector(bad),
        (e: ApiError) => e.code === 400,
        bad,
      )
    assert.equal(parseLabelSelector('a in (x,y),!b,c').toString(), 'a in (x,y),!b,c')
  })

  it('converts metav1.LabelSelector', () => {
    const s = fromLabelSelectorSpec({ matchLabels: { app: 'stateless' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] })
    assert.equal(s.toString(), 'app=stateless,tier notin (db)')
    assert.ok(s.matches({ app: 'stateless' }))
    assert.ok(fromLabelSelectorSpec({}).matches({}))
  })
})

describe('field selectors', () => {
  it('select pods by node and phase, events by involved object', () => {
    const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } }
    const f = (s: string) => parseFieldSelector(s, supportedFields('pods')).matches(selectableFields('pods', pod))
    assert.ok(f('spec.nodeName=n1,status.phase!=Failed,status.phase!=Succeeded'))
    assert.ok(!f('spec.nodeName=n2'))
    assert.ok(f('metadata.name==p'))
    assert.throws(
      () => parseFieldSelector('spec.bogus=x', supportedFields('pods')),
      (e: ApiError) => e.code === 400 && e.message === 'field label not supported: spec.bogus',
    )
    const ev = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u1' } }
    assert.ok(
      parseFieldSelector('involvedObject.name=p,involvedObject.namespace=default,involvedObject.kind=Pod,involvedObject.uid=u1').matches(
        selectableFields('events', ev),
      ),
    )
    assert.ok(parseFieldSelector('spec.unschedulable=false').matches(selectableFields('nodes', { metadata: { name: 'n' }, spec: {} })))
  })
})
