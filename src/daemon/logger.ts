/**
 * The daemon's structured logger: one line per record, either human text (`time LEVEL message
 * key=value ...`, logfmt-style fields) or one JSON object (`{"time","level","msg",...fields}`) for
 * log collectors. Every string is scrubbed of the secrets the configuration holds (endpoint passwords,
 * declared robot secrets) before it is written, and a `Secret` value prints as `(sensitive)`: the
 * engine already keeps secrets out of events and errors, this is the second line of defence.
 */
import {redact} from '../client/redact.js'
import {isSecret, SENSITIVE} from '../model/secret.js'

export const LOG_FORMATS = ['text', 'json'] as const
/** `text` for people and journald, `json` for log collectors (Loki, Elasticsearch, Cloud Logging). */
export type LogFormat = (typeof LOG_FORMATS)[number]

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
/** Severity, lowest first; a logger writes its level and those above it. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Fields of one record; values are JSON values (an Error is written as its message). */
export type LogFields = Record<string, unknown>

export interface LoggerOptions {
  format: LogFormat
  /** The lowest level written. @default 'info' */
  level?: LogLevel
  /** Where a finished line goes (without its newline). @default stdout */
  write?: (line: string) => void
  /** The secret values to scrub from every line (read at each write, so a reload's new secrets count). */
  secrets?: () => readonly string[]
  now?: () => Date
}

/** Names the JSON form reserves; a field with one of them is written as `field_<name>`. */
const RESERVED = new Set(['time', 'level', 'msg'])

/** A leveled structured logger; cheap when a level is off, never throws. */
export class Logger {
  private readonly threshold: number
  private readonly write: (line: string) => void
  private readonly now: () => Date

  constructor(private readonly options: LoggerOptions) {
    this.threshold = LOG_LEVELS.indexOf(options.level ?? 'info')
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`))
    this.now = options.now ?? (() => new Date())
  }

  /** Whether records of `level` are written (to skip building expensive fields). */
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.threshold
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields)
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields)
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields)
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields)
  }

  log(level: LogLevel, msg: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return
    try {
      const secrets = (this.options.secrets?.() ?? []).filter((secret) => secret.length > 0)
      const clean = (text: string) => (secrets.length > 0 ? redact(text, secrets) : text)
      const time = this.now().toISOString()
      const values: [string, unknown][] = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [RESERVED.has(key) ? `field_${key}` : key, scrub(value, clean)])
      this.write(
        this.options.format === 'json'
          ? JSON.stringify({time, level, msg: clean(msg), ...Object.fromEntries(values)})
          : [time, level.toUpperCase().padEnd(5), clean(msg), ...values.map(([key, value]) => `${key}=${textValue(value)}`)].join(
              ' ',
            ),
      )
    } catch {
      // A log line must never take the daemon down (a closed stdout, a value JSON cannot hold).
    }
  }
}

/** `value` as plain JSON data with every string scrubbed; Secrets become the placeholder. */
function scrub(value: unknown, clean: (text: string) => string): unknown {
  if (typeof value === 'string') return clean(value)
  if (isSecret(value)) return SENSITIVE
  if (value instanceof Error) return clean(value.message)
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((item) => scrub(item, clean))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, clean)]))
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** A logfmt value: bare when it is a simple token, JSON-quoted otherwise. */
function textValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
    return textValue(value.join(','))
  }
  return JSON.stringify(JSON.stringify(value))
}
