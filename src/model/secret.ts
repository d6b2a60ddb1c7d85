/**
 * A value that must never be printed, logged, serialised or stored: endpoint passwords and robot secrets.
 * Every accidental route out (string conversion, JSON, util.inspect) yields the placeholder; only
 * `reveal()` gives the value, and only code that sends it to Harbor or to `secret_output` calls it.
 */
const SECRET = Symbol('hrep.secret')

export const SENSITIVE = '(sensitive)'

export class Secret {
  readonly [SECRET]: string
  /** Where the value came from, for messages: `env("CI_ROBOT_SECRET")`, `file("x")`, `generated`. */
  readonly origin: string

  constructor(value: string, origin = 'literal') {
    this[SECRET] = value
    this.origin = origin
  }

  reveal(): string {
    return this[SECRET]
  }

  toString(): string {
    return SENSITIVE
  }

  toJSON(): string {
    return SENSITIVE
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret<${this.origin}>`
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret
}
