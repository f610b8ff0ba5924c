// What the tutorial's terminals show: a watch that showed a node leave and its replacement join,
// the tools whose version a block printed, a stopped command's output or last screen, and the
// topology spread edit of Step 5 placed in the pod template.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { leaveAndJoinProblem, occurrences, shownOutput, toolsWithoutVersion, withSnippetBeforeContainers } from '../../../../support/expect/terminal.ts'

describe('a node watch', () => {
  const header = 'NAME          STATUS   ROLES    AGE   VERSION'
  it('showed the interrupted node leave when its row came again, and the replacement join', () => {
    const output = [
      header,
      'ip-10-0-1-1  Ready    <none>   5m    v1.28',
      'ip-10-0-1-1  Ready    <none>   7m    v1.28',
      'ip-10-0-2-2  NotReady <none>   0s    v1.28',
    ].join('\n')
    assert.equal(leaveAndJoinProblem(output, 'ip-10-0-1-1', 'ip-10-0-2-2'), undefined)
  })

  it('did not when the node was listed once, or the replacement never', () => {
    assert.equal(leaveAndJoinProblem([header, 'ip-10-0-1-1  Ready'].join('\n'), 'ip-10-0-1-1', 'ip-10-0-2-2'), 'showed ip-10-0-1-1 1 time(s), not as it left')
    assert.equal(
      leaveAndJoinProblem([header, 'ip-10-0-1-1  Ready', 'ip-10-0-1-1  Ready'].join('\n'), 'ip-10-0-1-1', 'ip-10-0-2-2'),
      'never showed the replacement ip-10-0-2-2',
    )
  })

  it('does not take a longer name for the interrupted node', () => {
    const output = ['ip-10-0-1-10  Ready', 'ip-10-0-1-10  Ready', 'ip-10-0-2-2  Ready'].join('\n')
    assert.match(String(leaveAndJoinProblem(output, 'ip-10-0-1-1', 'ip-10-0-2-2')), /0 time/)
  })
})

describe('the tools block', () => {
  const rows = [
    { tool: 'Terraform', 'version pattern': String.raw`Terraform v\d+\.\d+\.\d+` },
    { tool: 'Helm', 'version pattern': String.raw`version\.BuildInfo\{Version:"[^"]+"` },
  ]
  it('names the tools whose version pattern the output does not match', () => {
    assert.deepEqual(toolsWithoutVersion('Terraform v1.7.5\non linux_amd64', rows), ['Helm'])
    assert.deepEqual(toolsWithoutVersion('Terraform v1.7.5\nversion.BuildInfo{Version:"v3.14.0"}', rows), [])
  })

  it('counts what Terraform reports', () => {
    assert.equal(occurrences('Apply complete! …\nApply complete! …\n', 'Apply complete!'), 2)
    assert.equal(occurrences('', 'Apply complete!'), 0)
  })
})

describe('a stopped command', () => {
  it('shows its output, named by its first line', () => {
    assert.deepEqual(shownOutput({ command: 'kubectl get nodes -w\n', output: 'NAME\n' }), { name: 'output of: kubectl get nodes -w', text: 'NAME\n' })
  })

  it('shows the last screen of a full-screen program', () => {
    const shown = shownOutput({ command: 'eks-node-viewer', output: '\x1b[H\x1b[2Jnode-1 spot\n' })
    assert.equal(shown.name, 'last screen of: eks-node-viewer')
    assert.ok(!shown.text.includes('\x1b'), 'no escape sequence on the screen')
  })
})

describe("Step 5's topology spread edit", () => {
  const manifest = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'spec:',
    '  template:',
    '    spec:',
    '      nodeSelector:',
    '        intent: apps',
    '      containers:',
    '        - name: app',
    '          image: nginx',
    '',
  ].join('\n')
  const snippet = [
    '      topologySpreadConstraints:',
    '        - maxSkew: 1',
    '          topologyKey: topology.kubernetes.io/zone',
    '          whenUnsatisfiable: DoNotSchedule',
    '',
  ].join('\n')

  it('goes between the nodeSelector and the containers, in the pod template', () => {
    const edited = withSnippetBeforeContainers(manifest, snippet, 'workload.yaml').split('\n')
    assert.equal(edited.indexOf('      topologySpreadConstraints:'), 7)
    assert.equal(edited.indexOf('      containers:'), 11)
  })

  it('fails at the wrong indentation (inside the nodeSelector), and without a nodeSelector', () => {
    assert.throws(() => withSnippetBeforeContainers(manifest, snippet.replace(/^(?=.)/gm, '  '), 'workload.yaml'), /no topologySpreadConstraints/)
    assert.throws(() => withSnippetBeforeContainers('spec: {}\n', snippet, 'workload.yaml'), /has no nodeSelector/)
  })
})
