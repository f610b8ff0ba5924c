// The tutorial's terminal: run its blocks verbatim, keep long-running ones going, read what they print.

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DataTable } from '@cucumber/cucumber'
import { parse as parseYaml } from 'yaml'
import { Then, When } from '../support/step-registry.ts'
import { attachText } from '../support/report.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import type { BackgroundCommand } from '../support/shell.ts'
import { parseTable } from '../support/kubectl-table.ts'
import { completeFrames, replayScreen } from '../support/node-viewer-screen.ts'
import { deploymentCreatedBy } from '../support/expect/cluster.ts'

function output(world: SpotcheckWorld): string {
  assert.ok(world.last, 'no command has run in this scenario yet')
  return world.last.output
}

When('I run:', async function (this: SpotcheckWorld, script: string) {
  const r = await this.sh(script)
  assert.equal(r.exitCode, 0, `the block failed with exit code ${r.exitCode}:\n${this.run.redactor.redact(r.output.slice(-3000))}`)
})

/**
 * A reader starts a watch or a log tail and looks at it before going on: the command must have
 * printed something (kubectl's table header, the last log lines) before the next step runs —
 * otherwise, on a fast target, what it should show could happen before it is watching.
 */
async function firstOutput(command: BackgroundCommand, what: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (command.output === '' && command.running) {
    if (Date.now() > deadline) throw new Error(`${what} printed nothing in 60 s`)
    await new Promise((r) => setTimeout(r, 50))
  }
  if (!command.running) {
    const r = await command.wait()
    // 127: bash found no such command (or a stand-in says the tool is missing, and how to install it).
    if (r.exitCode === 127) assert.fail(`${r.command.trim().split(/\s/)[0]} is not installed (exit 127):\n${r.output.slice(-2000)}`)
    assert.fail(`${what} exited at once (exit ${r.exitCode}):\n${r.output.slice(-2000)}`)
  }
}

When('I run, and leave it running:', async function (this: SpotcheckWorld, script: string) {
  const command = this.run.terminal!.start(script)
  this.background.set('it', command)
  await attachText('command (left running)', script)
  await firstOutput(command, script.trim())
})

When('in another terminal, {string}, I run:', async function (this: SpotcheckWorld, name: string, script: string) {
  const command = this.run.terminal!.another().start(script)
  this.background.set(name, command)
  await attachText(`command in terminal "${name}" (left running)`, script)
  await firstOutput(command, `terminal "${name}"`)
})

When('I stop it', async function (this: SpotcheckWorld) {
  const command = this.background.get('it')
  assert.ok(command, 'nothing was left running in this scenario')
  this.last = await command.stop()
  this.background.delete('it')
  // A full-screen program (eks-node-viewer) writes escape sequences, not lines: show its last screen.
  const screen = this.last.output.includes('\x1b') ? replayScreen(completeFrames(this.last.output)).join('\n') : undefined
  await attachText(`${screen === undefined ? 'output' : 'last screen'} of: ${this.last.command.split('\n')[0]}`, screen ?? this.last.output)
})

When('I stop the commands in the other terminals', async function (this: SpotcheckWorld) {
  for (const [name, command] of this.background) {
    if (name === 'it') continue
    const r = await command.stop()
    await attachText(`terminal "${name}": ${r.command.trim().split('\n').pop()}`, r.output)
  }
})

Then('the command succeeds', function (this: SpotcheckWorld) {
  assert.equal(this.last?.exitCode, 0, `exit code ${this.last?.exitCode}:\n${output(this).slice(-2000)}`)
})

Then('the output contains {string}', function (this: SpotcheckWorld, text: string) {
  assert.ok(output(this).includes(text), `the output does not contain "${text}":\n${output(this).slice(-2000)}`)
})

Then('the output is {string}', function (this: SpotcheckWorld, text: string) {
  assert.equal(output(this).trim(), text)
  this.subject.deployment = deploymentCreatedBy(text) ?? this.subject.deployment
})

