// Attachments read as the terminal showed them: Terraform's colours and a progress line's
// carriage returns never reach the report as raw escape codes.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setGlobalTestRuntime, MessageHolderTestRuntime } from 'allure-js-commons/sdk/runtime'
import { asTerminalShowed, attachCommand, attachJson, attachText } from '../../../support/report.ts'

// What `terraform init` prints on a terminal (its colours on: no -no-color).
const TERRAFORM =
  '\u001b[0m\u001b[1mInitializing the backend...\u001b[0m\n\u001b[0m\u001b[1m\u001b[32mTerraform has been successfully initialized!\u001b[0m\u001b[32m\u001b[0m\n\u001b[31m╷\u001b[0m\u001b[0m\n\u001b[31m│\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mInvalid value\u001b[0m\n'

function attachments(runtime: MessageHolderTestRuntime): { name: string; text: string }[] {
  return runtime
    .messages()
    .filter((m) => m.type === 'attachment_content')
    .map((m) => {
      const data = m.data as { name: string; content: string }
      return { name: data.name, text: Buffer.from(data.content, 'base64').toString('utf8') }
    })
}

describe('report attachments', () => {
  it("strips Terraform's colours from a command's output: no ESC in the attachment, the words kept", async () => {
    const runtime = new MessageHolderTestRuntime()
    setGlobalTestRuntime(runtime)
    await attachCommand({ command: 'terraform init', exitCode: 0, output: TERRAFORM, stdout: TERRAFORM, stderr: '', startedAt: new Date(), durationMs: 1200 })
    await attachText('terminal "tf"', TERRAFORM)
    await attachJson('a value', { output: TERRAFORM })
    const found = attachments(runtime)
    assert.deepEqual(
      found.map((a) => a.name),
      ['command', 'output', 'terminal "tf"', 'a value'],
    )
    for (const a of found) assert.ok(!a.text.includes('\u001b') && !a.text.includes('\\u001b'), `${a.name} carries an escape code: ${JSON.stringify(a.text)}`)
    const output = found.find((a) => a.name === 'output')!.text
    assert.equal(output, 'Initializing the backend...\nTerraform has been successfully initialized!\n╷\n│ Error: Invalid value\n')
  })

  it('shows a line rewritten by carriage returns as it was left, and makes a stray ESC visible', () => {
    assert.equal(asTerminalShowed('Downloading 10%\rDownloading 100%\r\ndone\r\n'), 'Downloading 100%\ndone\n')
    assert.equal(asTerminalShowed('a \u001b b'), 'a ␛ b')
  })
})
