/**
 * The kinds' view of Harbor's response bodies (swagger `definitions`), only the fields hrep reads.
 * Every field is optional because Harbor omits empty ones; the normalisers supply the meaning of
 * an absent field.
 */
import type {HarborPermission} from './permissions.js'

/** Project metadata: every value is a string in Harbor ("true", "false", "high"). */
export type HarborProjectMetadata = Partial<Record<string, string | null>>

export interface HarborCveAllowlist {
  id?: number
  project_id?: number
  expires_at?: number | null
  items?: {cve_id?: string}[] | null
}

export interface HarborProject {
  project_id?: number
  name?: string
  owner_name?: string
  registry_id?: number | null
  metadata?: HarborProjectMetadata | null
  cve_allowlist?: HarborCveAllowlist | null
}

export interface HarborQuota {
  id?: number
  ref?: {id?: number; name?: string; owner_name?: string} | null
  hard?: {storage?: number} | null
}

export interface HarborRobot {
  id?: number
  name?: string
  description?: string | null
  level?: string
  duration?: number | null
  editable?: boolean
  disable?: boolean
  expires_at?: number
  permissions?: HarborPermission[] | null
}

export interface HarborRobotCreated {
  id?: number
  name?: string
  secret?: string
}

export interface HarborUserGroup {
  id?: number
  group_name?: string
  group_type?: number
  ldap_group_dn?: string | null
}

export interface HarborMember {
  id?: number
  project_id?: number
  entity_name?: string
  entity_type?: string
  entity_id?: number
  role_id?: number
  role_name?: string
}
