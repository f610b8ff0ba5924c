// What a failed cucumber-js run printed, worst first: the failing steps and their errors before
// the tail of everything it wrote. A test runner shows only the start of a long assertion message
// (CI's log does too), and the tail of a long run is mostly progress lines; the failing step is
// what a reader needs to see first.

const FAILED_MARK = /^\s*✗ / // spotcheck's progress formatter (support/formatters/progress-view.ts)

/**
 * The summary formatter's "Failures:" ("Failed scenarios:") block (to the scenario counts) when the run had that
 * formatter, else every line the progress formatter marked failed with the lines after it;
 * then the last `tail` characters of the output.
 */
export function failureDigest(output: string, tail = 4000): string {
  return `${failedSteps(output).slice(0, 8000).trimEnd() || '(no failing step printed)'}\n\n── the run's last output ──\n${output.slice(-tail)}`
}

function failedSteps(output: string): string {
  const start = output.search(/^(Failures|Failed scenarios):$/m)
  if (start >= 0) {
    const rest = output.slice(start)
    const counts = rest.search(/^\d+ scenarios? \(/m)
    return counts < 0 ? rest : rest.slice(0, counts)
  }
  const lines = output.split('\n')
  const picked = new Set<number>()
  lines.forEach((line, i) => {
    if (FAILED_MARK.test(line)) for (let j = i; j < Math.min(i + 8, lines.length); j++) picked.add(j)
  })
  return [...picked].map((i) => lines[i]).join('\n')
}
