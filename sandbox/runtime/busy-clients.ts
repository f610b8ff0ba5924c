// The daemon's AWS SDK clients count their calls as busy on the sandbox's clock: while the
// simulation waits for moto, tutorial time runs at 1×, not at the time scale, so a slow moto
// call on a loaded machine does not turn into minutes of tutorial time.
//
// SQS long polls (ReceiveMessage with WaitTimeSeconds > 0) are the exception: they wait for
// something to happen, and the simulation must go on meanwhile.

import type { Clock } from './clock.ts'

/** The part of an AWS SDK v3 client this needs (every client has it). */
interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void
  }
}

/** Adds the busy accounting to `client` (returned, for chaining at construction). */
export function countBusy<C>(client: C, clock: Clock): C {
  ;(client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => (args) => (isLongPoll(context.commandName, args.input) ? next(args) : clock.busy(() => next(args))),
    { step: 'initialize', name: 'spotcheckSandboxBusy', override: true },
  )
  return client
}

function isLongPoll(commandName: string | undefined, input: unknown): boolean {
  return commandName === 'ReceiveMessageCommand' && Number((input as { WaitTimeSeconds?: number } | undefined)?.WaitTimeSeconds ?? 0) > 0
}
