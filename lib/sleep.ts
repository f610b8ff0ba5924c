// Waiting in real (wall) time. The sandbox's waits run on its own clock instead (sandbox/runtime/clock.ts).

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
