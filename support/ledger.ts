// The run's cleanup ledger: what the run may have created, written to disk before it is created.
//
// A run creates a cluster, Kubernetes objects that make Karpenter launch EC2 instances, a
// CloudFormation stack, a FIS experiment. If the run fails or is killed halfway, all of that must
// still go. So before a step acts, what it is about to create is appended here (synchronously,
// atomically: a kill between two writes leaves a valid file); unwinding undoes the entries in
// reverse order — workloads and Karpenter's nodes before the cluster, the cluster before the
// sandbox — and `npx spotcheck cleanup` does the same from another process after a kill.
//
// Entries are data, never closures: `support/undo.ts` knows how to probe and undo each kind.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { messageOf } from '../lib/errors.ts'
import { dirname, join } from 'node:path'
import { parseAllDocuments } from 'yaml'

/** Where a rehearsal's stand-in account runs: a sandbox of this spotcheck home (support/target.ts). */
export interface RehearsalSandboxRef {
  sandbox: string
  home: string
}

export type TargetRef =
  | { name: 'sandbox'; sandbox: string; home: string; region: string }
  /** rehearsalSandbox: a rehearsal (`-p aws-rehearsal`), whose "account" is this sandbox the run started. */
  | { name: 'aws'; region: string; rehearsalSandbox?: RehearsalSandboxRef }

export interface KubeObjectRef {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
}

export type EntrySpec =
  /** The sandbox the run started: stopped last. */
  | { kind: 'sandbox'; name: string; home: string }
  /** A Terraform root module that `terraform apply` ran in: destroyed in the tutorial's order. */
  | { kind: 'terraform'; dir: string }
  /** Kubernetes objects applied from a manifest (`file` relative to the work dir, or inline objects). */
  | { kind: 'kubernetes'; objects: KubeObjectRef[]; file?: string }
  /** Karpenter's capacity for a cluster: its NodePools' nodes, launch templates and instance profiles. */
  | { kind: 'karpenter'; cluster: string }
  | { kind: 'cloudformation-stack'; stack: string }
  /** FIS experiments started from now on: stopped if still running. */
  | { kind: 'fis-experiments'; since: string }
  /** spotcheck's own EventBridge rule and SQS queue that observe interruption warnings. */
  | { kind: 'event-observer'; rule: string; queue: string }

export type EntryState = 'open' | 'undone' | 'gone'

export type Entry = EntrySpec & {
  id: number
  recordedAt: string
  /** The section and scenario (or command) that recorded it, for the reader of `cleanup`. */
  by: string
  state: EntryState
}

export interface LedgerFile {
  runId: string
  target: TargetRef
  /** Where the tutorial's commands run (main.tf, terraform.tfstate, workload.yaml…). */
  workDir: string
  kubeconfig: string
  /** The process running the suite: cleanup waits for it to be gone. */
  pid?: number
  /**
   * The account the target runs in (aws: what STS said once the opt-in passed; a rehearsal and
   * the sandbox: moto's). Set once the target started; `spotcheck cleanup` refuses any other.
   */
  account?: string
  /** The run was a rehearsal of the aws target against a sandbox (set once the target started). */
  rehearsal?: boolean
  /** aws: the S3 bucket holding the run's Terraform state and a copy of this ledger (support/remote-state.ts). */
  stateBucket?: string
  createdAt: string
  entries: Entry[]
}

export class Ledger {
  readonly path: string
  private data: LedgerFile
  private readonly listeners: ((data: LedgerFile) => void)[] = []

  private constructor(path: string, data: LedgerFile) {
    this.path = path
    this.data = data
  }

  static create(path: string, header: Omit<LedgerFile, 'entries' | 'createdAt'>): Ledger {
    const ledger = new Ledger(path, { ...header, createdAt: new Date().toISOString(), entries: [] })
    ledger.save()
    return ledger
  }

