// Headless Chromium driven over the DevTools protocol (Node's own WebSocket and fetch: no
// dependency), for what `--dump-dom` and `--screenshot` cannot do: wait until the report's app has
// drawn its page (and load it again when it stopped at its frame), click through the report to a
// scenario, open the step that carries a chart, and photograph it as a reader would see it.

import { execa, type ResultPromise } from 'execa'
import { sleep } from '../lib/sleep.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Page {
  /** Evaluates an expression in the page (awaiting a promise it returns) and hands back its value. */
  evaluate<T>(expression: string): Promise<T>
  navigate(url: string): Promise<void>
  /** A PNG of the viewport, or of `clip` (page coordinates) when given. */
  screenshot(file: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void>
  /** Polls `expression` until it is truthy; false after `timeoutMs`. */
  waitFor(expression: string, timeoutMs?: number): Promise<boolean>
}

export async function withChromium<T>(browser: string, size: { width: number; height: number }, use: (page: Page) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'spotcheck-chromium-'))
  const child: ResultPromise = execa(
    browser,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      `--window-size=${size.width},${size.height}`,
      'about:blank',
    ],
    { reject: false, buffer: false },
  )
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let seen = ''
      const timer = setTimeout(() => reject(new Error(`${browser} did not open its DevTools endpoint in 30 s:\n${seen.slice(-2000)}`)), 30_000)
      child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString()
        const m = /DevTools listening on (ws:\/\/[^\s]+)/.exec(seen)
        if (m) {
          clearTimeout(timer)
          resolve(m[1])
        }
      })
      void child.then((r) => reject(new Error(`${browser} exited (${r.exitCode}) before its DevTools endpoint opened:\n${seen.slice(-2000)}`)))
    })
    const { host } = new URL(endpoint)
    const targets = (await (await fetch(`http://${host}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[]
    const target = targets.find((t) => t.type === 'page')
    if (!target) throw new Error(`${browser} has no page to drive`)
    const socket = new WebSocket(target.webSocketDebuggerUrl)
    await new Promise((resolve, reject) => {
      socket.onopen = resolve
      socket.onerror = () => reject(new Error(`cannot connect to ${target.webSocketDebuggerUrl}`))
    })
    let next = 0
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
    socket.onmessage = (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } }
      const waiter = message.id === undefined ? undefined : pending.get(message.id)
      if (!waiter) return
      pending.delete(message.id!)
      if (message.error) waiter.reject(new Error(message.error.message))
      else waiter.resolve(message.result)
    }
    const send = <R>(method: string, params: object = {}): Promise<R> =>
      new Promise<R>((resolve, reject) => {
        const id = ++next
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        socket.send(JSON.stringify({ id, method, params }))
      })
    await send('Emulation.setDeviceMetricsOverride', { ...size, deviceScaleFactor: 1, mobile: false })
    const page: Page = {
      async evaluate<V>(expression: string): Promise<V> {
        const r = await send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
          expression,
          awaitPromise: true,
          returnByValue: true,
        })
        if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`)
        return r.result.value as V
      },
      async navigate(url: string): Promise<void> {
        await send('Page.navigate', { url })
      },
      async screenshot(file, clip): Promise<void> {
        const r = await send<{ data: string }>('Page.captureScreenshot', {
          format: 'png',
          captureBeyondViewport: false,
          ...(clip ? { clip: { ...clip, scale: 1 } } : {}),
        })
        writeFileSync(file, Buffer.from(r.data, 'base64'))
      },
      async waitFor(expression: string, timeoutMs = 20_000): Promise<boolean> {
        const until = Date.now() + timeoutMs
        while (Date.now() < until) {
          if (await page.evaluate<boolean>(`Boolean(${expression})`).catch(() => false)) return true
          await sleep(200)
        }
        return false
      },
    }
    try {
      return await use(page)
    } finally {
      socket.close()
    }
  } finally {
    child.kill()
    await child
    rmSync(profile, { recursive: true, force: true })
  }
}
