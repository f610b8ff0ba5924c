// Terraform version constraints, as `terraform init` reads them (">= 2.4.1", "~> 3.0.1", "5.20"),
// enough to say which of the releases the table knows a constraint admits.

function parts(version: string): number[] {
  const p = version.split('.').map(Number)
  while (p.length < 3) p.push(0)
  return p
}

/** Orders dotted versions numerically: "2.9.0" < "2.10". Missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const x = parts(a)
  const y = parts(b)
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return 0
}

/** Whether `version` satisfies every comma-separated clause of `constraint`. */
export function admits(constraint: string, version: string): boolean {
  return constraint.split(',').every((clause) => admitsClause(clause.trim(), version))
}

function admitsClause(clause: string, version: string): boolean {
  const m = /^(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})$/.exec(clause)
  if (!m) throw new Error(`"${clause}" is not a Terraform version constraint (e.g. ">= 2.4.1", "~> 3.0.1", "19.19.1")`)
  const [, op = '=', bound] = m
  const c = compareVersions(version, bound)
  switch (op) {
    case '=':
      return c === 0
    case '!=':
      return c !== 0
    case '>=':
      return c >= 0
    case '<=':
      return c <= 0
    case '>':
      return c > 0
    case '<':
      return c < 0
    default: {
      // ~> X.Y.Z allows X.Y.*; ~> X.Y allows X.* (the rightmost given part may grow).
      const given = bound.split('.').map(Number)
      const upper = given.slice(0, Math.max(1, given.length - 1))
      upper[upper.length - 1] += 1
      return c >= 0 && compareVersions(version, upper.join('.')) < 0
    }
  }
}