  static open(path: string): Ledger {
    if (!existsSync(path)) throw new Error(`no cleanup ledger at ${path}`)
    let data: LedgerFile
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as LedgerFile
    } catch (error) {
      throw new Error(`${path}: not a spotcheck ledger (${messageOf(error)})`, { cause: error })
    }
    if (!data.runId || !Array.isArray(data.entries) || !data.target) throw new Error(`${path}: not a spotcheck ledger (runId, target or entries missing)`)
    return new Ledger(path, data)
  }

  /** Facts known only once the target started (its account, whether it is a rehearsal). */
  setHeader(facts: Pick<Partial<LedgerFile>, 'account' | 'rehearsal' | 'stateBucket' | 'target'>): void {
    Object.assign(this.data, facts)
    this.save()
  }

  /**
   * Called with the ledger after every write (the remote copy of support/remote-state.ts). The
   * listener must not throw and must not block: the write to disk is the one that counts.
   */
  onSave(listener: (data: LedgerFile) => void): void {
    this.listeners.push(listener)
  }

  /** The ledger as written to disk. */
  toJSON(): LedgerFile {
    return JSON.parse(JSON.stringify(this.data)) as LedgerFile
  }

  get header(): Omit<LedgerFile, 'entries'> {
    const { entries: _entries, ...header } = this.data
    return header
  }

  get entries(): readonly Entry[] {
    return this.data.entries
  }

  /** Open entries, newest first: the order to undo them in. */
  get toUndo(): Entry[] {
    return this.data.entries.filter((e) => e.state === 'open').reverse()
  }

  /**
   * Records what is about to be created, unless an open entry already covers it (a second
   * `terraform apply` in the same directory, the same stack deployed twice).
   */
  record(spec: EntrySpec, by: string): Entry {
    const same = this.data.entries.find((e) => e.state === 'open' && sameThing(e, spec))
    if (same) {
      if (spec.kind === 'kubernetes' && same.kind === 'kubernetes') {
        for (const o of spec.objects) if (!same.objects.some((x) => sameObject(x, o))) same.objects.push(o)
        this.save()
      }
      return same
    }
    const entry = { ...spec, id: this.data.entries.length + 1, recordedAt: new Date().toISOString(), by, state: 'open' } as Entry
    this.data.entries.push(entry)
    this.save()
    return entry
  }

  mark(id: number, state: EntryState): void {
    const entry = this.data.entries.find((e) => e.id === id)
    if (!entry) throw new Error(`ledger ${this.path}: no entry ${id}`)
    entry.state = state
    this.save()
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true })
    const tmp = join(dirname(this.path), `.ledger-${process.pid}.tmp`)
    writeFileSync(tmp, JSON.stringify(this.data, null, 2) + '\n')
    renameSync(tmp, this.path)
    for (const listener of this.listeners) listener(this.data)
  }
}

function sameObject(a: KubeObjectRef, b: KubeObjectRef): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') && a.apiVersion.split('/')[0] === b.apiVersion.split('/')[0]
}

function sameThing(e: Entry, s: EntrySpec): boolean {
  switch (s.kind) {
    case 'sandbox':
      return e.kind === 'sandbox' && e.name === s.name
    case 'terraform':
      return e.kind === 'terraform' && e.dir === s.dir
    case 'kubernetes':
      return e.kind === 'kubernetes' && (s.file !== undefined ? e.file === s.file : e.file === undefined)
    case 'karpenter':
      return e.kind === 'karpenter' && e.cluster === s.cluster
    case 'cloudformation-stack':
      return e.kind === 'cloudformation-stack' && e.stack === s.stack
    case 'fis-experiments':
      return e.kind === 'fis-experiments'
    case 'event-observer':
      return e.kind === 'event-observer' && e.rule === s.rule
  }
}

// ── What a tutorial block is about to create ────────────────────────────────────────────────

