// Step definitions are registered with Cucumber and kept here too, so that a section's
// "Given the tutorial has been followed up to this section" can replay earlier sections' steps
// (support/checkpoint.ts) with the very same code Cucumber runs.
//
// Every definition is registered wrapped in the run's redactor: what a step throws is redacted
// before Cucumber formats it, so no formatter (progress, HTML, messages, JUnit, Allure) and no
// replay in a checkpoint ever holds a secret from a failure message.

import { defineStep } from '@cucumber/cucumber'
import { CucumberExpression, ParameterTypeRegistry, RegularExpression, type Expression } from '@cucumber/cucumber-expressions'
import { Redactor, redactError } from './redact.ts'
import { hasRun, theRun } from './run.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StepFn = (this: any, ...args: any[]) => unknown

interface Definition {
  pattern: string | RegExp
  expression: Expression
  fn: StepFn
}

/** Before the run has started: what the process's own environment says is secret. */
let processRedactor: Redactor | undefined
/** After it ended (AfterAll's last lines, a late exception): what the run knew. */
let lastRunRedactor: Redactor | undefined

/** The run's redactor; before the run exists, one from the process's environment. */
export function currentRedactor(): Pick<Redactor, 'redact'> {
  if (hasRun()) return (lastRunRedactor = theRun().redactor)
  processRedactor ??= new Redactor(process.env)
  return lastRunRedactor ?? processRedactor
}

/**
 * `fn`, with whatever it throws (or its promise rejects with) redacted. Its `length` is kept:
 * Cucumber reads a step's or hook's arity from it (parameters, doc string, data table).
 */
export function redacting<F extends StepFn>(fn: F, redactor: () => Pick<Redactor, 'redact'> = currentRedactor): F {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    let result: unknown
    try {
      result = fn.apply(this, args)
    } catch (error) {
      throw redactError(error, redactor())
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      return Promise.resolve(result).catch((error: unknown) => {
        throw redactError(error, redactor())
      })
    }
    return result
  }
  Object.defineProperty(wrapped, 'length', { value: fn.length })
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  return wrapped as F
}

const parameterTypes = new ParameterTypeRegistry()
const definitions: Definition[] = []

/** Registers a step definition (Given/When/Then are the same to Cucumber; the features say which). */
export function step(pattern: string | RegExp, fn: StepFn, options: { timeout?: number } = {}): void {
  const safe = redacting(fn)
  defineStep(pattern, options, safe)
  const expression = typeof pattern === 'string' ? new CucumberExpression(pattern, parameterTypes) : new RegularExpression(pattern, parameterTypes)
  definitions.push({ pattern, expression, fn: safe })
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
