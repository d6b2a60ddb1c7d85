/**
 * What a plan is made of. A Change is one action on one object on one endpoint. `before`/`after` are
 * normalised attribute values (never a secret); `reason` explains the change to people and is never
 * used to decide anything during apply.
 */
export const KIND_NAMES = ['project', 'oidc_group', 'robot', 'project_member'] as const
export type KindName = (typeof KIND_NAMES)[number]

export const ACTIONS = ['create', 'update', 'replace', 'delete', 'noop'] as const
export type Action = (typeof ACTIONS)[number]

/** Normalised attributes of one object: JSON values only, the same shape for desired and live. */
export type Attrs = Record<string, unknown>

/** One attribute that differs. `path` is the attribute name (`description`, `permissions`). */
export interface AttrDiff {
  path: string
  before: unknown
  after: unknown
  /** Changing this attribute needs delete + create (the kind lists it in `replaceOn`). */
  forcesReplace?: boolean
  /** Shown as `(sensitive)`; the values here are fingerprints or markers, never the secret. */
  sensitive?: boolean
}

export interface Change {
  /** Unique within a plan: `<address>@<endpoint>`. */
  id: string
  /** Resource address without endpoint: `project.team["payments"]`. */
  address: string
  endpoint: string
  kind: KindName
  /** The natural key of the object on the endpoint (its name; see each kind). */
  key: string
  action: Action
  /** Live normalised attributes (absent for create). */
  before?: Attrs
  /** Desired normalised attributes (absent for delete). Never holds a secret. */
  after?: Attrs
  /** Harbor's id of the live object on this endpoint, for update/replace/delete. */
  liveId?: string
  diffs: AttrDiff[]
  reason: string
  /**
   * The change adopts an existing object into state (an `import` block, `hrep import`, or mirror
   * mode); with action `noop` only state is written, with `update` the object is changed too.
   */
  importing?: boolean
  /** Ids of the changes that must succeed before this one runs (the plan's DAG). */
  dependsOn: string[]
}

export interface PlanSummary {
  import: number
  add: number
  change: number
  destroy: number
}

export function summarize(changes: readonly Change[]): PlanSummary {
  const summary = {import: 0, add: 0, change: 0, destroy: 0}
  for (const change of changes) {
    if (change.importing) summary.import++
    if (change.action === 'create') summary.add++
    else if (change.action === 'update') summary.change++
    else if (change.action === 'delete') summary.destroy++
    else if (change.action === 'replace') {
      summary.add++
      summary.destroy++
    }
  }
  return summary
}
