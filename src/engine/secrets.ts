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

/** One entry of the secret_output file. */
export interface SecretRecord {
  /** The robot's name as clients log in with it on each endpoint (`robot$ci`). */
  logins: Record<string, string>
  secret: string
  generated: string
}

/**
 * The secrets generated during one run, by robot address. `obtain` generates on first use and
 * persists before returning, so the caller may then send it to Harbor.
 */
export class GeneratedSecrets {
  private readonly secrets = new Map<string, Secret>()
  private readonly records: Record<string, SecretRecord> = {}
  private writing: Promise<void> = Promise.resolve()

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
      secret = new Secret(generateRobotSecret(), 'generated')
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
    // Writes are chained so two robots created at once never interleave their read-modify-write.
    this.writing = this.writing.then(async () => {
      let existing: Record<string, SecretRecord> = {}
      try {
        existing = JSON.parse(await fs.readFile(path, 'utf8')) as Record<string, SecretRecord>
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new HrepError('secret_output_unreadable', `cannot read secret_output ${path}: ${(error as Error).message}`)
        }
      }
      const merged = {...existing, ...this.records}
      await writeFileAtomic(path, `${JSON.stringify(merged, null, 2)}\n`, {mode: 0o600, fsync: true}).catch((error: Error) => {
        throw new HrepError('secret_output_unwritable', `cannot write secret_output ${path}: ${error.message}`)
      })
    })
    return this.writing
  }
}
