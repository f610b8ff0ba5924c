// The report as documentation: what a reader of the tutorial would want to see in place of its
// sample output. Every attachment passes through the run's redactor: attach only through here.

import * as allure from 'allure-js-commons'
import { ContentType } from 'allure-js-commons'
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { World } from '@cucumber/cucumber'
import { stripVTControlCharacters } from 'node:util'
import { currentRedactor } from './step-registry.ts'
import type { CommandResult } from './shell.ts'
import type { LogLine } from './recorders.ts'

export function redact(text: string): string {
  return currentRedactor().redact(text)
}

/**
 * Command output as it read in the terminal: colours and cursor moves (Terraform's, Helm's,
 * kubectl's) stripped, a line rewritten in place by carriage returns shown as it was left, and
 * any escape character no sequence claimed made visible (␛) — never a raw ESC in the report.
 */
export function asTerminalShowed(text: string): string {
  return noRawEscape(
    stripVTControlCharacters(text)
      .split('\n')
      .map((line) => {
        const l = line.replace(/\r+$/, '')
        return l.slice(l.lastIndexOf('\r') + 1)
      })
      .join('\n'),
  )
}

/** Escape sequences stripped and a stray ESC made visible: for every attachment, terminal output or not. */
export function noRawEscape(text: string): string {
  return stripVTControlCharacters(text).replaceAll('\u001b', '␛')
}

/** `$ first line…` with its exit code, duration and output, as its own step in the report. */
export async function attachCommand(result: CommandResult, title?: string): Promise<void> {
  const first = result.command.trim().split('\n')[0]
  const lines = result.command.trim().split('\n').length
  const name = title ?? `$ ${first.length > 100 ? `${first.slice(0, 97)}…` : first}${lines > 1 ? ` (+${lines - 1} lines)` : ''}`
  await allure
    .step(redact(name), async (ctx) => {
      await ctx.parameter('exit code', String(result.exitCode))
      await ctx.parameter('duration', `${(result.durationMs / 1000).toFixed(1)} s`)
      if (result.stoppedBy) await ctx.parameter('stopped by', result.stoppedBy === 'interrupt' ? 'Ctrl-C' : 'timeout')
      await allure.attachment('command', redact(noRawEscape(result.command)), ContentType.TEXT)
      await allure.attachment('output', redact(asTerminalShowed(result.output || '(no output)')), ContentType.TEXT)
      if (result.exitCode !== 0 && !result.stoppedBy) throw new Error(`exit code ${result.exitCode}`)
    })
    .then(
      () => undefined,
      () => undefined, // a failed command is shown failed in the report; the step decides whether that fails the scenario
    )
}

export async function attachText(name: string, text: string): Promise<void> {
  await allure.attachment(name, redact(asTerminalShowed(text)), ContentType.TEXT)
}

export async function attachJson(name: string, value: unknown): Promise<void> {
  // JSON.stringify would write an ESC in a string as the text \u001b: strip the sequences first.
  await allure.attachment(name, redact(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? noRawEscape(v) : v), 2)), ContentType.JSON)
}

export async function attachHtml(name: string, html: string): Promise<void> {
  await allure.attachment(name, redact(noRawEscape(html)), ContentType.HTML)
}

/** A picture drawn from the run's data (support/charts.ts), redacted like any other attachment. */
export async function attachSvg(name: string, svg: string): Promise<void> {
  await allure.attachment(name, redact(noRawEscape(svg)), ContentType.SVG)
}

/** A Cucumber attachment (in its messages and HTML report, e.g. data `spotcheck drift` reads back), redacted. */
export function attachToCucumber(world: Pick<World, 'attach'>, text: string, options: { mediaType: string; fileName?: string }): void {
  world.attach(redact(text), options)
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const STYLE = `<style>
body{font:13px/1.4 -apple-system,Segoe UI,Roboto,sans-serif;margin:8px}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f3f3f3}td.num{text-align:right}caption{text-align:left;font-weight:600;margin-bottom:4px}
.spot{color:#0a7c2f;font-weight:600}.on-demand{color:#1f5fbf;font-weight:600}
pre{white-space:pre-wrap;font-size:12px}
</style>`

export function htmlTable(caption: string, headers: string[], rows: (string | number)[][], numeric: number[] = []): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) => {
            const text = escapeHtml(String(c))
            const cls = numeric.includes(i) ? ' class="num"' : c === 'spot' || c === 'on-demand' ? ` class="${c}"` : ''
            return `<td${cls}>${text}</td>`
          })
          .join('')}</tr>`,
    )
    .join('\n')
  return `<!doctype html><meta charset="utf-8">${STYLE}<table><caption>${escapeHtml(caption)}</caption><tr>${head}</tr>\n${body}</table>`
}

/** controller-runtime's per-reconcile bookkeeping on Karpenter 1.x lines: noise to a reader. */
const RECONCILE_FIELDS = ['controllerGroup', 'controllerKind', 'namespace', 'name', 'reconcileID']

/**
 * Karpenter's log lines as a reader scans them: time, controller, message, the fields that
 * matter — in the same vocabulary whichever Karpenter wrote them (`provisioner: created nodeclaim
 * nodepool=default nodeclaim=default-x …` for v0.32's `"logger":"controller.provisioner"` and for
 * 1.x's `"logger":"controller","controller":"provisioner","NodePool":{"name":"default"}`).
 */
export function logExcerpt(lines: LogLine[]): string {
  return lines
    .map((l) => {
      if (!l.view || !l.fields) return l.raw
      const runtime = typeof l.fields.controller === 'string'
      const { level, time, logger, controller, message, commit: _commit, ...rest } = l.view.fields
      const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v))
      const extra = Object.entries(rest)
        .filter(([k]) => !(runtime && RECONCILE_FIELDS.includes(k)))
        .map(([k, v]) => `${k}=${text(v)}`)
        .join(' ')
      return `${text(time).slice(11, 23)} ${text(level).padEnd(5)} ${text(controller ?? logger)}: ${text(message)}${extra ? `  ${extra}` : ''}`
    })
    .join('\n')
}

/** allure-results/environment.properties: target, region, tool and Karpenter versions. */
export function writeEnvironment(resultsDir: string, facts: Record<string, string>): void {
  mkdirSync(resultsDir, { recursive: true })
  const lines = Object.entries(facts).map(([k, v]) => `${k.replace(/[ =:]/g, '_')}=${redact(v).replace(/\n/g, ' ')}`)
  writeFileSync(join(resultsDir, 'environment.properties'), lines.join('\n') + '\n')
}
