/**
 * Generated robot secrets and secret_output: written before use, all robots of a run in few writes,
 * mode 0600, and a robot that gets a new secret on a new endpoint keeps the old one recorded for the
 * endpoints where it is still in force.
 */
import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {GeneratedSecrets, type SecretRecord} from '../../src/engine/secrets.js'

describe('generated robot secrets', () => {
  let dir: string
  let path: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hrep-secrets-'))
    path = join(dir, 'secrets.json')
  })
  afterEach(() => rm(dir, {recursive: true, force: true}))

  const read = async () => JSON.parse(await readFile(path, 'utf8')) as Record<string, SecretRecord>

  it('persists every secret before handing it out, one per robot for all its endpoints', async () => {
    const secrets = new GeneratedSecrets(path)
    const handed = await Promise.all(
      Array.from({length: 50}, (_, i) => [
        secrets.obtain(`robot.r["${i}"]`, 'primary', `robot$r${i}`),
        secrets.obtain(`robot.r["${i}"]`, 'dr', `robot$r${i}`),
      ]).flat(),
    )
    const file = await read()
    expect(Object.keys(file)).toHaveLength(50)
    expect(file['robot.r["7"]']).toMatchObject({logins: {primary: 'robot$r7', dr: 'robot$r7'}, secret: handed[14]!.reveal()})
    expect(handed[14]!.reveal()).toBe(handed[15]!.reveal())
    expect(handed[14]!.reveal()).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{32}$/)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })

  it('keeps an older secret for the endpoints where it is still the robot secret', async () => {
    const first = await new GeneratedSecrets(path).obtain('robot.ci', 'primary', 'robot$ci')
    const second = await new GeneratedSecrets(path).obtain('robot.ci', 'dr', 'robot$ci')
    const record = (await read())['robot.ci']!
    expect(record.secret).toBe(second.reveal())
    expect(record.logins).toEqual({dr: 'robot$ci'})
    expect(record.previous).toEqual([expect.objectContaining({secret: first.reveal(), logins: {primary: 'robot$ci'}})])
    // Generated again for primary: the old secret is no longer in force anywhere.
    const third = await new GeneratedSecrets(path).obtain('robot.ci', 'primary', 'robot$ci')
    const latest = (await read())['robot.ci']!
    expect(latest.secret).toBe(third.reveal())
    expect(latest.previous).toEqual([expect.objectContaining({secret: second.reveal(), logins: {dr: 'robot$ci'}})])
  })
})
