/**
 * Carries out one Change on its endpoint through its kind, so that nothing is ever orphaned or
 * duplicated: a create that fails ambiguously (timeout, reset, 5xx) or with 409 is looked up by
 * name before anything is retried; a found object is adopted when it is ours or matches the config,
 * and reported as a conflict when it does not. Robot secrets are set right after create.
 */
import type {Kind, KindContext, LiveObject} from '../kinds/kind.js'
import type {Attrs, Change} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import type {Secret} from '../model/secret.js'
import {diffManaged, SECRET_ATTR} from '../plan/diff.js'
import {importCommand} from '../plan/object-plan.js'
import {isHarborError} from '../reliability/errors.js'
import {fingerprintOfSecret} from '../state/index.js'
import type {EndpointSession} from './endpoints.js'
import type {GeneratedSecrets} from './secrets.js'

/** What a finished change leaves behind, for the journal and the state. */
export interface ChangeOutcome {
  /** Harbor's id of the object now (absent after a delete). */
  id?: string
  /** The object's attributes now (absent after a delete). */
  attrs?: Attrs
  secretFp?: string
  /** The object exists but its secret could not be set. */
  secretPending?: true
}

/**
 * The change failed, but not before an object came to exist that hrep must remember (a create
 * whose follow-up update failed): `partial` is recorded in state, then the failure is reported.
 */
export class PartialFailure extends HrepError {
  override name = 'PartialFailure'
  constructor(
    readonly partial: ChangeOutcome,
    cause: Error,
  ) {
    super((cause as HrepError).code ?? 'change_failed', cause.message, {cause})
  }
}

/** What executing changes on one endpoint needs; see `executionEnv`. */
export interface ExecuteEnv {
  kinds: Readonly<Record<string, Kind>>
  ctx: KindContext
  /** The secret to set on a robot (declared or generated), by change; undefined for other kinds. */
  secretFor: (change: Change) => Promise<Secret | undefined>
  /** How many times a create is sent when earlier tries failed ambiguously and the object was not found. */
  createTries: number
  /** The fingerprint to record for a secret set on `address`. */
  fingerprint: (address: string, secret: Secret) => Promise<string>
}

/** The sessions and secrets a run executes changes with. */
export interface ExecutionSources {
  sessions: ReadonlyMap<string, EndpointSession>
  kinds: Readonly<Record<string, Kind>>
  /** Declared robot secrets by address. */
  declaredSecret: (address: string) => Secret | undefined
  generated: GeneratedSecrets
  /** One fingerprint per robot address and secret in a run, shared by its endpoints (scrypt is slow by design). */
  fingerprints?: Map<string, Promise<string>>
  /** Cuts off the requests in flight (a shutdown's last resort); unlike a stop, changes do not finish. */
  cancel?: AbortSignal
}

/** The environment for changes on `endpoint`; throws when the endpoint is not connected. */
export function executionEnv(endpoint: string, sources: ExecutionSources): ExecuteEnv {
  const session = sources.sessions.get(endpoint)
  const ctx = session?.ctx
  if (ctx === undefined) {
    throw new HrepError(
      'endpoint_unavailable',
      `endpoint ${endpoint} unavailable${session?.unavailable ? `: ${session.unavailable}` : ''}`,
    )
  }
  return {
    kinds: sources.kinds,
    ctx: sources.cancel === undefined ? ctx : {...ctx, signal: sources.cancel},
    createTries: session!.config.reliability.retry.attempts,
    fingerprint: (address, secret) => {
      sources.fingerprints ??= new Map()
      const memo = sources.fingerprints
      const key = `${address}\u0000${secret.reveal()}`
      let fingerprint = memo.get(key)
      if (fingerprint === undefined) {
        fingerprint = fingerprintOfSecret(secret)
        memo.set(key, fingerprint)
      }
      return fingerprint
    },
    secretFor: async (change) => {
      const declared = sources.declaredSecret(change.address)
      if (declared !== undefined) return declared
      return sources.generated.obtain(change.address, change.endpoint, `${ctx.info.robotNamePrefix}${change.key}`)
    },
  }
}

