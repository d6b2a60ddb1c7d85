/**
 * Robot secrets hrep owns: declared ones come from the config (`env()`/`file()`), the others hrep
 * generates once per robot address and sets on every endpoint, so a CI credential works on all of
 * them. A generated secret is written to `secret_output` (mode 0600) *before* the robot is created,
 * so a crash can never lose it; it is printed only with `--show-secrets`.
 */
import fs from 'node:fs/promises'
import writeFileAtomic from 'write-file-atomic'
import {generateRobotSecret} from '../kinds/robot.js'
import {HrepError} from '../model/errors.js'
import {Secret} from '../model/secret.js'
import {GENERATED_ORIGIN} from '../state/index.js'

/** One entry of the secret_output file: a secret and the endpoints where it is the robot's secret. */
export interface SecretRecord {
  /** The robot's name as clients log in with it on each endpoint (`robot$ci`). */
  logins: Record<string, string>
  secret: string
  generated: string
  /**
   * Older generated secrets of the same robot still in force on other endpoints (a robot created
   * on a new endpoint later gets a new secret, since the old one cannot be read back).
   */
  previous?: Omit<SecretRecord, 'previous'>[]
}

/**
 * The secrets generated during one run, by robot address. `obtain` generates on first use and
 * persists before returning, so the caller may then send it to Harbor. Writes are batched: robots
 * created together share one write (and fsync) of secret_output.
 */
export class GeneratedSecrets {
  private readonly secrets = new Map<string, Secret>()
  private readonly records: Record<string, SecretRecord> = {}
  private writing: Promise<void> = Promise.resolve()
  /** The next write, already queued behind the one in flight; later records join it. */
  private queued: Promise<void> | undefined

  constructor(
    /** Absolute path of `secret_output`, or undefined when secrets are only shown (`--show-secrets`). */
    private readonly outputPath: string | undefined,
  ) {}

  get size(): number {
    return this.secrets.size
  }

  /** The generated secret of `address`, generated (and written to secret_output) on first call. */
  async obtain(address: string, endpoint: string, login: string): Promise<Secret> {
    let secret = this.secrets.get(address)
    if (secret === undefined) {
      secret = new Secret(generateRobotSecret(), GENERATED_ORIGIN)
      this.secrets.set(address, secret)
      this.records[address] = {logins: {}, secret: secret.reveal(), generated: new Date().toISOString()}
    }
    const record = this.records[address]!
    if (record.logins[endpoint] !== login) {
      record.logins[endpoint] = login
      await this.persist()
    }
    return secret
  }

  /** Address → secret, for `--show-secrets`. */
  entries(): [string, Secret][] {
    return [...this.secrets.entries()]
  }

  private persist(): Promise<void> {
    const path = this.outputPath
    if (path === undefined) return Promise.resolve()
    if (this.queued) return this.queued
    // Writes run one after another (each a read-modify-write of the whole file), each with every record so far.
    const next = this.writing.then(() => {
      this.queued = undefined
      return this.write(path)
    })
    this.queued = next
    this.writing = next.catch(() => {})
    return next
  }

  private async write(path: string): Promise<void> {
    let existing: Record<string, SecretRecord> = {}
    try {
      existing = JSON.parse(await fs.readFile(path, 'utf8')) as Record<string, SecretRecord>
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new HrepError('secret_output_unreadable', `cannot read secret_output ${path}: ${(error as Error).message}`)
      }
    }
    const merged: Record<string, SecretRecord> = {...existing}
    for (const [address, record] of Object.entries(this.records)) merged[address] = withPrevious(record, existing[address])
    await writeFileAtomic(path, `${JSON.stringify(merged, null, 2)}\n`, {mode: 0o600, fsync: true}).catch((error: Error) => {
      throw new HrepError('secret_output_unwritable', `cannot write secret_output ${path}: ${error.message}`)
    })
  }
}

/** `record`, keeping the older secrets of `before` for the endpoints where they are still in force. */
function withPrevious(record: SecretRecord, before: SecretRecord | undefined): SecretRecord {
  if (before === undefined || before.secret === record.secret) return {...record, previous: before?.previous}
  const older = [{logins: before.logins, secret: before.secret, generated: before.generated}, ...(before.previous ?? [])]
  const previous = older
    .map((entry) => ({
      ...entry,
      logins: Object.fromEntries(Object.entries(entry.logins).filter(([endpoint]) => !(endpoint in record.logins))),
    }))
    .filter((entry) => Object.keys(entry.logins).length > 0)
  return previous.length > 0 ? {...record, previous} : {...record}
}
