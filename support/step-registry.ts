// Step definitions are registered with Cucumber and kept here too, so that a section's
// "Given the tutorial has been followed up to this section" can replay earlier sections' steps
// (support/checkpoint.ts) with the very same code Cucumber runs.
//
// Every definition is registered wrapped in the run's redactor: what a step throws is redacted
// before Cucumber formats it, so no formatter (progress, HTML, messages, JUnit, Allure) and no
// replay in a checkpoint ever holds a secret from a failure message.

import { Given as cucumberGiven, Then as cucumberThen, When as cucumberWhen, defineParameterType } from '@cucumber/cucumber'
import { CucumberExpression, ParameterType, ParameterTypeRegistry, RegularExpression, type Expression } from '@cucumber/cucumber-expressions'
import { parseTutorialDuration } from './eventually.ts'
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

interface ParameterTypeSpec<T> {
  name: string
  regexp: RegExp
  transformer: (text: string) => T
}

/**
 * The custom parameter types, known to Cucumber and to the registry the checkpoint replay matches
 * against: both must know them, or a replayed step would not match the text Cucumber ran. Cucumber
 * hears of them with the first step definition, since it accepts definitions only while it loads
 * support code (this module is also imported outside a run, by the report and by unit tests).
 */
const customTypes: ParameterTypeSpec<unknown>[] = [
  {
    // "30 seconds", "2 minutes", "1 hour": tutorial time in milliseconds.
    name: 'duration',
    regexp: /\d+ (?:seconds?|minutes?|hours?)/,
    transformer: (text) => {
      const [amount, unit] = text.split(' ')
      return parseTutorialDuration(Number(amount), unit)
    },
  },
]

let cucumberHasTypes = false
function defineParameterTypesForCucumber(): void {
  if (cucumberHasTypes) return
  cucumberHasTypes = true
  for (const spec of customTypes) defineParameterType({ name: spec.name, regexp: spec.regexp, transformer: spec.transformer, useForSnippets: false })
}

/**
 * The definitions the checkpoint replay matches a step's text against, with the custom parameter
 * types. The module keeps one (`findStep`); a test builds its own, since Cucumber accepts
 * definitions only during a run.
 */
export class StepRegistry {
  private readonly parameterTypes = new ParameterTypeRegistry()
  private readonly definitions: Definition[] = []

  constructor() {
    for (const spec of customTypes) this.parameterTypes.defineParameterType(new ParameterType(spec.name, spec.regexp, null, spec.transformer, false, false))
  }

  add(pattern: string | RegExp, fn: StepFn): void {
    const expression = typeof pattern === 'string' ? new CucumberExpression(pattern, this.parameterTypes) : new RegularExpression(pattern, this.parameterTypes)
    this.definitions.push({ pattern, expression, fn })
  }

  /** The definition a step's text matches, with its arguments; undefined when none does. */
  find(text: string): Match | undefined {
    const found: Match[] = []
    for (const d of this.definitions) {
      const args = d.expression.match(text)
      if (args) found.push({ fn: d.fn, args: args.map((a) => a.getValue(null)) })
    }
    if (found.length > 1) throw new Error(`ambiguous step "${text}": ${found.length} definitions match`)
    return found[0]
  }
}

const registry = new StepRegistry()

type Keyword = typeof cucumberGiven

function register(keyword: Keyword, pattern: string | RegExp, fn: StepFn, options: { timeout?: number } = {}): void {
  defineParameterTypesForCucumber()
  const safe = redacting(fn)
  keyword(pattern, options, safe)
  registry.add(pattern, safe)
}

/**
 * Cucumber's Given/When/Then, each definition also kept for the checkpoint replay (findStep) and
 * wrapped in the run's redactor. As in Cucumber, the keyword documents intent; any keyword in a
 * feature matches a definition registered under any of them.
 */
export function Given(pattern: string | RegExp, fn: StepFn, options?: { timeout?: number }): void {
  register(cucumberGiven, pattern, fn, options)
}
export function When(pattern: string | RegExp, fn: StepFn, options?: { timeout?: number }): void {
  register(cucumberWhen, pattern, fn, options)
}
export function Then(pattern: string | RegExp, fn: StepFn, options?: { timeout?: number }): void {
  register(cucumberThen, pattern, fn, options)
}

export interface Match {
  fn: StepFn
  args: unknown[]
}

/** The definition a step's text matches, with its arguments; undefined when none does. */
export function findStep(text: string): Match | undefined {
  return registry.find(text)
}
