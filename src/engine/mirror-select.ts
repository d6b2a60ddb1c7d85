/**
 * Which objects a `replicate` block answers for, from its `include`/`exclude` name patterns. Globs:
 * `*` is any run of characters (`/` and `+` included), `?` one character, everything else itself;
 * case-sensitive, matched against the whole name. The rules, by kind:
 * - a project by its name: selected when it matches an include pattern (or there are none) and no
 *   exclude pattern;
 * - a system robot and a group likewise, by their name;
 * - a project robot and a group membership follow their project: selected when their project is,
 *   unless an exclude pattern matches their own full name (`team-a+deploy`, `team-a/platform-devs`);
 * - a user membership never: users are local to each instance (a membership of a user the target
 *   does not know cannot be created), so mirror mode neither copies nor prunes them. That includes
 *   the membership Harbor gives the creator of every project.
 * Pure.
 */
import type {Attrs, KindName} from '../model/change.js'

/** The anchored regular expression of one glob pattern. */
export function globToRegExp(pattern: string): RegExp {
  let source = ''
  for (const char of pattern) {
    if (char === '*') source += '.*'
    else if (char === '?') source += '.'
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 's')
}

/** Decides, for one replicate block, which objects it answers for. */
export interface MirrorSelector {
  /** Whether a name passes the block's include and exclude patterns. */
  passes(name: string): boolean
  /** Whether a name matches one of the block's exclude patterns. */
  excluded(name: string): boolean
  /** Whether the block answers for an object of `kind` with these (normalised) attributes. */
  selects(kind: KindName, attrs: Attrs): boolean
}

/** The selector of a block's patterns. */
export function mirrorSelector(include: readonly string[], exclude: readonly string[]): MirrorSelector {
  const includes = include.map(globToRegExp)
  const excludes = exclude.map(globToRegExp)
  const excluded = (name: string) => excludes.some((re) => re.test(name))
  const passes = (name: string) => (includes.length === 0 || includes.some((re) => re.test(name))) && !excluded(name)
  return {
    passes,
    excluded,
    selects(kind, attrs) {
      const name = String(attrs.name ?? '')
      switch (kind) {
        case 'project':
        case 'oidc_group':
          return passes(name)
        case 'robot':
          if (typeof attrs.project !== 'string') return passes(name)
          return passes(attrs.project) && !excluded(`${attrs.project}+${name}`)
        case 'project_member':
          if (typeof attrs.group !== 'string' || typeof attrs.project !== 'string') return false
          return passes(attrs.project) && !excluded(`${attrs.project}/${attrs.group}`)
      }
    },
  }
}