export async function executeChange(change: Change, env: ExecuteEnv): Promise<ChangeOutcome> {
  const kind = env.kinds[change.kind]!
  switch (change.action) {
    case 'create':
      return create(kind, change, env)
    case 'update':
      return update(kind, change, env)
    case 'delete':
      await kind.delete(env.ctx, liveOf(change))
      return {}
    case 'replace':
      // The apply loop journals a replace as a delete and a create, and calls this once for each.
      throw new HrepError('plan_invalid', `${change.id}: a replace is carried out as a delete and a create`)
    case 'noop':
      return {id: change.liveId, attrs: change.before ?? change.after}
  }
}

function liveOf(change: Change): LiveObject {
  if (change.liveId === undefined)
    throw new HrepError('plan_invalid', `${change.id}: the plan has no Harbor id for this ${change.action}`)
  return {id: change.liveId, key: change.key, attrs: change.before ?? {}}
}

async function update(kind: Kind, change: Change, env: ExecuteEnv): Promise<ChangeOutcome> {
  const live = liveOf(change)
  const after = change.after ?? {}
  const changed = change.diffs.filter((diff) => !diff.sensitive).map((diff) => diff.path)
  if (changed.length > 0) await kind.update(env.ctx, live, after, changed)
  const outcome: ChangeOutcome = {id: live.id, attrs: after}
  if (change.diffs.some((diff) => diff.path === SECRET_ATTR)) {
    const secret = await env.secretFor(change)
    if (secret !== undefined) outcome.secretFp = await setSecret(kind, change, live, secret, env)
  }
  return outcome
}

async function create(kind: Kind, change: Change, env: ExecuteEnv): Promise<ChangeOutcome> {
  const after = change.after ?? {}
  // Decided (and a generated one written to secret_output) before the object exists, so it cannot be lost.
  const secret = change.diffs.some((diff) => diff.path === SECRET_ATTR) ? await env.secretFor(change) : undefined
  let live: LiveObject | undefined
  for (let attempt = 1; live === undefined; attempt++) {
    try {
      const created = await kind.create(env.ctx, after)
      live = {id: created.id, key: change.key, attrs: after}
    } catch (error) {
      if (!isHarborError(error) || error.notSent || error.aborted) throw error
      const found = await kind.find(env.ctx, change.key)
      if (found !== undefined) {
        if (error.errorClass === 'conflict' && diffManaged(kind, after, found.attrs).length > 0) {
          throw new HrepError(
            'conflict',
            `${change.id}: an object with the key "${change.key}" already exists on ${change.endpoint} and differs from the configuration; adopt it with ${importCommand(change.address, change.endpoint, change.key)}`,
            {cause: error},
          )
        }
        // Ours (the create reached Harbor before failing) or identical to the config: adopt it.
        live = await converge(kind, change, found, env, error)
        break
      }
      if (error.errorClass !== 'transient' || attempt >= env.createTries) throw error
    }
  }
  const outcome: ChangeOutcome = {id: live.id, attrs: after}
  if (secret !== undefined) {
    try {
      outcome.secretFp = await setSecret(kind, change, live, secret, env)
    } catch (error) {
      // The robot exists with a secret nobody knows: state marks it, and the next plan sets one.
      throw new PartialFailure({id: live.id, attrs: after, secretPending: true}, error as Error)
    }
  }
  return outcome
}

/** Brings an adopted object to the desired attributes (what a half-finished create left out). */
async function converge(kind: Kind, change: Change, found: LiveObject, env: ExecuteEnv, cause: Error): Promise<LiveObject> {
  const after = change.after ?? {}
  const diffs = diffManaged(kind, after, found.attrs)
  if (diffs.length === 0) return found
  try {
    await kind.update(
      env.ctx,
      found,
      after,
      diffs.map((diff) => diff.path),
    )
  } catch (error) {
    throw new PartialFailure({id: found.id, attrs: found.attrs}, error instanceof Error ? error : cause)
  }
  return {...found, attrs: after}
}

async function setSecret(
  kind: Kind,
  change: Change,
  live: LiveObject,
  secret: Secret,
  env: ExecuteEnv,
): Promise<string | undefined> {
  if (kind.setSecret === undefined) return undefined
  await kind.setSecret(env.ctx, live, secret.reveal())
  return env.fingerprint(change.address, secret)
}
