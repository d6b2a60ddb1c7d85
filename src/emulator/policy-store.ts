/**
 * Records for the resources hrep does not manage but Harbor operators use next to it: immutable tag
 * rules and webhook policies (per project), registries and replication policies (per instance). Kept
 * apart from the core Store, which holds them as `store.policies` and drops a project's rules and
 * webhooks with the project.
 */

/** A tag or repository selector of an immutable rule. */
export interface SelectorRecord {
  kind: string
  decoration: string
  pattern: string
  extras?: string
}

/** An immutable tag rule; `filterKey` is the canonical rule text behind Harbor's UNIQUE(project_id, tag_filter). */
export interface ImmutableRuleRecord {
  id: number
  projectId: number
  priority: number
  disabled: boolean
  action: string
  template: string
  params: Record<string, unknown>
  tagSelectors: SelectorRecord[]
  scopeSelectors: Record<string, SelectorRecord[]>
  filterKey: string
}

/** A webhook target. */
export interface WebhookTargetRecord {
  type: string
  address: string
  authHeader: string
  skipCertVerify: boolean
  payloadFormat?: string
}

/** A project's webhook policy. */
export interface WebhookRecord {
  id: number
  projectId: number
  name: string
  description: string
  targets: WebhookTargetRecord[]
  eventTypes: string[]
  creator: string
  enabled: boolean
  creationTime: string
  updateTime: string
}

/** A registry endpoint (replication target or proxy-cache upstream). */
export interface RegistryRecord {
  id: number
  name: string
  url: string
  type: string
  description: string
  insecure: boolean
  credentialType: string
  accessKey: string
  accessSecret: string
  caCertificate: string | null
  creationTime: string
  updateTime: string
}

/** A replication filter. */
export interface FilterRecord {
  type: string
  value: unknown
  decoration?: string
}

/** A replication policy; one of the registry ids is 0 (this Harbor). */
export interface ReplicationRecord {
  id: number
  name: string
  description: string
  srcRegistryId: number
  destRegistryId: number
  destNamespace: string
  destNamespaceReplaceCount: number
  trigger: {type: string; cron: string}
  filters: FilterRecord[]
  deletion: boolean
  override: boolean
  enabled: boolean
  speed: number
  copyByChunk: boolean
  singleActiveReplication: boolean
  creationTime: string
  updateTime: string
}

/** The policy records and their indexes. */
export class PolicyStore {
  readonly immutableRules = new Map<number, ImmutableRuleRecord>()
  readonly immutableByProject = new Map<number, Map<number, ImmutableRuleRecord>>()
  readonly webhooks = new Map<number, WebhookRecord>()
  readonly webhooksByProject = new Map<number, Map<number, WebhookRecord>>()
  readonly registries = new Map<number, RegistryRecord>()
  readonly registryByName = new Map<string, number>()
  readonly replications = new Map<number, ReplicationRecord>()
  readonly replicationByName = new Map<string, number>()
  private next = {immutable: 1, webhook: 1, registry: 1, replication: 1, retention: 1}

  /** Reserves the next id of a kind. */
  nextId(kind: keyof PolicyStore['next']): number {
    return this.next[kind]++
  }

  addImmutableRule(rule: ImmutableRuleRecord): void {
    this.immutableRules.set(rule.id, rule)
    let perProject = this.immutableByProject.get(rule.projectId)
    if (!perProject) {
      perProject = new Map()
      this.immutableByProject.set(rule.projectId, perProject)
    }
    perProject.set(rule.id, rule)
  }

  deleteImmutableRule(id: number): void {
    const rule = this.immutableRules.get(id)
    if (!rule) return
    this.immutableRules.delete(id)
    this.immutableByProject.get(rule.projectId)?.delete(id)
  }

  addWebhook(webhook: WebhookRecord): void {
    this.webhooks.set(webhook.id, webhook)
    let perProject = this.webhooksByProject.get(webhook.projectId)
    if (!perProject) {
      perProject = new Map()
      this.webhooksByProject.set(webhook.projectId, perProject)
    }
    perProject.set(webhook.id, webhook)
  }

  deleteWebhook(id: number): void {
    const webhook = this.webhooks.get(id)
    if (!webhook) return
    this.webhooks.delete(id)
    this.webhooksByProject.get(webhook.projectId)?.delete(id)
  }

  addRegistry(registry: RegistryRecord): void {
    this.registries.set(registry.id, registry)
    this.registryByName.set(registry.name, registry.id)
  }

  renameRegistry(registry: RegistryRecord, name: string): void {
    this.registryByName.delete(registry.name)
    registry.name = name
    this.registryByName.set(name, registry.id)
  }

  deleteRegistry(id: number): void {
    const registry = this.registries.get(id)
    if (!registry) return
    this.registries.delete(id)
    this.registryByName.delete(registry.name)
  }

  addReplication(policy: ReplicationRecord): void {
    this.replications.set(policy.id, policy)
    this.replicationByName.set(policy.name, policy.id)
  }

  renameReplication(policy: ReplicationRecord, name: string): void {
    this.replicationByName.delete(policy.name)
    policy.name = name
    this.replicationByName.set(name, policy.id)
  }

  deleteReplication(id: number): void {
    const policy = this.replications.get(id)
    if (!policy) return
    this.replications.delete(id)
    this.replicationByName.delete(policy.name)
  }

  /** Drops what belongs to a deleted project. */
  deleteProject(projectId: number): void {
    for (const id of [...(this.immutableByProject.get(projectId)?.keys() ?? [])]) this.deleteImmutableRule(id)
    for (const id of [...(this.webhooksByProject.get(projectId)?.keys() ?? [])]) this.deleteWebhook(id)
    this.immutableByProject.delete(projectId)
    this.webhooksByProject.delete(projectId)
  }
}
