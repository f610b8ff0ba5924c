// Whole lines out of a child's output stream. A pipe cuts its bytes anywhere: across a line, and
// across a UTF-8 character (spotcheck's progress lines carry "…", "×", "▶"), whose halves decoded
// alone become U+FFFD. The relay keeps a partial line and a partial character until the rest comes.

import { StringDecoder } from 'node:string_decoder'

export interface LineRelay {
  push(chunk: Buffer | string): void
  /** The last line when it had no newline (the stream has ended). */
  flush(): void
}

export function lineRelay(show: (line: string) => void): LineRelay {
  const decoder = new StringDecoder('utf8')
  let partial = ''
  return {
    push(chunk) {
      const lines = (partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) show(line.replace(/\r$/, ''))
    },
    flush() {
      partial += decoder.end()
      if (partial) show(partial)
      partial = ''
    },
  }
}
