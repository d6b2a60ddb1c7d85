/**
 * Plans and applies on a test's configuration directory, each in a workspace of its own (lock taken
 * and released), as consecutive `hrep plan` / `hrep apply` runs would.
 */
import {expect} from 'vitest'
import {type PlanOutcome, Workspace} from '../../src/engine/workspace.js'

export function runsIn(dir: () => string) {
  const open = () => Workspace.open({configDir: dir(), events: {emit() {}}, operation: 'apply'})
  return {
    async plan(): Promise<PlanOutcome> {
      const workspace = await open()
      try {
        return await workspace.plan()
      } finally {
        await workspace.close()
      }
    },
    /** Plans and applies, generated secrets shown (not written); fails the test on any failed change. */
    async planAndApply() {
      const workspace = await open()
      try {
        const outcome = await workspace.plan()
        const applied = await workspace.apply(outcome, {showSecrets: true})
        expect(applied.failed.map((f) => `${f.change.id}: ${f.message}`)).toEqual([])
        return {outcome, applied}
      } finally {
        await workspace.close()
      }
    },
  }
}

/** A plan's changes as sorted `action id` lines. */
export const changesOf = (outcome: PlanOutcome) => outcome.result.changes.map((c) => `${c.action} ${c.id}`).sort()
