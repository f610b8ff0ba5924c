// A terminal for the tutorial's commands.
//
// The tutorial is followed in one terminal: `export TF_VAR_region=$AWS_REGION` in one block is
// still set in the next, `alias kl=…` defined in Step 4 is used in Step 4 again, a shell variable
// like `FIS_EXP_TEMP_ID=…` lives until the terminal closes, and `cd` sticks. Each block runs
// through bash exactly as written (execa: no shell of ours in between), inside a small prelude
// that restores what the previous blocks left — working directory, exported and plain variables,
// aliases, functions — and an EXIT trap that saves it again. Blocks run with `set -e -o pipefail`,
// so the first failing command fails the step, as a reader would stop there too.
//
// Commands that never end on their own (`kubectl … --watch`, `kl`, which follows the logs) run in
// the background, in this terminal or in another one, until they are stopped with Ctrl-C (SIGINT
// to their process group), as a reader would stop them.

import { execa, type ResultPromise } from 'execa'
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { tmpdir } from 'node:os'

export interface CommandResult {
  command: string
  exitCode: number
  /** stdout and stderr interleaved, as a terminal shows them. */
  output: string
  stdout: string
  stderr: string
  startedAt: Date
  durationMs: number
  /** Set when the command was stopped (Ctrl-C) or timed out rather than exiting by itself. */
  stoppedBy?: 'interrupt' | 'timeout'
}

export interface TerminalState {
  cwd: string
  /** The exported environment of the shell. */
  env: Record<string, string>
  /** `declare -p` lines of the plain (not exported) variables the blocks defined. */
  variables: string[]
  /** `alias -p` lines. */
  aliases: string[]
  /** `declare -f` text of the functions the blocks defined. */
  functions: string
}

/** A terminal's session apart from its login environment (Terminal.saveSession). */
export interface SavedSession {
  cwd: string
  exports: Record<string, string>
  unset: string[]
  variables: string[]
  aliases: string[]
  functions: string
}

export interface RunOptions {
  /** Real-time limit; the command is interrupted when it passes. */
  timeoutMs?: number
  /** Called with each chunk of output as it arrives (progress on long commands). */
  onOutput?: (chunk: string) => void
  /**
   * Variables this block runs with, on top of the terminal's — and only this block: after it, each
   * is what it was before (unset if it was), whatever the block exported. The block's other
   * effects (cwd, other exports, variables) are kept. For a block the tutorial runs in another
   * terminal on another machine (Cloud9's, with its own HOME).
   */
  env?: Record<string, string>
}

const SPAWN_OPTIONS = {
  extendEnv: false,
  all: true,
  reject: false,
  stdin: 'ignore',
  detached: true, // its own process group: Ctrl-C reaches everything it started
  killDescendants: true,
  encoding: 'utf8',
} as const
type Child = ResultPromise<typeof SPAWN_OPTIONS & { cwd: string; env: Record<string, string> }>

// Variables bash sets itself, or that must not travel from one block to the next.
const VOLATILE_ENV = new Set(['_', 'SHLVL', 'PWD', 'OLDPWD', 'BASH_FUNC', 'PS1', 'COLUMNS', 'LINES'])

const PRELUDE_SAVE = String.raw`
__spotcheck_save() {
  local code=$?
  set +e
  pwd > "$__SPOTCHECK_STATE/cwd"
  env -0 > "$__SPOTCHECK_STATE/env"
  alias -p > "$__SPOTCHECK_STATE/aliases"
  local name
  : > "$__SPOTCHECK_STATE/variables"
  for name in $(compgen -v); do
    case " $__SPOTCHECK_BASELINE_VARS " in *" $name "*) continue ;; esac
    case "$name" in __SPOTCHECK*|__spotcheck*|BASH_*|FUNCNAME|PIPESTATUS|code|name) continue ;; esac
    [[ "$(declare -p "$name" 2>/dev/null)" == "declare -"*x* ]] && continue
    declare -p "$name" >> "$__SPOTCHECK_STATE/variables" 2>/dev/null
  done
  : > "$__SPOTCHECK_STATE/functions"
  for name in $(compgen -A function); do
    case "$name" in __spotcheck*) continue ;; esac
    declare -f "$name" >> "$__SPOTCHECK_STATE/functions"
  done
  exit $code
}
`

export class Terminal {
  private state: TerminalState
  /** The environment the terminal opened with: what a new terminal gets. */
  private readonly loginEnv: Record<string, string>
  private readonly scratch: string
  private readonly background = new Set<BackgroundCommand>()
  /** The block running in the foreground, if any: close() interrupts it too. */
  private foreground?: Child

  /** Told of every process group the terminal starts (so a killed run's leftovers can be found). */
  private readonly onSpawn?: (pid: number) => void

