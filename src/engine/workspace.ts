/**
 * The engine's entry point: one configuration directory, its state (under the lock for the life of
 * the workspace) and a connection per endpoint. Commands open one for a single plan or apply; the
 * sync daemon keeps one open across cycles (so a manual apply fails fast while it runs) and reloads
 * its config on SIGHUP. Nothing here prints: everything is reported through the EventSink.
 */
import {loadConfig, type LoadOptions} from '../config/load.js'
import type {DesiredResource, LoadedConfig} from '../config/model.js'
import {kinds as allKinds} from '../kinds/registry.js'
import type {Change, KindName} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import type {EventSink} from '../model/events.js'
import type {Secret} from '../model/secret.js'
import {expandDesired} from '../plan/desired.js'
import {SECRET_ATTR} from '../plan/diff.js'
import {plan as computePlan} from '../plan/planner.js'
import {parseTargets} from '../plan/target.js'
import type {DesiredObject, PlanResult, PlanWarning} from '../plan/types.js'
import {addressKind} from '../plan/world.js'
import {
  assertPlanFresh,
  createSavedPlan,
  fingerprintMatchesAsync,
  type SavedPlan,
  type State,
  fingerprintOfSecret,
  StateStore,
} from '../state/index.js'
import {type ApplyRunResult, type FailurePolicy, runApply} from './apply.js'
import {checkEndpoint, closeEndpoints, connectEndpoints, type EndpointSession} from './endpoints.js'
import {hasPendingJournal, type RecoveryReport, recoverJournal} from './recover.js'
import {READ_ORDER, refresh} from './refresh.js'
import {pendingImports} from './import-blocks.js'
import {mirrorReads, planMirror} from './mirror.js'
import {GeneratedSecrets} from './secrets.js'
import {inSpan} from './tracing.js'

export interface WorkspaceOptions {
  configDir: string
  load?: LoadOptions
  events: EventSink
  /** What the lock holder is doing (`plan`, `apply`, `sync`), shown to a second run that finds it locked. */
  operation: string
  /** Wait this long for the state lock (default: fail at once). */
  lockTimeoutMs?: number
  /** Gives up waiting for the lock (a signal while starting). */
  lockSignal?: AbortSignal
  /** Told once who holds the lock when this run waits for it (`lockTimeoutMs`). */
  onLockWait?: (holder: string) => void
  /** Overrides every endpoint's `parallelism`. */
  parallelism?: number
}

export interface PlanRequest {
  targets?: readonly string[]
  refreshOnly?: boolean
  /** Default true; `hrep sync` without `allow_delete` passes false. */
  allowDelete?: boolean
  signal?: AbortSignal
}

/** A computed plan and what it was computed from; apply it with `Workspace.apply`. */
export interface PlanOutcome {
  result: PlanResult
  lineage: string
  serial: number
  configHash: string
  /** Fingerprints of the declared secrets the plan relies on, by change id (for saved plans). */
  secretFingerprints: Record<string, string>
  recovered?: RecoveryReport
  targets: readonly string[]
}

export interface ApplyRequest {
  onFailure?: FailurePolicy
  /** Changes running at once over all endpoints (default: the sum of the endpoints' parallelism). */
  parallelism?: number
  /** Print generated secrets instead of (or as well as) writing them to secret_output. */
  showSecrets?: boolean
  /** Stops starting changes; those in flight finish. */
  signal?: AbortSignal
  /** Cuts off the requests in flight (`hrep sync`'s shutdown timeout); their actions stay in doubt in the journal. */
  cancel?: AbortSignal
  planId?: string
}

export interface ApplyOutcome extends ApplyRunResult {
  /** Generated robot secrets, by address: for `--show-secrets` only. */
  generatedSecrets: [string, Secret][]
}

export class Workspace {
  private sessions: Map<string, EndpointSession> | undefined
  private secretsByAddress: {config: LoadedConfig; byAddress: Map<string, Secret>} | undefined

  private constructor(
    private loaded: LoadedConfig,
    readonly store: StateStore,
    private readonly options: WorkspaceOptions,
  ) {}