export interface BlockContext {
  /** The terminal's working directory when the block starts. */
  cwd: string
  /** The EKS cluster the run's kubeconfig points at, once known. */
  cluster: string
  /** Reads a file the block refers to (relative to cwd), if it exists yet. */
  readFile?: (path: string) => string | undefined
}

/**
 * The ledger entries a bash block needs before it runs. Recognises the commands of the tutorial
 * (and their everyday variants); anything else creates nothing the run must undo.
 */
export function entriesForBlock(script: string, ctx: BlockContext): EntrySpec[] {
  const specs: EntrySpec[] = []
  const lines = logicalLines(script)
  const heredocs = heredocBodies(script)
  for (const line of lines) {
    if (/\bterraform\s+(?:-chdir=\S+\s+)?apply\b/.test(line)) {
      const chdir = /-chdir=(\S+)/.exec(line)?.[1]
      specs.push({ kind: 'terraform', dir: chdir ? join(ctx.cwd, chdir) : ctx.cwd })
    }
    const stack = /\baws\s+(?:.*\s)?cloudformation\s+(?:deploy|create-stack)\b.*--stack-name[ =]("?)([A-Za-z0-9-]+)\1/.exec(line)
    if (stack) specs.push({ kind: 'cloudformation-stack', stack: stack[2] })
    if (/\baws\s+(?:.*\s)?fis\s+start-experiment\b/.test(line)) specs.push({ kind: 'fis-experiments', since: new Date().toISOString() })
    const kubectl = /\bkubectl\s+(?:.*\s)?(apply|create)\b(.*)$/.exec(line)
    if (kubectl && !/--dry-run(?:=(?:client|server))?\b/.test(line)) {
      const file = /(?:^|\s)(?:-f|--filename)[ =](\S+)/.exec(kubectl[2])?.[1]
      let text: string | undefined
      if (file === '-') text = heredocs.find((h) => h.pipedTo && /\bkubectl\b/.test(h.pipedTo))?.body
      else if (file) text = heredocs.find((h) => h.redirectTo === file)?.body ?? ctx.readFile?.(file)
      const objects = text ? objectsIn(text) : []
      specs.push(file && file !== '-' ? { kind: 'kubernetes', objects, file } : { kind: 'kubernetes', objects })
      if (objects.some((o) => o.kind === 'NodePool' && o.apiVersion.startsWith('karpenter.sh/'))) specs.push({ kind: 'karpenter', cluster: ctx.cluster })
    }
  }
  return specs
}

/** Lines with backslash continuations joined; comments and heredoc bodies left as they are. */
function logicalLines(script: string): string[] {
  return script.replace(/\\\n/g, ' ').split('\n')
}

interface Heredoc {
  body: string
  /** `cat <<EOF > file`: the file it writes. */
  redirectTo?: string
  /** `cat <<EOF | kubectl apply -f -`: the command it feeds. */
  pipedTo?: string
}

function heredocBodies(script: string): Heredoc[] {
  const out: Heredoc[] = []
  const lines = script.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /<<-?\s*(['"]?)(\w+)\1(.*)$/.exec(lines[i])
    if (!m) continue
    const end = m[2]
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && lines[j].trim() !== end; j++) body.push(lines[j])
    const rest = m[3]
    out.push({ body: body.join('\n'), redirectTo: />\s*(\S+)/.exec(rest)?.[1], pipedTo: /\|\s*(.+)$/.exec(rest)?.[1] })
    i = j
  }
  return out
}

/** The objects of a (possibly multi-document) manifest; `${VAR}` references stay as text. */
export function objectsIn(manifest: string): KubeObjectRef[] {
  const out: KubeObjectRef[] = []
  for (const doc of parseAllDocuments(manifest)) {
    const o = doc.toJSON() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null
    if (!o?.kind || !o.apiVersion || !o.metadata?.name) continue
    out.push({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: String(o.metadata.name).trim(),
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    })
  }
  return out
}
