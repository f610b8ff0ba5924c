// The programs a sandbox needs, checked before anything starts, so that a missing one gives a
// single clear line with the command that installs it instead of a stack trace later on.

import { execa } from 'execa'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { checkMotoInstalled, MOTO_INSTALL_COMMAND } from './aws/moto-process.ts'

interface Prerequisite {
  name: string
  /** Why the sandbox (or the tutorial) needs it. */
  purpose: string
  /** How to install it on a Debian/Ubuntu machine, or where to get it. */
  install: string
  /** Resolves to a version string, or rejects when missing/unusable. */
  probe: () => Promise<string>
  /** Needed to start the sandbox (false: needed only by the tutorial's commands). */
  required: boolean
}

export interface ProbeResult {
  prerequisite: Prerequisite
  ok: boolean
  version?: string
  problem?: string
}

async function firstLine(cmd: string, args: string[]): Promise<string> {
  const r = await execa(cmd, args, { reject: false, timeout: 20_000, all: true })
  if (r.exitCode !== 0) {
    const why = r.failed && r.code === 'ENOENT' ? 'not found on PATH' : (r.all ?? '').trim().split('\n').pop()
    throw new Error(why || `exit code ${r.exitCode}`)
  }
  return (r.all ?? '').trim().split('\n')[0] ?? ''
}

const prerequisites: Prerequisite[] = [
  {
    name: 'python3',
    purpose: 'runs moto, the AWS API emulator',
    install: 'sudo apt-get install -y python3 python3-pip',
    probe: () => firstLine('python3', ['--version']),
    required: true,
  },
  {
    name: 'moto',
    purpose: 'emulates the AWS APIs (moto[server] 5.2.x, extended by spotcheck)',
    install: MOTO_INSTALL_COMMAND,
    probe: () => checkMotoInstalled(),
    required: true,
  },
  {
    name: 'terraform',
    purpose: "creates the tutorial's VPC, EKS cluster and Karpenter resources (Step 2)",
    install: 'see https://developer.hashicorp.com/terraform/install (Debian: HashiCorp apt repository, then sudo apt-get install terraform)',
    probe: () => firstLine('terraform', ['version']),
    required: true,
  },
  {
    name: 'aws',
    purpose: "the AWS CLI the tutorial's commands use",
    install: 'python3 -m pip install awscli   (or: sudo apt-get install -y awscli)',
    // Found, not run: `aws --version` costs the CLI's whole Python start (over half a second of
    // CPU, beside moto's own start); a broken install shows at the first command, in its words.
    probe: async () => {
      if (!onPath('aws')) throw new Error('not found on PATH')
      return 'on PATH'
    },
    required: true,
  },
  {
    name: 'kubectl',
    purpose: "the Kubernetes CLI the tutorial's commands use",
    install: 'see https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (Debian: sudo apt-get install -y kubectl from pkgs.k8s.io)',
    probe: () => firstLine('kubectl', ['version', '--client=true']),
    required: false,
  },
]

/** Whether `command` is an executable file in one of `path`'s directories. */
function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, command), constants.X_OK)
        return statSync(join(dir, command)).isFile()
      } catch {
        return false
      }
    })
}

/** Runs each prerequisite's probe: a version, or why the program is there but unusable. */
export async function probePrerequisites(list = prerequisites): Promise<ProbeResult[]> {
  return Promise.all(
    list.map(async (prerequisite) => {
      try {
        return { prerequisite, ok: true, version: await prerequisite.probe() }
      } catch (error) {
        return { prerequisite, ok: false, problem: (error as Error).message }
      }
    }),
  )
}

/** One line per missing prerequisite: what is missing, what it is for, how to install it. */
export function describeMissing(results: ProbeResult[]): string[] {
  return results
    .filter((r) => !r.ok)
    .map((r) => {
      const problem = (r.problem ?? '').replace(/\.?\s*Install it with: .*$/, '')
      return `${r.prerequisite.required ? 'missing' : 'warning'}: ${r.prerequisite.name} (${r.prerequisite.purpose}): ${problem}. Install: ${r.prerequisite.install}`
    })
}
