// Step definitions are registered with Cucumber and kept here too, so that a section's
// "Given the tutorial has been followed up to this section" can replay earlier sections' steps
// (support/checkpoint.ts) with the very same code Cucumber runs.

import { defineStep } from '@cucumber/cucumber'
import { CucumberExpression, ParameterTypeRegistry, RegularExpression, type Expression } from '@cucumber/cucumber-expressions'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StepFn = (this: any, ...args: any[]) => unknown

interface Definition {
  pattern: string | RegExp
  expression: Expression
  fn: StepFn
}

const parameterTypes = new ParameterTypeRegistry()
const definitions: Definition[] = []

/** Registers a step definition (Given/When/Then are the same to Cucumber; the features say which). */
export function step(pattern: string | RegExp, fn: StepFn, options: { timeout?: number } = {}): void {
  defineStep(pattern, options, fn)
  const expression = typeof pattern === 'string' ? new CucumberExpression(pattern, parameterTypes) : new RegularExpression(pattern, parameterTypes)
  definitions.push({ pattern, expression, fn })
}

export interface Match {
  fn: StepFn
  args: unknown[]
}

/** The definition a step's text matches, with its arguments; undefined when none does. */
export function findStep(text: string): Match | undefined {
  const found: Match[] = []
  for (const d of definitions) {
    const args = d.expression.match(text)
    if (args) found.push({ fn: d.fn, args: args.map((a) => a.getValue(null)) })
  }
  if (found.length > 1) throw new Error(`ambiguous step "${text}": ${found.length} definitions match`)
  return found[0]
}
