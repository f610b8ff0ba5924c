// spotcheck's progress formatter for cucumber-js (cucumber.js: format), in place of Cucumber's
// dots: sections and scenarios as they start, what a long step waits for, each section's result
// and wall time, a summary table at the end (support/formatters/progress-view.ts).
//
// Where it writes: to a terminal on stdout, stdout, with one status line redrawn in place. When
// stdout is not a terminal (redirected to a file, a pipe, CI), to stderr, as the issue asks:
// `npx cucumber-js > out.txt` still shows the progress on the terminal, and a CI log gets it
// beside the run's other diagnostics. (cucumber-js's own formatters write to stdout whatever it
// is; its warnings go to stderr.) Given a file of its own
// (`['./support/formatters/progress.ts', 'reports/progress.log']`), to that file.
//
// The run's progress lines come through support/formatters/channel.ts: while this formatter runs,
// it owns the terminal and the run no longer writes to stderr itself.
//
// Format options, under `spotcheckProgress`: `{ "summary": false }` leaves out the table
// (spotcheck drift prints one table of its three runs).

import type { FormatterPlugin } from '@cucumber/cucumber/api'
import { onProgress } from './channel.ts'
import { ProgressView } from './progress-view.ts'

export interface ProgressOptions {
  summary?: boolean
}

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; fd?: number }

/** The stream the formatter writes to, given the one cucumber-js gave it. */
export function destination(stream: Out, stdout: Out = process.stdout, stderr: Out = process.stderr): Out {
  return stream === stdout && !stdout.isTTY ? stderr : stream
}

/** Colours on a terminal, unless NO_COLOR or FORCE_COLOR=0 say otherwise. */
export function colours(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  return Boolean(out.isTTY)
}

const plugin: FormatterPlugin<ProgressOptions | undefined> = {
  type: 'formatter',
  optionsKey: 'spotcheckProgress',
  formatter({ on, stream, write, options }) {
    const out = destination(stream)
    const live = Boolean(out.isTTY)
    const view = new ProgressView({
      write: out === stream ? write : (text) => out.write(text),
      live,
      color: colours(out),
      columns: () => out.columns || 100, // 0 on a terminal of unknown size
      summary: options?.summary !== false,
    })
    const stopNotes = onProgress((line) => view.note(line))
    // A redraw a second on a terminal; elsewhere a check for the 30 s heartbeat.
    const timer = setInterval(() => view.tick(), live ? 1_000 : 5_000)
    timer.unref()
    on('message', (envelope) => view.update(envelope))
    return () => {
      clearInterval(timer)
      stopNotes()
      view.finish()
    }
  },
}

export default plugin