Then('the output is {string} with $AWS_REGION expanded', function (this: SpotcheckWorld, text: string) {
  const region = this.run.terminal!.variable('AWS_REGION')
  assert.ok(region, 'AWS_REGION is not set in the terminal')
  assert.equal(output(this).trim(), text.replaceAll('$AWS_REGION', region))
})


Then('the output is a table with the columns {string}', function (this: SpotcheckWorld, columns: string) {
  const { headers } = parseTable(output(this))
  assert.deepEqual(headers, columns.split(/\s+/))
})

Then('it lists {int} pods named {string}', function (this: SpotcheckWorld, count: number, pattern: string) {
  const { rows } = parseTable(output(this))
  const prefix = pattern.replace(/…$/, '')
  assert.equal(rows.length, count, `${rows.length} rows: ${rows.map((r) => r.NAME).join(', ')}`)
  for (const r of rows) assert.ok(r.NAME.startsWith(prefix), `${r.NAME} is not named "${pattern}"`)
})

Then('the variable {word} is {string}', function (this: SpotcheckWorld, name: string, value: string) {
  assert.equal(this.run.terminal!.variable(name), value, `$${name}`)
})

Then('the output shows the version of each tool:', function (this: SpotcheckWorld, table: DataTable) {
  for (const row of table.hashes()) {
    assert.match(output(this), new RegExp(row['version pattern']), `${row.tool}: no version in the output`)
  }
})

Then('Terraform reports {string} {int} times', function (this: SpotcheckWorld, text: string, times: number) {
  const count = output(this).split(text).length - 1
  assert.equal(count, times, `"${text}" appears ${count} times`)
})

Then('the {string} terminal showed the line {string}', function (this: SpotcheckWorld, name: string, text: string) {
  const command = this.background.get(name)
  assert.ok(command, `no terminal "${name}" in this scenario`)
  assert.ok(command.output.includes(text), `terminal "${name}" did not show "${text}"; it showed:\n${command.output.slice(-3000)}`)
})

When("I add the tutorial's topology spread constraint to {string}, between the nodeSelector and the containers:", async function (this: SpotcheckWorld, file: string, snippet: string) {
  const path = join(this.run.terminal!.cwd, file)
  const lines = readFileSync(path, 'utf8').split('\n')
  // The template's `containers:` key: the one at the nodeSelector's indentation.
  const selector = lines.findIndex((l) => /^\s+nodeSelector:\s*$/.test(l))
  assert.ok(selector >= 0, `${file} has no nodeSelector`)
  const indent = /^\s*/.exec(lines[selector])![0]
  const containers = lines.findIndex((l, i) => i > selector && l === `${indent}containers:`)
  assert.ok(containers >= 0, `${file} has no containers block after the nodeSelector at indentation ${indent.length}`)
  lines.splice(containers, 0, ...snippet.replace(/\n+$/, '').split('\n'))
  const edited = lines.join('\n')
  const manifest = parseYaml(edited) as { spec?: { template?: { spec?: { topologySpreadConstraints?: unknown[] } } } }
  assert.ok(manifest.spec?.template?.spec?.topologySpreadConstraints?.length, `${file}: after the edit the pod template has no topologySpreadConstraints (indentation?)`)
  writeFileSync(path, edited)
  await attachText(file, edited)
})

Then('the {string} terminal showed the interrupted node leave and the replacement join', function (this: SpotcheckWorld, name: string) {
  const command = this.background.get(name)
  assert.ok(command, `no terminal "${name}" in this scenario`)
  const { interruptedNode, node } = this.subject
  assert.ok(interruptedNode && node, 'the interrupted node and its replacement are not known yet')
  const lines = command.output.split('\n')
  // `kubectl get --watch` prints a node's row again on every change, its deletion included (the
  // taint Karpenter sets does not show in STATUS): listed, then printed again as it went.
  const rows = lines.filter((l) => l.startsWith(`${interruptedNode} `))
  assert.ok(rows.length >= 2, `terminal "${name}" showed ${interruptedNode} ${rows.length} time(s), not as it left:\n${command.output.slice(-3000)}`)
  assert.ok(lines.some((l) => l.startsWith(node)), `terminal "${name}" never showed the replacement ${node}:\n${command.output.slice(-3000)}`)
})
