/**
 * Project member roles by name. Harbor stores a role id and validates it only on create (a PUT stores
 * any number, and the member then vanishes from listings), so hrep owns the mapping and validates it.
 */

/** Role names in hrep's spelling (Harbor's `role_name`), from most to least privileged. */
export const ROLE_NAMES = ['projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest'] as const
export type RoleName = (typeof ROLE_NAMES)[number]

/** Harbor's role ids (`role` table: 1 projectAdmin, 2 developer, 3 guest, 4 maintainer, 5 limitedGuest). */
export const ROLE_IDS: Record<RoleName, number> = {
  projectAdmin: 1,
  developer: 2,
  guest: 3,
  maintainer: 4,
  limitedGuest: 5,
}

/** Accepted spellings, compared after lower-casing and dropping "_", "-" and spaces. `master` is Harbor's pre-2.1 name. */
const ALIASES: Record<string, RoleName> = {
  projectadmin: 'projectAdmin',
  admin: 'projectAdmin',
  maintainer: 'maintainer',
  master: 'maintainer',
  developer: 'developer',
  guest: 'guest',
  limitedguest: 'limitedGuest',
}

/** The canonical role for a user-written name (`"Developer"`, `"limited_guest"`), or undefined. */
export function parseRole(input: string): RoleName | undefined {
  return ALIASES[input.toLowerCase().replace(/[\s_-]/g, '')]
}

/** The role for a Harbor role id; unknown ids (only a raw PUT can store them) give `unknown(<id>)`, which never equals a desired role. */
export function roleFromId(id: number | undefined): string {
  for (const name of ROLE_NAMES) if (ROLE_IDS[name] === id) return name
  return `unknown(${id})`
}
