// Which process groups a killed run left, told apart from unrelated processes that reuse their ids.
//
// The run's terminal starts every block in its own process group and writes "<pgid> <start>" to
// the run's `processes` file, <start> being when the group's leader started. `spotcheck cleanup`
// signals a group only if it is still that one: its leader alive with the same start time, or the
// leader gone while the group lives on (Linux and macOS do not hand out a pid that is still some
// group's id, so such a group is still ours).

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

/**
 * When `pid` started: on Linux the 22nd field of /proc/<pid>/stat (clock ticks since boot), else
 * what `ps -o lstart=` says. undefined when the process does not exist.
 */
export function processStartTime(pid: number): string | undefined {
  const stat = `/proc/${pid}/stat`
  if (existsSync('/proc/self/stat')) {
    try {
      const text = readFileSync(stat, 'utf8')
      // The command name (field 2) is in parentheses and may hold spaces: count after its end.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
      return `ticks:${fields[19]}`
    } catch {
      return undefined
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim()
    return out ? `lstart:${out}` : undefined
  } catch {
    return undefined
  }
}

export interface RecordedGroup {
  pgid: number
  /** undefined: written by a spotcheck from before start times were recorded. */
  start?: string
}

export function processLine(pid: number): string {
  return `${pid} ${processStartTime(pid) ?? '?'}\n`
}

export function parseProcessFile(text: string): RecordedGroup[] {
  const seen = new Map<number, RecordedGroup>()
  for (const line of text.split('\n')) {
    const [pid, start] = line.trim().split(/\s+/, 2)
    if (!/^\d+$/.test(pid ?? '')) continue
    seen.set(Number(pid), { pgid: Number(pid), ...(start && start !== '?' ? { start } : {}) })
  }
  return [...seen.values()]
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * 'ours': the group runs and is the one the run started; 'gone': nothing of it runs; 'reused':
 * its id now belongs to a process the run did not start (or cannot be told apart from one).
 */
export function groupStatus(group: RecordedGroup, startTime: (pid: number) => string | undefined = processStartTime): 'ours' | 'gone' | 'reused' {
  if (!groupExists(group.pgid)) return 'gone'
  const leader = startTime(group.pgid)
  if (leader === undefined) return 'ours' // the leader exited, its group lives on: still ours
  return group.start !== undefined && leader === group.start ? 'ours' : 'reused'
}
