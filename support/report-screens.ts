// The charts as a reader sees them in the single-file report: for every step that draws one,
// headless Chromium opens the scenario, unfolds the step and its chart, proves the picture
// rendered (an <img> with pixels) and photographs the step to reports/report-step-<n>-<chart>.png.

import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sleep } from '../lib/sleep.ts'
import { EXPECTED_CHARTS } from './charts.ts'
import { withChromium, type Page } from './chromium.ts'

export interface ChartScreen {
  scenario: string
  step: string
  chart: string
  /** The screenshot, when the chart rendered. */
  png?: string
  /** Why it is not a picture a reader can see. */
  problem?: string
}

interface Located {
  testResultId: string
  scenario: string
  /** The scenario's section, "Step 5: …" (its feature label). */
  section: string
  stepId: string
  step: string
  chart: string
  attachmentId?: string
}

/**
 * In the page: every passed step of a scenario that should carry a chart, from the report's own
 * embedded data. Steps replayed inside a checkpoint's fast-forward (a section run on its own,
 * support/checkpoint.ts) are nested in the report and not photographed; their charts are still
 * checked for data (report-check.ts chartProblems).
 */
const LOCATE = `(() => {
  const expected = ${JSON.stringify(EXPECTED_CHARTS)}
  const decode = (v) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(v), (c) => c.charCodeAt(0))))
  const found = []
  const walk = (tr, steps) => {
    for (const s of steps ?? []) {
      if (s.type !== 'step') continue
      const e = s.status === 'passed' && expected.find((x) => s.name.includes(x.step))
      if (e) {
        const a = (s.steps ?? []).find((x) => x.type === 'attachment' && x.link?.name === e.chart && x.link?.contentType === 'image/svg+xml')
        const section = (tr.labels ?? []).find((l) => l.name === 'feature')?.value ?? ''
        found.push({ testResultId: tr.id, scenario: tr.name, section, stepId: s.stepId, step: s.name, chart: e.chart, attachmentId: a?.link?.id })
      }
    }
  }
  for (const [key, value] of Object.entries(window.allureReportData)) if (key.startsWith('data/test-results/')) { const tr = decode(value); walk(tr, tr.steps) }
  return found.sort((a, b) => a.section.localeCompare(b.section, 'en', { numeric: true }))
})()`

