// The run's progress lines ("run 2026…: target sandbox", "… Karpenter launches a node: …"), on
// their way to the terminal. When spotcheck's progress formatter runs (support/formatters/
// progress.ts), it owns the terminal: it listens here and decides what a line becomes (a note, the
// updating status line of a wait, one line every 30 s in CI). With any other formatter (`--format
// summary`), or in a parallel worker thread where no formatter runs, the lines go to stderr as
// `spotcheck: <line>`, as they always did.
//
// The listeners live on globalThis under a registered symbol: the formatter is imported by
// cucumber-js's formatter loader and the run by its support-code loader, and this must be one
// channel whichever module instance each of them got.

export type ProgressListener = (line: string) => void

const KEY = Symbol.for('spotcheck.progress.listeners')

function listeners(): Set<ProgressListener> {
  const g = globalThis as unknown as Record<symbol, Set<ProgressListener> | undefined>
  g[KEY] ??= new Set<ProgressListener>()
  return g[KEY]
}

/** One progress line of the run (already redacted). */
export function publishProgress(line: string, fallback: (text: string) => void = (t) => process.stderr.write(t)): void {
  const all = listeners()
  if (all.size === 0) {
    fallback(`spotcheck: ${line}\n`)
    return
  }
  for (const listener of all) listener(line)
}

/** Takes the run's progress lines until the returned function is called. */
export function onProgress(listener: ProgressListener): () => void {
  listeners().add(listener)
  return () => {
    listeners().delete(listener)
  }
}
