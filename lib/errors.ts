// Errors shared by every part of the project: the suite, its command line and the sandbox alike,
// so this module imports nothing of theirs.

/** Bad use of a command line (an unknown option, a missing argument, a refusal): exit status 2, no stack. */
export class UsageError extends Error {}

/** What to print of something thrown: an Error's message, or the value itself as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
