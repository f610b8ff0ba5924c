// ApiError: one error type for the in-process store and the HTTP server.
//
// In process it is thrown like any Error (controllers catch `err.code === 409` and retry);
// over HTTP it is rendered as the `Status` object a real API server sends, so kubectl prints
// `Error from server (<reason>): <message>` exactly as it does against EKS.

interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Failure' | 'Success'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

export class ApiError extends Error {
  readonly code: number
  readonly reason: string
  readonly details: StatusDetails | undefined

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.reason = reason
    this.details = details
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    }
    if (this.details && Object.keys(this.details).length > 0) status.details = this.details
    return status
  }
}

/** `deployments.apps` / `pods`: how Kubernetes names a group-resource in messages. */
function groupResource(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural
}

export function notFound(plural: string, group: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${groupResource(plural, group)} "${name}" not found`, { name, group: group || undefined, kind: plural })
}

export function alreadyExists(plural: string, group: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${groupResource(plural, group)} "${name}" already exists`, { name, group: group || undefined, kind: plural })
}

export function conflict(plural: string, group: string, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResource(plural, group)} "${name}": ${why}`, {
    name,
    group: group || undefined,
    kind: plural,
  })
}

/**
 * Rethrows anything but NotFound: a controller that finds its object already gone has nothing
 * left to do (controller-runtime's client.IgnoreNotFound).
 */
export function ignoreNotFound(error: unknown): void {
  if (!(error instanceof ApiError && error.code === 404)) throw error
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again'

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message)
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message)
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
}

export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource')
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized')
}

export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError(403, 'Forbidden', message, details)
}

/** One field error, rendered as `<field>: <message>` in an Invalid status. */
export interface FieldError {
  field: string
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueForbidden, FieldValueTooLong, FieldValueTooMany, FieldValueTypeInvalid, FieldValueDuplicate */
  type: string
  /** The text after `<field>: `, e.g. `Required value` or `Unsupported value: "Foo": supported values: "In", "NotIn"`. */
  detail: string
}

export const fieldErrors = {
  required(field: string, detail = ''): FieldError {
    return { field, type: 'FieldValueRequired', detail: detail ? `Required value: ${detail}` : 'Required value' }
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { field, type: 'FieldValueInvalid', detail: `Invalid value: ${goValue(value)}: ${detail}` }
  },
  notSupported(field: string, value: unknown, supported: string[]): FieldError {
    return {
      field,
      type: 'FieldValueNotSupported',
      detail: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    }
  },
  forbidden(field: string, detail: string): FieldError {
    return { field, type: 'FieldValueForbidden', detail: `Forbidden: ${detail}` }
  },
  tooLong(field: string, max: number): FieldError {
    return { field, type: 'FieldValueTooLong', detail: `Too long: may not be longer than ${max}` }
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return { field, type: 'FieldValueTooMany', detail: `Too many: ${actual}: must have at most ${max} items` }
  },
  duplicate(field: string, value: unknown): FieldError {
    return { field, type: 'FieldValueDuplicate', detail: `Duplicate value: ${goValue(value)}` }
  },
  typeInvalid(field: string, value: unknown, detail: string): FieldError {
    return { field, type: 'FieldValueTypeInvalid', detail: `Invalid value: ${goValue(value)}: ${detail}` }
  },
}

/** Renders a value as the apiserver's field errors do (Go's %#v for strings and numbers). */
function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return '"array"'
  return '"object"'
}

/**
 * 422 Invalid, as a real server answers a bad object:
 * `NodePool.karpenter.sh "default" is invalid: spec.x: Required value` (one error) or
 * `... is invalid: [a: ..., b: ...]` (several).
 */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const qualified = group ? `${kind}.${group}` : kind
  const parts = errors.map((e) => (e.field ? `${e.field}: ${e.detail}` : e.detail))
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`
  return new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${joined}`, {
    name,
    group: group || undefined,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  })
}
