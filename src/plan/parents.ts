/**
 * Plan-time notes about new objects whose parent will not be there: a project member or project
 * robot lives inside its project, and a group membership inside its group (the kinds' `contained`
 * references). When such a parent is neither on the endpoint nor created by the plan, the apply
 * would fail at that object (NOTES §4: a membership names its group by id, or by name and type,
 * which only an oidc_auth Harbor turns into a new group), so the plan says so beforehand. Only
 * parents of a kind the refresh read on the endpoint are judged (the kinds declared or in state
 * there): an unmanaged project a robot lives in is not listed, and is no reason to warn.
 */
import type {Kind} from '../kinds/kind.js'
import type {Change} from '../model/change.js'
import {compare, refsOf} from './graph.js'
import type {Draft} from './object-plan.js'
import type {PlanWarning} from './types.js'
import {type EndpointWorld, kindKey} from './world.js'

const CREATES = new Set<Change['action']>(['create', 'replace'])

/** One warning per new object of `drafts` whose contained parent is missing on the endpoint. */
export function missingParents(
  world: EndpointWorld,
  drafts: readonly Draft[],
  kinds: Readonly<Record<string, Kind>>,
): PlanWarning[] {
  const created = new Set<string>()
  const removed = new Set<string>()
  for (const {change, removal} of drafts) {
    if (CREATES.has(change.action)) created.add(kindKey(change.kind, change.key))
    else if (change.action === 'delete' && removal !== undefined) removed.add(kindKey(change.kind, removal.key))
  }
  const warnings: PlanWarning[] = []
  for (const {change, desired} of drafts) {
    if (!CREATES.has(change.action) || desired === undefined) continue
    for (const ref of refsOf(kinds[change.kind], desired.attrs)) {
      const id = kindKey(ref.kind, ref.key)
      // A kind the refresh did not read (nothing of it declared or in state here) says nothing.
      if (!ref.contained || world.liveByKind[ref.kind] === undefined) continue
      if (created.has(id) || (world.live.has(id) && !removed.has(id))) continue
      warnings.push({
        address: change.address,
        endpoint: world.name,
        message:
          ref.kind === 'oidc_group'
            ? `${change.address} on ${world.name} is a membership of group "${ref.key}", which is not on ${world.name} and no oidc_group block creates there: an oidc_auth Harbor creates the group with the membership, any other fails this create. Declare the group (oidc_group "..." { name = "${ref.key}" }) to be sure.`
            : `${change.address} on ${world.name} belongs in ${ref.kind} "${ref.key}", which is not on ${world.name} and nothing in this plan creates there: the apply will fail at it. Declare the ${ref.kind} for ${world.name} too, or keep this block off it (endpoints = [...]).`,
      })
    }
  }
  return warnings.sort((a, b) => compare(a.address as string, b.address as string))
}
