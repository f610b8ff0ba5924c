// The tutorial's terminal: run its blocks verbatim, keep long-running ones going, read what they print.

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DataTable } from '@cucumber/cucumber'
import { Then, When } from '../support/step-registry.ts'
import { attachText } from '../support/report.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import type { BackgroundCommand } from '../support/shell.ts'
import { parseTable } from '../support/kubectl-table.ts'
import { deploymentCreatedBy } from '../support/expect/cluster.ts'
import { firstOutput, leaveAndJoinProblem, occurrences, shownOutput, toolsWithoutVersion, withSnippetBeforeContainers } from '../support/expect/terminal.ts'

function output(world: SpotcheckWorld): string {
  assert.ok(world.last, 'no command has run in this scenario yet')
  return world.last.output
}

function terminalNamed(world: SpotcheckWorld, name: string): BackgroundCommand {
  const command = world.background.get(name)
  assert.ok(command, `no terminal "${name}" in this scenario`)
  return command
}

When('I run:', async function (this: SpotcheckWorld, script: string) {
  const r = await this.sh(script)
  assert.equal(r.exitCode, 0, `the block failed with exit code ${r.exitCode}:\n${this.run.redactor.redact(r.output.slice(-3000))}`)
})

When('I run, and leave it running:', async function (this: SpotcheckWorld, script: string) {
  const command = this.run.shell.start(script)
  this.background.set('it', command)
  await attachText('command (left running)', script)
  await firstOutput(command, script.trim())
})

When('in another terminal, {string}, I run:', async function (this: SpotcheckWorld, name: string, script: string) {
  const command = this.run.shell.another().start(script)
  this.background.set(name, command)
  await attachText(`command in terminal "${name}" (left running)`, script)
  await firstOutput(command, `terminal "${name}"`)
})

When('I stop it', async function (this: SpotcheckWorld) {
  const command = this.background.get('it')
  assert.ok(command, 'nothing was left running in this scenario')
  this.last = await command.stop()
  this.background.delete('it')
  const shown = shownOutput(this.last)
  await attachText(shown.name, shown.text)
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
  const region = this.run.shell.variable('AWS_REGION')
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
  assert.equal(this.run.shell.variable(name), value, `$${name}`)
})

Then('the output shows the version of each tool:', function (this: SpotcheckWorld, table: DataTable) {
  assert.deepEqual(toolsWithoutVersion(output(this), table.hashes()), [], 'tools whose version the output does not show')
})

Then('Terraform reports {string} {int} times', function (this: SpotcheckWorld, text: string, times: number) {
  const count = occurrences(output(this), text)
  assert.equal(count, times, `"${text}" appears ${count} times`)
})

Then('the {string} terminal showed the line {string}', function (this: SpotcheckWorld, name: string, text: string) {
  const command = terminalNamed(this, name)
  assert.ok(command.output.includes(text), `terminal "${name}" did not show "${text}"; it showed:\n${command.output.slice(-3000)}`)
})

When(
  "I add the tutorial's topology spread constraint to {string}, between the nodeSelector and the containers:",
  async function (this: SpotcheckWorld, file: string, snippet: string) {
    const path = join(this.run.shell.cwd, file)
    const edited = withSnippetBeforeContainers(readFileSync(path, 'utf8'), snippet, file)
    writeFileSync(path, edited)
    await attachText(file, edited)
  },
)

Then('the {string} terminal showed the interrupted node leave and the replacement join', function (this: SpotcheckWorld, name: string) {
  const command = terminalNamed(this, name)
  const { interruptedNode, node } = this.subject
  assert.ok(interruptedNode && node, 'the interrupted node and its replacement are not known yet')
  const problem = leaveAndJoinProblem(command.output, interruptedNode, node)
  assert.ok(!problem, `terminal "${name}" ${problem}:\n${command.output.slice(-3000)}`)
})