  constructor(initial: { cwd: string; env: Record<string, string>; onSpawn?: (pid: number) => void }) {
    mkdirSync(initial.cwd, { recursive: true })
    this.onSpawn = initial.onSpawn
    this.loginEnv = { ...initial.env }
    this.state = { cwd: initial.cwd, env: { ...initial.env }, variables: [], aliases: [], functions: '' }
    this.scratch = mkdtempSync(join(tmpdir(), 'spotcheck-terminal-'))
  }

  get cwd(): string {
    return this.state.cwd
  }

  /** The value a variable (exported or not) has in this terminal, as `echo $NAME` would print it. */
  variable(name: string): string | undefined {
    if (name in this.state.env) return this.state.env[name]
    const line = this.state.variables.find((l) => new RegExp(`^declare -[^ ]* ${name}=`).test(l))
    if (!line) return undefined
    const raw = line.slice(line.indexOf('=') + 1)
    return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(["\\$`])/g, '$1') : raw
  }

  /**
   * What the blocks made of this terminal's session: its directory, the exports that differ from
   * the login environment (and those they unset), variables, aliases and functions. A section
   * snapshot carries it, so a restored run's terminal is where the saving run's was.
   */
  saveSession(): SavedSession {
    const exports: Record<string, string> = {}
    for (const [k, v] of Object.entries(this.state.env)) if (this.loginEnv[k] !== v) exports[k] = v
    const unset = Object.keys(this.loginEnv).filter((k) => !(k in this.state.env))
    const { cwd, variables, aliases, functions } = this.state
    return { cwd, exports, unset, variables: [...variables], aliases: [...aliases], functions }
  }

  /** Takes up a saved session on top of this terminal's login environment (saveSession). */
  resumeSession(saved: SavedSession): void {
    const env = { ...this.loginEnv, ...saved.exports }
    for (const k of saved.unset) delete env[k]
    mkdirSync(saved.cwd, { recursive: true })
    this.state = { cwd: saved.cwd, env, variables: [...saved.variables], aliases: [...saved.aliases], functions: saved.functions }
  }

  /** A new terminal in the same directory with the same login environment, but none of this one's session. */
  another(): Terminal {
    return new Terminal({ cwd: this.state.cwd, env: this.loginEnv, onSpawn: this.onSpawn })
  }

  /** Runs a block to completion; its effects on the session are kept. */
  async run(script: string, options: RunOptions = {}): Promise<CommandResult> {
    const stateDir = mkdtempSync(join(this.scratch, 'block-'))
    const before = this.state.env
    const child = this.spawn(script, stateDir, true, options.env)
    this.foreground = child
    const result = await collect(child, script, options).finally(() => (this.foreground = undefined))
    this.state = readState(stateDir, this.state)
    if (options.env) this.state = { ...this.state, env: withoutOverlay(this.state.env, before, options.env) }
    rmSync(stateDir, { recursive: true, force: true })
    return result
  }

  /** Starts a block that runs until stopped; the session is not changed by it. */
  start(script: string, options: RunOptions = {}): BackgroundCommand {
    const child = this.spawn(script, mkdtempSync(join(this.scratch, 'bg-')), false)
    const command = new BackgroundCommand(child, script, options, () => this.background.delete(command))
    this.background.add(command)
    return command
  }

  /**
   * Stops what still runs and removes the terminal's scratch files. The foreground block gets
   * Ctrl-C and a minute to exit (Terraform, interrupted, saves its state before it stops).
   */
  async close(): Promise<CommandResult[]> {
    const foreground = this.foreground
    if (foreground?.pid) {
      signalGroup(foreground.pid, 'SIGINT')
      const timer = setTimeout(() => foreground.pid && signalGroup(foreground.pid, 'SIGKILL'), 60_000)
      await foreground.catch(() => undefined)
      clearTimeout(timer)
    }
    const results = await Promise.all([...this.background].map((c) => c.stop()))
    rmSync(this.scratch, { recursive: true, force: true })
    return results
  }

  private spawn(script: string, stateDir: string, save: boolean, overlay: Record<string, string> = {}): Child {
    const s = this.state
    const wrapper = [
      '__SPOTCHECK_BASELINE_VARS=" $(compgen -v | tr "\\n" " ") "',
      PRELUDE_SAVE,
      ...s.variables,
      s.functions,
      ...s.aliases,
      'shopt -s expand_aliases',
      save ? 'trap __spotcheck_save EXIT' : '',
      'set -e -o pipefail',
      script,
    ].join('\n')
    const child = execa('bash', ['-c', wrapper], { ...SPAWN_OPTIONS, cwd: s.cwd, env: { ...s.env, ...overlay, __SPOTCHECK_STATE: stateDir } })
    if (child.pid) this.onSpawn?.(child.pid)
    return child
  }
}

export class BackgroundCommand {
  private readonly child: Child
  private readonly done: Promise<CommandResult>
  private readonly onDone: () => void
  private stopping = false
  private finished = false
  private buffer = ''

  constructor(child: Child, script: string, options: RunOptions, onDone: () => void) {
    this.child = child
    this.onDone = onDone
    this.done = collect(child, script, {
      ...options,
      onOutput: (chunk) => {
        this.buffer += chunk
        options.onOutput?.(chunk)
      },
    })
    void this.done.finally(() => (this.finished = true))
  }

  /** What it has printed so far. */
  get output(): string {
    return this.buffer
  }

  get running(): boolean {
    return !this.finished
  }

  /** Ctrl-C: SIGINT to the process group, then SIGKILL if it has not exited after a grace period. */
  async stop(graceMs = 5_000): Promise<CommandResult> {
    if (!this.stopping && this.child.pid) {
      this.stopping = true
      signalGroup(this.child.pid, 'SIGINT')
      const timer = setTimeout(() => signalGroup(this.child.pid!, 'SIGKILL'), graceMs)
      await this.done.catch(() => undefined)
      clearTimeout(timer)
    }
    const result = await this.done
    this.onDone()
    return { ...result, stoppedBy: result.stoppedBy ?? 'interrupt' }
  }

  /** Resolves when the command exits by itself. */
  wait(): Promise<CommandResult> {
    return this.done
  }
}

/**
 * A HOME of its own for a block the tutorial runs on another machine (Cloud9's terminal), for
 * RunOptions.env: `dir`, with `.aws/` holding a link to each file of the real `~/.aws` (config,
 * credentials, the SSO cache), so the block's AWS CLI still finds its profile, and what it removes
 * (`rm -vf ${HOME}/.aws/credentials`) is the link, never the machine's own file.
 */
export function scratchHome(dir: string, realHome: string | undefined): Record<string, string> {
  const aws = join(dir, '.aws')
  mkdirSync(aws, { recursive: true })
  const real = realHome ? join(realHome, '.aws') : undefined
  if (real && existsSync(real)) {
    for (const name of readdirSync(real)) {
      const link = join(aws, name)
      if (!existsSync(link) && !isLink(link)) symlinkSync(join(real, name), link)
    }
  }
  return { HOME: dir }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

/** The environment after a block run with an overlay: the overlay's names as they were before it. */
export function withoutOverlay(after: Record<string, string>, before: Record<string, string>, overlay: Record<string, string>): Record<string, string> {
  const env = { ...after }
  for (const name of Object.keys(overlay)) {
    if (name in before) env[name] = before[name]
    else delete env[name]
  }
  return env
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

async function collect(child: Child, command: string, options: RunOptions): Promise<CommandResult> {
  const startedAt = new Date()
  let output = ''
  // Each stream through a decoder of its own: a pipe splits its bytes anywhere, a UTF-8 character
  // too (eks-node-viewer's bars are three bytes each), and a chunk decoded alone turns the halves
  // into U+FFFD. One decoder per stream: stdout's half character must not meet stderr's bytes.
  for (const stream of [child.stdout, child.stderr]) {
    const decoder = new StringDecoder('utf8')
    stream?.on('data', (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk)
      if (!text) return
      output += text
      options.onOutput?.(text)
    })
  }
  let timedOut = false
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true
          if (child.pid) signalGroup(child.pid, 'SIGINT')
          setTimeout(() => child.pid && signalGroup(child.pid, 'SIGKILL'), 5_000).unref()
        }, options.timeoutMs)
      : undefined
  const result = await child
  if (timer) clearTimeout(timer)
  return {
    command,
    exitCode: result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1),
    output: output || (result.all ?? ''),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    stoppedBy: timedOut ? 'timeout' : undefined,
  }
}

function signalNumber(signal: string): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0
}

function readState(dir: string, previous: TerminalState): TerminalState {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8')
    } catch {
      return undefined
    }
  }
  const cwd = read('cwd')?.trim()
  const envText = read('env')
  if (!cwd || envText === undefined) return previous // killed before the trap ran: keep what we had
  const env: Record<string, string> = {}
  for (const entry of envText.split('\0')) {
    const eq = entry.indexOf('=')
    if (eq <= 0) continue
    const name = entry.slice(0, eq)
    if (VOLATILE_ENV.has(name) || name.startsWith('__SPOTCHECK') || name.startsWith('BASH_FUNC_')) continue
    env[name] = entry.slice(eq + 1)
  }
  return {
    cwd,
    env,
    variables: (read('variables') ?? '').split('\n').filter(Boolean),
    aliases: (read('aliases') ?? '').split('\n').filter(Boolean),
    functions: read('functions') ?? '',
  }
}
