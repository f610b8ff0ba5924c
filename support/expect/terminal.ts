// What the tutorial's terminals show, as the steps ask it: a command that has started printing,
// the last screen of a full-screen program, a watch that showed a node leave and another join,
// and the one file edit the tutorial asks a reader to make by hand.

import assert from 'node:assert/strict'
import { parse as parseYaml } from 'yaml'
import { completeFrames, replayScreen } from '../node-viewer-screen.ts'
import type { BackgroundCommand, CommandResult } from '../shell.ts'

/**
 * A reader starts a watch or a log tail and looks at it before going on: the command must have
 * printed something (kubectl's table header, the last log lines) before the next step runs —
 * otherwise, on a fast target, what it should show could happen before it is watching.
 */
export async function firstOutput(command: BackgroundCommand, what: string): Promise<void> {
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

/** What to show of a stopped command: its output, or for a full-screen program (eks-node-viewer) its last screen. */
export function shownOutput(result: Pick<CommandResult, 'command' | 'output'>): { name: string; text: string } {
  const first = result.command.split('\n')[0]
  // A full-screen program writes escape sequences, not lines: replay them into its last screen.
  if (result.output.includes('\x1b')) return { name: `last screen of: ${first}`, text: replayScreen(completeFrames(result.output)).join('\n') }
  return { name: `output of: ${first}`, text: result.output }
}

/** How many times `text` appears in `output`. */
export function occurrences(output: string, text: string): number {
  return output.split(text).length - 1
}

/** The tools (rows of `tool`, `version pattern`) whose version pattern the output does not match. */
export function toolsWithoutVersion(output: string, rows: Record<string, string>[]): string[] {
  return rows.filter((row) => !new RegExp(row['version pattern']).test(output)).map((row) => row.tool)
}

/**
 * Why a `kubectl get nodes --watch` output does not show `leaving` leave and `joining` join, or
 * undefined if it does. The watch prints a node's row again on every change, its deletion
 * included (the taint Karpenter sets does not show in STATUS): listed, then printed again as it went.
 */
export function leaveAndJoinProblem(output: string, leaving: string, joining: string): string | undefined {
  const lines = output.split('\n')
  const rows = lines.filter((l) => l.startsWith(`${leaving} `)).length
  if (rows < 2) return `showed ${leaving} ${rows} time(s), not as it left`
  if (!lines.some((l) => l.startsWith(joining))) return `never showed the replacement ${joining}`
  return undefined
}

/**
 * A deployment manifest with `snippet` inserted before the pod template's `containers:` key (the
 * one at the nodeSelector's indentation), checked to have become topologySpreadConstraints.
 */
export function withSnippetBeforeContainers(manifest: string, snippet: string, file: string): string {
  const lines = manifest.split('\n')
  const selector = lines.findIndex((l) => /^\s+nodeSelector:\s*$/.test(l))
  assert.ok(selector >= 0, `${file} has no nodeSelector`)
  const indent = /^\s*/.exec(lines[selector])?.[0] ?? ''
  const containers = lines.findIndex((l, i) => i > selector && l === `${indent}containers:`)
  assert.ok(containers >= 0, `${file} has no containers block after the nodeSelector at indentation ${indent.length}`)
  lines.splice(containers, 0, ...snippet.replace(/\n+$/, '').split('\n'))
  const edited = lines.join('\n')
  const parsed = parseYaml(edited) as { spec?: { template?: { spec?: { topologySpreadConstraints?: unknown[] } } } }
  assert.ok(
    parsed.spec?.template?.spec?.topologySpreadConstraints?.length,
    `${file}: after the edit the pod template has no topologySpreadConstraints (indentation?)`,
  )
  return edited
}