  /** Loads the config and takes the state lock; throws ConfigError or a lock error naming the holder. */
  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const config = await loadConfig(options.configDir, options.load)
    const store = await StateStore.open(config.hrep.state, {
      lock: {
        operation: options.operation,
        timeoutMs: options.lockTimeoutMs,
        signal: options.lockSignal,
        onWait: options.onLockWait,
      },
    })
    return new Workspace(config, store, options)
  }

  get config(): LoadedConfig {
    return this.loaded
  }

  get events(): EventSink {
    return this.options.events
  }

  /**
   * Reloads the configuration (SIGHUP). An invalid config throws ConfigError and the old one stays;
   * a config that moves the state file is refused, since the lock is held on the old one.
   */
  async reload(): Promise<LoadedConfig> {
    const next = await loadConfig(this.options.configDir, this.options.load)
    if (next.hrep.state !== this.loaded.hrep.state) {
      throw new HrepError(
        'reload_refused',
        `the new configuration moves the state file to ${next.hrep.state}; restart hrep to use it`,
      )
    }
    this.loaded = next
    if (this.sessions) await closeEndpoints(this.sessions.values())
    this.sessions = undefined
    return next
  }

  /**
   * Connects to every endpoint (clients are made once per config and kept, with their breakers,
   * across plans); an endpoint that failed earlier is asked again. Unreachable ones are kept with
   * their reason.
   */
  async connect(signal?: AbortSignal): Promise<Map<string, EndpointSession>> {
    if (this.sessions === undefined) {
      this.sessions = await connectEndpoints(this.loaded, {
        events: this.options.events,
        signal,
        parallelism: this.options.parallelism,
      })
    } else {
      await Promise.all(
        [...this.sessions.values()].map((session) => checkEndpoint(session, {events: this.options.events, signal})),
      )
    }
    return this.sessions
  }

  /** Refresh + plan (recovering an interrupted run's journal first). */
  async plan(request: PlanRequest = {}): Promise<PlanOutcome> {
    const config = this.loaded
    // A malformed --target is an error before anything is read.
    parseTargets(request.targets ?? [])
    const sessions = await this.connect(request.signal)
    const recovered = await recoverJournal(this.store, sessions, allKinds, this.options.events)
    const state = this.store.state
    const resources = config.resources
    const kindsFor = this.kindsPerEndpoint(resources)
    // --- import blocks and mirror mode: what they need read (src/engine/import-blocks.ts, mirror.ts) ---
    const imports = pendingImports(config, state, allKinds)
    for (const reads of [imports.reads, mirrorReads(config.replicates)]) {
      for (const [endpoint, kinds] of reads) for (const kind of kinds) kindsFor.get(endpoint)?.add(kind)
    }
    // --- end ---
    // The scrypt checks run on libuv's threads while the refresh waits on the network.
    const secretCheck = this.secretStatus(resources)
    secretCheck.catch(() => {}) // awaited below; a refresh that throws first must not leave it unhandled
    const live = await refresh(sessions, {
      events: this.options.events,
      kinds: allKinds,
      kindsFor: (e) => kindsFor.get(e) ?? new Set(),
      signal: request.signal,
    })
    const secretStatus = await secretCheck
    const desired: DesiredObject[] = expandDesired(resources, allKinds, {
      secretMatches: (address, endpoint) => secretStatus.get(`${address}@${endpoint}`),
      adopt: imports.adopt,
    })
    // --- import blocks and mirror mode: objects that must exist, mirrored objects, prune scopes ---
    imports.check(live)
    const mirror = planMirror({config, live, state, kinds: allKinds, declared: desired})
    desired.push(...mirror.desired)
    // --- end ---
    const result = await inSpan('hrep.plan', {'hrep.desired': desired.length}, async (span) => {
      const planned = computePlan({
        desired,
        live,
        state,
        kinds: allKinds,
        options: {targets: request.targets, refreshOnly: request.refreshOnly, allowDelete: request.allowDelete},
        prune: mirror.prune,
      })
      planned.warnings.push(...mirror.warnings(planned), ...this.secretSplitWarnings(planned.changes, state))
      span.setAttribute('hrep.changes', planned.changes.length)
      return planned
    })
    const secretFingerprints = await this.declaredFingerprints(result.changes)
    return {
      result,
      lineage: state.lineage,
      serial: state.serial,
      configHash: config.hash,
      secretFingerprints,
      recovered,
      targets: request.targets ?? [],
    }
  }

  /** A plan as the JSON document `hrep plan --out` writes. */
  savedPlan(outcome: PlanOutcome): SavedPlan {
    return createSavedPlan({
      state: {lineage: outcome.lineage, serial: outcome.serial},
      configHash: outcome.configHash,
      changes: outcome.result.changes,
      drift: outcome.result.drift,
      targets: outcome.targets,
      refreshOnly: outcome.result.refreshOnly,
      unavailable: outcome.result.unavailable,
      secretFingerprints: outcome.secretFingerprints,
    })
  }

  /** Applies a plan computed by this workspace in this run. */
  async apply(outcome: PlanOutcome, request: ApplyRequest = {}): Promise<ApplyOutcome> {
    if (outcome.lineage !== this.store.state.lineage || outcome.serial !== this.store.state.serial) {
      throw new HrepError('plan_stale', 'the state changed since this plan was made; plan again')
    }
    return this.execute(outcome.result.changes, outcome.result.drift, request)
  }

  /** Applies a saved plan file after checking it still fits the state, the config and the declared secrets. */
  async applySaved(saved: SavedPlan, file: string, request: ApplyRequest = {}): Promise<ApplyOutcome> {
    const sessions = await this.connect(request.signal)
    const recovered = await recoverJournal(this.store, sessions, allKinds, this.options.events)
    if (recovered) {
      throw new HrepError(
        'plan_stale',
        `${file} is stale: an interrupted run was recovered into the state first. Run hrep plan again.`,
      )
    }
    assertPlanFresh(saved, this.store.state, this.loaded.hash, file)
    for (const [changeId, fingerprint] of Object.entries(saved.secret_fingerprints)) {
      const secret = this.declaredSecret(changeId.slice(0, changeId.lastIndexOf('@')))
      if (secret === undefined || !(await fingerprintMatchesAsync(secret.reveal(), fingerprint))) {
        throw new HrepError(
          'plan_stale',
          `${file} is stale: the declared secret of ${changeId} changed after the plan was made. Run hrep plan again.`,
        )
      }
    }
    return this.execute(saved.changes, saved.drift, {...request, planId: saved.id})
  }

  /** Releases the lock and closes every connection (idempotent). */
  async close(): Promise<void> {
    if (this.sessions) await closeEndpoints(this.sessions.values())
    this.sessions = undefined
    await this.store.release()
  }

  private async execute(
    changes: readonly Change[],
    stateUpdates: PlanResult['drift'],
    request: ApplyRequest,
  ): Promise<ApplyOutcome> {
    const config = this.loaded
    this.requireSecretDestination(changes, request)
    // What an interrupted run left in doubt on an endpoint that is still down stays in the journal,
    // which this run continues (and keeps), so the other endpoints are not held up.
    const continueJournal = await hasPendingJournal(this.store)
    const sessions = await this.connect(request.signal)
    const generated = new GeneratedSecrets(config.hrep.secretOutput)
    const parallelism =
      request.parallelism ??
      Math.max(
        1,
        [...sessions.values()].reduce((sum, session) => sum + session.config.reliability.parallelism, 0),
      )
    const result = await runApply({
      changes,
      stateUpdates,
      sessions,
      store: this.store,
      kinds: allKinds,
      events: this.options.events,
      declaredSecret: (address) => this.declaredSecret(address),
      generated,
      onFailure: request.onFailure ?? 'stop',
      parallelism,
      operation: this.options.operation,
      planId: request.planId,
      signal: request.signal,
      cancel: request.cancel,
      continueJournal,
    })
    return {...result, generatedSecrets: request.showSecrets ? generated.entries() : []}
  }

  /**
   * A robot whose secret hrep generates, created on an endpoint while it already exists on others,
   * gets a new secret there: Harbor cannot reveal the old one. Say so before it happens.
   */
  private secretSplitWarnings(changes: readonly Change[], state: State): PlanWarning[] {
    const warnings: PlanWarning[] = []
    for (const change of changes) {
      if (change.action !== 'create' || !change.diffs.some((diff) => diff.path === SECRET_ATTR)) continue
      if (this.declaredSecret(change.address) !== undefined) continue
      const elsewhere = Object.keys(state.resources[change.address] ?? {}).filter((endpoint) => endpoint !== change.endpoint)
      if (elsewhere.length === 0) continue
      warnings.push({
        message: `${change.id} gets a newly generated secret, different from the one it has on ${elsewhere.join(', ')} (Harbor never reveals a robot's secret); declare secret = env("...") to keep them identical`,
        address: change.address,
        endpoint: change.endpoint,
      })
    }
    return warnings
  }

  /** A robot hrep must generate a secret for needs somewhere to put it, or it would be lost. */
  private requireSecretDestination(changes: readonly Change[], request: ApplyRequest): void {
    if (this.loaded.hrep.secretOutput !== undefined || request.showSecrets) return
    const needing = changes.filter(
      (change) =>
        // An update carries a generated secret only in mirror mode's robot_secrets = "rotate".
        (change.action === 'create' || change.action === 'replace' || change.action === 'update') &&
        change.diffs.some((diff) => diff.path === SECRET_ATTR) &&
        this.declaredSecret(change.address) === undefined,
    )
    if (needing.length > 0) {
      throw new HrepError(
        'secret_destination_missing',
        `${needing[0]!.id}${needing.length > 1 ? ` and ${needing.length - 1} more` : ''} need a generated secret, ` +
          'but there is nowhere to put it: set secret_output in the hrep block, pass --show-secrets, or declare secret = env("...")',
      )
    }
  }

  private declaredSecret(address: string): Secret | undefined {
    if (this.secretsByAddress?.config !== this.loaded) {
      const byAddress = new Map<string, Secret>()
      for (const resource of this.loaded.resources) {
        const secret = resource.secrets[SECRET_ATTR]
        if (secret !== undefined) byAddress.set(resource.address, secret)
      }
      this.secretsByAddress = {config: this.loaded, byAddress}
    }
    return this.secretsByAddress.byAddress.get(address)
  }

  /** The kinds to read per endpoint: those the config declares there and those the state holds there. */
  private kindsPerEndpoint(resources: readonly DesiredResource[]): Map<string, Set<KindName>> {
    const wanted = new Map<string, Set<KindName>>(this.loaded.endpoints.map((endpoint) => [endpoint.name, new Set<KindName>()]))
    for (const resource of resources) for (const endpoint of resource.endpoints) wanted.get(endpoint)?.add(resource.kind)
    for (const [address, byEndpoint] of Object.entries(this.store.state.resources)) {
      const kind = addressKind(address) as KindName
      if (!READ_ORDER.includes(kind)) continue
      for (const endpoint of Object.keys(byEndpoint)) wanted.get(endpoint)?.add(kind)
    }
    return wanted
  }

  /**
   * For every declared secret with a fingerprint in state: whether it still matches. Endpoints of one
   * robot share their fingerprint (apply records one per robot), so each distinct one is checked once.
   */
  private async secretStatus(resources: readonly DesiredResource[]): Promise<Map<string, boolean>> {
    const checks = new Map<string, Promise<boolean>>()
    const pending: [string, Promise<boolean>][] = []
    for (const resource of resources) {
      const secret = resource.secrets[SECRET_ATTR]
      if (secret === undefined) continue
      for (const endpoint of resource.endpoints) {
        const fingerprint = this.store.state.resources[resource.address]?.[endpoint]?.secret_fp
        if (fingerprint === undefined) continue
        const key = `${fingerprint}\u0000${secret.reveal()}`
        let check = checks.get(key)
        if (check === undefined) {
          check = fingerprintMatchesAsync(secret.reveal(), fingerprint)
          checks.set(key, check)
        }
        pending.push([`${resource.address}@${endpoint}`, check])
      }
    }
    const status = new Map<string, boolean>()
    for (const [id, check] of pending) status.set(id, await check)
    return status
  }

  private async declaredFingerprints(changes: readonly Change[]): Promise<Record<string, string>> {
    const byAddress = new Map<string, Promise<string>>()
    const entries = changes.flatMap((change) => {
      const secret = change.diffs.some((diff) => diff.path === SECRET_ATTR) ? this.declaredSecret(change.address) : undefined
      if (secret === undefined) return []
      let fingerprint = byAddress.get(change.address)
      if (fingerprint === undefined) {
        fingerprint = fingerprintOfSecret(secret)
        byAddress.set(change.address, fingerprint)
      }
      return [[change.id, fingerprint] as const]
    })
    const out: Record<string, string> = {}
    for (const [id, fingerprint] of entries) out[id] = await fingerprint
    return out
  }
}
