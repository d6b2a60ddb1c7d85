/**
 * Every resource kind hrep manages, by name. The config loader validates blocks with these kinds'
 * schemas, the planner uses their pure members, the engine their I/O members.
 */
import {type Attrs, KIND_NAMES, type KindName} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import type {Kind} from './kind.js'
import {oidcGroupKind} from './oidc-group.js'
import {projectKind} from './project.js'
import {projectMemberKind} from './project-member.js'
import {robotKind} from './robot.js'

/** The kinds by name; keys are exactly KIND_NAMES. */
export const kinds: Record<KindName, Kind> = {
  project: projectKind as unknown as Kind,
  oidc_group: oidcGroupKind as unknown as Kind,
  robot: robotKind as unknown as Kind,
  project_member: projectMemberKind as unknown as Kind,
}

/** Whether `name` is a kind hrep manages (`robot`, `project`, ...). */
export function isKindName(name: string): name is KindName {
  return (KIND_NAMES as readonly string[]).includes(name)
}

/** The kind called `name`; an unknown name is an HrepError listing the known kinds. */
export function kindFor(name: string): Kind<Attrs> {
  if (!isKindName(name)) {
    throw new HrepError('kind_unknown', `unknown resource kind "${name}"; hrep manages ${KIND_NAMES.join(', ')}`)
  }
  return kinds[name]
}
