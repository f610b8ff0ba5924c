// Every command of the tutorial appears verbatim in a feature; the list comes from the tutorial.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { commandsYaml, extractCommands, featureDocStrings, missingCommands, readCommandsFile } from '../../../support/tutorial-commands.ts'
import { projectRoot } from '../../../lib/paths.ts'

const sample = [
  '## Step 2: Create a cluster',
  '```bash',
  'terraform init',
  'terraform apply --auto-approve',
  '```',
  '> Tip: or run this command: `terraform output -raw configure_kubectl`.',
  '```bash',
  '$ kubectl get pods -n karpenter',
  'NAME                       READY STATUS  RESTARTS AGE',
  'karpenter-5f97c944df-bm85k 1/1   Running 0        15m',
  '```',
  '```bash',
  'NAME      STATUS   ROLES',
  'ip-10-0   Ready    <none>',
  '```',
  '## Step 3: Logs',
  '```bash',
  '{"level":"INFO","message":"created nodeclaim"}',
  '```',
  '```json',
  '{"not": "a command"}',
  '```',
  '```bash',
  'An error occurred (InvalidInput) when calling the CreateServiceLinkedRole operation',
  '```',
].join('\n')

describe('extractCommands', () => {
  it('takes command blocks and inline commands, and leaves sample output out', () => {
    assert.deepEqual(extractCommands(sample), [
      { section: 'Step 2: Create a cluster', text: 'terraform init\nterraform apply --auto-approve' },
      { section: 'Step 2: Create a cluster', text: 'terraform output -raw configure_kubectl' },
      { section: 'Step 2: Create a cluster', text: 'kubectl get pods -n karpenter' },
    ])
  })

  it('round-trips through the YAML file format', () => {
    const commands = extractCommands(sample)
    assert.match(commandsYaml(commands), /^commands:\n/)
  })
})

describe('the features and fixtures/tutorial-commands.yaml', () => {
  const commands = readCommandsFile(join(projectRoot, 'fixtures', 'tutorial-commands.yaml'))
  const docStrings = featureDocStrings(join(projectRoot, 'features'))

  it('list the tutorial’s 29 commands', () => {
    assert.equal(commands.length, 29)
  })

  it('have every tutorial command verbatim in a feature doc string', () => {
    assert.deepEqual(
      missingCommands(commands, docStrings).map((c) => `${c.section}: ${c.text.split('\n')[0]}`),
      [],
    )
  })

  it('would catch a command that no feature runs', () => {
    const changed = [...commands, { section: 'Step 9', text: 'kubectl delete nodepool default' }]
    assert.deepEqual(
      missingCommands(changed, docStrings).map((c) => c.text),
      ['kubectl delete nodepool default'],
    )
    const edited = docStrings.map((d) => ({ ...d, content: d.content.replace('--auto-approve', '-auto-approve') }))
    assert.ok(missingCommands(commands, edited).length > 0, 'a feature that changes a command no longer covers it')
  })
})
