/**
 * Keeps secrets out of error messages. A request body may carry secrets (a robot PATCH sets one, a
 * configuration PUT may carry LDAP or OIDC passwords), and a server may echo what it received: every
 * text that came from the server is scrubbed of the endpoint's password and of every secret the request
 * carried before it becomes part of an error.
 */
import {SENSITIVE, Secret} from '../model/secret.js'

/** Keys whose string values are secrets wherever they appear in a request body. */
const SENSITIVE_KEY = /secret|passw|token|auth_header/i

/**
 * The JSON text of a request body. `Secret` values are revealed here, the only place they are, and every
 * secret sent (revealed Secrets and strings under sensitive keys) is appended to `secrets`.
 */
export function serializeBody(body: unknown, secrets: string[]): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    // `value` has been through toJSON already (a Secret is "(sensitive)" there); the holder has the original.
    const original = this[key]
    if (original instanceof Secret) {
      const revealed = original.reveal()
      secrets.push(revealed)
      return revealed
    }
    if (typeof value === 'string' && value !== '' && SENSITIVE_KEY.test(key)) secrets.push(value)
    return value
  })
}

/** `text` with every occurrence of each non-empty secret replaced by `(sensitive)`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) {
    if (secret !== '' && result.includes(secret)) result = result.split(secret).join(SENSITIVE)
  }
  return result
}
