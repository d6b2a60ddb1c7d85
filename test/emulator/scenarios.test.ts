/**
 * Runs every conformance scenario (test/conformance/scenarios) against the in-process emulator: the
 * same definitions `npm run test:conformance` runs against a real Harbor. One emulator per auth mode a
 * scenario needs; scenarios share it, which also checks that each one cleans up after itself.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type EmulatorHandle, startEmulator} from '../../src/emulator/index.js'
import {HarborApi, runScenario, type Target, type TargetInfo, targetInfo} from '../conformance/scenario.js'
import {scenarios} from '../conformance/scenarios/index.js'

const modes = ['db_auth', 'oidc_auth'] as const

for (const mode of modes) {
  const applicable = scenarios.filter((s) => (s.authModes ?? ['db_auth']).includes(mode) && (mode === 'db_auth' || s.authModes))
  describe(`scenarios against the emulator (${mode})`, () => {
    let emulator: EmulatorHandle
    let target: Target
    let info: TargetInfo
    beforeAll(async () => {
      emulator = await startEmulator({authMode: mode})
      target = {url: emulator.url, username: 'admin', password: emulator.password, prefix: `emu-${mode.replace('_', '')}`}
      info = await targetInfo(target)
    })
    afterAll(async () => {
      await emulator?.stop()
    })

    for (const scenario of applicable) {
      it(`${scenario.name} (${scenario.covers}): ${scenario.expected}`, async () => {
        const result = await runScenario(scenario, target, info)
        if (result.outcome !== 'match') throw new Error(`${result.outcome}: ${result.observed}`)
        expect(result.outcome).toBe('match')
      })
    }

    it('leaves nothing behind with the run prefix', async () => {
      const dump = emulator.dump()
      const leftovers = [
        ...(dump.projects ?? []).map((p) => p.name),
        ...(dump.robots ?? []).map((r) => r.name),
        ...(dump.groups ?? []).map((g) => g.name),
        ...(dump.users ?? []).map((u) => u.username),
      ].filter((name) => name.startsWith(target.prefix))
      expect(leftovers).toEqual([])
      const api = new HarborApi(target.url, {username: target.username, password: target.password})
      for (const path of ['/registries', '/replication/policies']) {
        const listed = await api.get(path, {query: {name: target.prefix}})
        expect(listed.json, path).toEqual([])
      }
    })
  })
}