function slug(text: string): string {
  return text
    .replace(/\(chart\)/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

async function photograph(page: Page, index: string, at: Located, png: string): Promise<string | undefined> {
  await page.navigate(`${index}#/${at.testResultId}`)
  // The page is one app: wait until it shows this scenario, not the last one.
  if (!(await page.waitFor(`document.querySelector('[data-testid=test-result-info-title]')?.textContent === ${JSON.stringify(at.scenario)}`)))
    return 'the report did not open the scenario'
  const header = `document.querySelector('[data-tr-focus-id="${at.stepId}"]')`
  if (!(await page.waitFor(header))) return 'the report did not show the step'
  // The report remembers which steps were unfolded: unfold only a folded one.
  const content = `${header}.closest('[data-testid=test-result-step]').querySelector('[data-testid=test-result-step-content]')`
  if (!(await page.evaluate<boolean>(`Boolean(${content})`)))
    await page.evaluate(`${header}.querySelector('[data-testid=test-result-step-arrow-button]').click()`)
  // Every wait has waitFor's 20 s: on a machine whose cores are busy (npm test runs its jobs side by
  // side) Chromium takes seconds to unfold a step or decode a chart.
  const attachment = `document.querySelector('[data-tr-focus-id="${at.attachmentId}"]')`
  if (!(await page.waitFor(attachment))) return 'the step shows no chart attachment'
  const image = `${attachment}.closest('[data-testid=test-result-attachment]').querySelector('img')`
  if (!(await page.evaluate<boolean>(`Boolean(${image})`))) await page.evaluate(`${attachment}.querySelector('button').click()`)
  if (!(await page.waitFor(`${image} && ${image}.complete && ${image}.naturalWidth > 0`))) return 'the chart did not render as a picture'
  const step = `${header}.closest('[data-testid=test-result-step]')`
  const box = await page.evaluate<{ x: number; y: number; width: number; height: number }>(
    `(() => { const s = ${step}; s.scrollIntoView({ block: 'start' }); const r = s.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: Math.min(r.height, innerHeight - r.y) } })()`,
  )
  await sleep(300) // the scroll settles before the picture
  await page.screenshot(png, box)
  return undefined
}

/** What a reader sees first on the report's landing page: the tutorial's title, and how many scenarios passed. */
const LANDING = [
  { what: 'the report title', element: '[data-testid=report-title]', text: 'Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter' },
  { what: 'the count of passed scenarios', element: '[data-testid=metadata-item-passed]', text: 'Passed' },
]
/** The page has drawn its header and its summary (the total is shown for every run, the passed count only when some passed). */
const RENDERED = `document.querySelector('[data-testid=report-title]') && document.querySelector('[data-testid=metadata-item-total]')`

/**
 * How often, and how long each time, the report is loaded before it counts as not drawn: a report
 * of several MB drew its summary in 6–9 s on a busy 2-core machine, and Allure 3.18's app stopped
 * at its frame on about 1 load in 12 there (see landingScreen).
 */
const LOADS = 3
const LOAD_TIMEOUT_MS = 30_000

/** The report's address: its index.html's path (as a file: URL, escaped), or a URL as given. */
const address = (report: string | URL): string => (typeof report === 'string' ? pathToFileURL(report).href : report.href)

export interface LandingScreen {
  /** What the page lacks; undefined when it shows the title and the passed count. */
  problem?: string
  /** How many times the page was loaded (more than one: Allure's app stopped at its layout before). */
  loads: number
}

/**
 * Loads the report until its app has drawn the landing page, up to `attempts` times; how many
 * loads it took, or what went wrong.
 */
async function openDrawn(page: Page, url: string, attempts: number, timeoutMs: number): Promise<number | string> {
  for (let loads = 1; loads <= attempts; loads++) {
    await page.navigate('about:blank')
    await page.navigate(url)
    if (await page.waitFor(RENDERED, timeoutMs)) return loads
  }
  return `the landing page did not draw its header and summary in ${attempts} loads of ${timeoutMs / 1000} s each`
}

/**
 * Opens the report's landing page and, once it has drawn its header and summary, checks that it
 * shows the title and the passed count and photographs it; otherwise says what it lacks.
 * The page is polled, not given a fixed budget: the report is one file of several MB whose app
 * draws its data after loading it, which on a machine whose cores are busy (npm test runs its
 * jobs side by side) took longer than `--dump-dom --virtual-time-budget=10000` waited. And it is
 * loaded up to `attempts` times: Allure 3.18's app sometimes draws only its frame (layout, footer)
 * and never the report in it — 2 loads of 25 of the same file on a busy 2-core machine, data
 * loaded and document complete — which a reader mends by reloading, as this does.
 */
export async function landingScreen(browser: string, report: string | URL, png: string, attempts = LOADS, timeoutMs = LOAD_TIMEOUT_MS): Promise<LandingScreen> {
  return withChromium(browser, { width: 1400, height: 1000 }, async (page) => {
    const loads = await openDrawn(page, address(report), attempts, timeoutMs)
    if (typeof loads === 'string') return { loads: attempts, problem: loads }
    const missing: string[] = []
    for (const l of LANDING)
      if (!(await page.evaluate<boolean>(`Boolean(document.querySelector('${l.element}')?.textContent.includes(${JSON.stringify(l.text)}))`)))
        missing.push(`${l.what} ("${l.text}")`)
    if (missing.length > 0) return { loads, problem: `the landing page does not show ${missing.join(' or ')}` }
    // The app scrolls a failed scenario into view; the picture is of the page's top, its title and summary.
    await page.evaluate('window.scrollTo(0, 0); for (const e of document.querySelectorAll("*")) if (e.scrollTop > 0) e.scrollTop = 0')
    await sleep(300)
    await page.screenshot(png)
    return { loads }
  })
}

/** Opens the report once and photographs every chart it should show; a problem for each that does not render. */
export async function chartScreens(browser: string, reportIndex: string, outDir: string): Promise<ChartScreen[]> {
  const index = address(reportIndex)
  return withChromium(browser, { width: 1400, height: 1400 }, async (page) => {
    // Drawn first: a scenario opened in an app that stopped at its frame would not draw either.
    const drawn = await openDrawn(page, index, LOADS, LOAD_TIMEOUT_MS)
    if (typeof drawn === 'string') throw new Error(`${reportIndex}: ${drawn} in ${browser}`)
    const located = await page.evaluate<Located[]>(LOCATE)
    const screens: ChartScreen[] = []
    const used = new Map<string, number>()
    for (const at of located) {
      const screen: ChartScreen = { scenario: at.scenario, step: at.step, chart: at.chart }
      screens.push(screen)
      if (!at.attachmentId) {
        screen.problem = `no chart "${at.chart}" in the report`
        continue
      }
      // reports/report-step-5-zone-spread.png: the section's number, then the chart.
      const name = slug(`${/^Step \d+/.exec(at.section)?.[0] ?? ''} ${at.chart}`)
      const n = (used.get(name) ?? 0) + 1
      used.set(name, n)
      const png = join(outDir, `report-${name}${n > 1 ? `-${n}` : ''}.png`)
      screen.problem = await photograph(page, index, at, png)
      if (!screen.problem) screen.png = png
    }
    return screens
  })
}
