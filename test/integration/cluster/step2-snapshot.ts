// "The cluster after Step 2", made once per test run and restored by every other file that needs
// the same one.
//
// The first test file to ask for a given Step 2 (the same Kubernetes version, Karpenter chart and
// values, day and time scale) seeds it, waits until it is up, and saves it with
// `spotcheck sandbox snapshot save`; it publishes the snapshot in the run's shared directory. Every
// later file starts its own fresh sandbox and restores that snapshot into it with
// `spotcheck sandbox snapshot restore` (the same path a reader takes), instead of seeding and
// waiting again. A file that asks while the first is still making it waits for it; if the maker
// fails or dies, the next one makes it.
//
// The run's shared directory is SPOTCHECK_TEST_SNAPSHOTS, which test/run.ts sets for every job of
// one `npm test`; a file run alone (`node --test …`) gets a directory of its own, so "once per
// test run" is once per file there, and nothing outlives the run.

import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { snapshotDir } from '../../../sandbox/exports.ts'
import { spotcheck } from '../sandbox/helpers.ts'

const SNAPSHOT = 'step2'
const RECORD = 'step2.json'

/** What the restoring file needs to know of the moment the snapshot was taken. */
export interface Step2Record {
  /** The sandbox that made it (its test file's). */
  madeBy: string
  /** The Karpenter Lease's transitions when it was saved: a restored Karpenter is re-elected, one more. */
  leaseTransitions: number
}

function sharedRoot(): string {
  const fromRun = process.env.SPOTCHECK_TEST_SNAPSHOTS
  if (fromRun) {
    mkdirSync(fromRun, { recursive: true })
    return fromRun
  }
  const own = mkdtempSync(join(tmpdir(), 'spotcheck-step2-'))
  process.once('exit', () => rmSync(own, { recursive: true, force: true }))
  return own
}

let root: string | undefined

/** One kind of Step 2 in the run's shared directory: published, being made, or neither yet. */
export class SharedStep2 {
  readonly dir: string
  readonly lock: string
  #holding = false

  /**
   * `shape`: everything that makes one Step 2 differ from another (JSON-serialisable); `dir`: the
   * shared directory (default: the run's).
   */
  constructor(shape: unknown, dir?: string) {
    const key = createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16)
    this.dir = join(dir ?? (root ??= sharedRoot()), key)
    this.lock = `${this.dir}.making`
  }

  get published(): Step2Record | undefined {
    const file = join(this.dir, RECORD)
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Step2Record) : undefined
  }

  /**
   * 'restore' once a snapshot is published; 'make' when this file is to make it (it holds the
   * lock until publish() or release()). Waits while another live process is making it.
   */
  async take(waitMs = 10 * 60_000): Promise<'restore' | 'make'> {
    const deadline = Date.now() + waitMs
    for (;;) {
      if (this.published) return 'restore'
      try {
        mkdirSync(this.lock)
        writeFileSync(join(this.lock, 'pid'), String(process.pid))
        this.#holding = true
        return 'make'
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      if (!makerAlive(this.lock)) rmSync(this.lock, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new Error(`waited ${waitMs / 1000} s for another test file to make Step 2 (${this.lock})`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  /** Saves the running sandbox of `env` (SPOTCHECK_HOME, SPOTCHECK_SANDBOX) and publishes it. */
  async publish(env: Record<string, string>, record: Step2Record): Promise<void> {
    const saved = await spotcheck(['sandbox', 'snapshot', 'save', SNAPSHOT], env)
    if (saved.exitCode !== 0) throw new Error(`spotcheck sandbox snapshot save ${SNAPSHOT} failed:\n${saved.stderr}`)
    const staging = `${this.dir}.${process.pid}`
    cpSync(snapshotDir(env.SPOTCHECK_HOME, SNAPSHOT), staging, { recursive: true })
    writeFileSync(join(staging, RECORD), JSON.stringify(record))
    renameSync(staging, this.dir)
    this.release()
  }

  /** Gives the lock up without publishing (the maker failed): the next file makes it. */
  release(): void {
    if (!this.#holding) return
    this.#holding = false
    rmSync(this.lock, { recursive: true, force: true })
  }

  /** Restores the published snapshot into the fresh, running sandbox of `env`. */
  async restoreInto(env: Record<string, string>): Promise<Step2Record> {
    const record = this.published
    if (!record) throw new Error(`no Step 2 snapshot published in ${this.dir}`)
    const target = snapshotDir(env.SPOTCHECK_HOME, SNAPSHOT)
    rmSync(target, { recursive: true, force: true })
    cpSync(this.dir, target, { recursive: true })
    const restored = await spotcheck(['sandbox', 'snapshot', 'restore', SNAPSHOT], env)
    if (restored.exitCode !== 0) throw new Error(`spotcheck sandbox snapshot restore ${SNAPSHOT} (made by ${record.madeBy}) failed:\n${restored.stderr}`)
    return record
  }
}

function makerAlive(lock: string): boolean {
  let pid: number
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'))
  } catch {
    // Made a moment ago, its pid not written yet; or left by a maker killed right then.
    return Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs < 10_000
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
