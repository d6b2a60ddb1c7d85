/**
 * `--write-test`: a create-read-delete round trip through the same kinds apply uses, with objects
 * named `hrep-doctor-<random>`: a project, then (as the configuration needs them) a robot with a
 * chosen secret that is then updated, a group, and the group's membership in the project. Whatever
 * happens (a refused create, a lost answer, Ctrl-C), every object it may have created is looked up by
 * name and deleted afterwards; one it cannot delete is reported with what to delete by hand.
 */
import {randomBytes} from 'node:crypto'
import type {KindContext, LiveObject} from '../kinds/kind.js'
import type {GroupType} from '../kinds/oidc-group.js'
import {memberKey} from '../kinds/project-member.js'
import {kinds} from '../kinds/registry.js'
import {generateRobotSecret, type RobotAttrs, robotKey} from '../kinds/robot.js'
import type {Attrs, KindName} from '../model/change.js'
import {isHarborError} from '../reliability/errors.js'
import {messageOf} from './harbor-probe.js'
import {type CheckResult, fail, pass} from './result.js'
import type {EndpointUsage} from './usage.js'

/** Every temporary object's name starts with this. */
export const WRITE_TEST_PREFIX = 'hrep-doctor-'

/** A fresh unique name: `hrep-doctor-` and 8 hex digits (a valid project, robot and group name). */
export function writeTestName(): string {
  return `${WRITE_TEST_PREFIX}${randomBytes(4).toString('hex')}`
}

/** What the round trip needs: the endpoint's kind context and what the configuration uses there. */
export interface WriteTestOptions {
  /** The endpoint's kind context; its signal stops the round trip, never the cleanup. */
  ctx: KindContext
  usage: EndpointUsage
  authMode?: string
  /** The robot name prefix in use, for naming a leftover robot. */
  robotPrefix: string
  /** Default: writeTestName(). */
  name?: string
}

/** One object the round trip may have created. */
interface TempObject {
  kind: KindName
  key: string
  /** `project "hrep-doctor-1a2b3c4d"`. */
  label: string
  /** What it was created with (deleting by id needs the name or project). */
  attrs: Attrs
  id?: string
}

/** Runs the round trip and its cleanup; never throws. */
export async function runWriteTest(options: WriteTestOptions): Promise<CheckResult> {
  const {usage} = options
  const name = options.name ?? writeTestName()
  const base = options.ctx
  // A fresh memo for every call: a list cached before a create must not answer the read-back after it.
  const live = (): KindContext => ({...base, memo: new Map()})
  const cleanupContext = (): KindContext => ({...base, memo: new Map(), signal: undefined})
  const objects: TempObject[] = []
  const done: string[] = []
  const notes: string[] = []
  let failure: Failure | undefined
  let step = ''

  const createAndRead = async (kind: KindName, attrs: Attrs, key: string, label: string): Promise<LiveObject> => {
    const object: TempObject = {kind, key, label, attrs}
    // Recorded before the create: a create whose answer is lost may still have made the object.
    objects.push(object)
    step = `creating ${label}`
    object.id = (await kinds[kind].create(live(), attrs)).id
    step = `reading back ${label}`
    const found = await kinds[kind].find(live(), key)
    if (found === undefined) throw new Error(`${label} was created, but reading it back found nothing`)
    object.id = found.id
    return found
  }

  const groupType: GroupType | undefined =
    options.authMode === 'ldap_auth' ? undefined : options.authMode === 'http_auth' ? 'http' : 'oidc'
  const wantsGroup = usage.writes.has('oidc_group') || usage.writes.has('project_member')

  try {
    await createAndRead('project', {name, public: false}, name, `project "${name}"`)
    done.push(`project "${name}"`)

    if (usage.writes.has('robot')) {
      const level = usage.systemRobots ? 'system' : 'project'
      const attrs: RobotAttrs = {
        name,
        level,
        ...(level === 'project' ? {project: name} : {}),
        description: 'hrep doctor write test',
        // One day: if everything else fails, the robot at least stops working tomorrow.
        duration: 1,
        disable: false,
        permissions: [{kind: 'project', namespace: name, access: ['repository:pull']}],
        secret: generateRobotSecret(),
      }
      const key = robotKey(attrs)
      const label = `${level} robot "${options.robotPrefix}${key}"`
      const robot = await createAndRead('robot', attrs, key, label)
      step = `updating ${label}`
      const updated = {...robot.attrs, description: 'hrep doctor write test (updated)'}
      await kinds.robot.update(live(), robot, updated, ['description'])
      const after = await kinds.robot.find(live(), key)
      if (after?.attrs.description !== updated.description)
        throw new Error(`${label} was updated, but reading it back shows the old description`)
      done.push(`${label} (secret set, description updated)`)
    }

    if (wantsGroup && groupType === undefined) {
      notes.push('groups not tried: an LDAP group needs a DN from the directory')
    } else if (wantsGroup && groupType !== undefined) {
      const label = `${groupType === 'oidc' ? 'OIDC' : 'http'} group "${name}"`
      await createAndRead('oidc_group', {name, type: groupType}, name, label)
      done.push(label)
      if (usage.writes.has('project_member')) {
        const attrs = {project: name, group: name, group_type: groupType, role: 'guest'}
        await createAndRead('project_member', attrs, memberKey(attrs), `membership of group "${name}" in project "${name}"`)
        done.push('its membership in the project')
      }
    }
  } catch (error) {
    failure = {step, error, interrupted: base.signal?.aborted === true}
  }

  const leftovers = await cleanUp(cleanupContext, objects)
  return judge({done, notes, failure, leftovers})
}

/** Where the round trip stopped, and why. */
interface Failure {
  step: string
  error: unknown
  /** The run was interrupted (Ctrl-C), so the error is only the abort. */
  interrupted: boolean
}

function describeFailure(failure: Failure): string {
  return failure.interrupted ? `interrupted while ${failure.step}` : `${failure.step} failed: ${messageOf(failure.error)}`
}

/** An object the cleanup could not delete: `what` names it (with its id), `reason` says why. */
interface Leftover {
  what: string
  reason: string
}

/** Deletes every object in reverse order of creation, each looked up by name first; returns what is left. */
async function cleanUp(context: () => KindContext, objects: readonly TempObject[]): Promise<Leftover[]> {
  const leftovers: Leftover[] = []
  for (const object of [...objects].reverse()) {
    const kind = kinds[object.kind]
    try {
      const found = await kind.find(context(), object.key)
      if (found === undefined) {
        // Created, yet not found by name (a listing that hides it): delete it by the id Harbor gave.
        if (object.id !== undefined) await kind.delete(context(), {id: object.id, key: object.key, attrs: object.attrs})
        continue
      }
      await kind.delete(context(), found)
      if ((await kind.find(context(), object.key)) !== undefined) throw new Error('it is still there after the delete')
    } catch (error) {
      const id = object.id === undefined ? '' : ` (id ${object.id})`
      leftovers.push({what: `${object.label}${id}`, reason: messageOf(error)})
    }
  }
  return leftovers
}

function judge(outcome: {done: string[]; notes: string[]; failure?: Failure; leftovers: Leftover[]}): CheckResult {
  const {done, notes, failure, leftovers} = outcome
  const tried =
    done.length === 0 ? 'nothing' : done.length === 1 ? done[0]! : `${done.slice(0, -1).join(', ')} and ${done.at(-1)}`
  const noted = notes.length > 0 ? ` (${notes.join('; ')})` : ''
  if (leftovers.length > 0) {
    const what = failure === undefined ? '' : `${describeFailure(failure)}; `
    const names = leftovers.map((leftover) => leftover.what)
    return {
      ...fail(
        'write_test',
        `${what}CLEANUP FAILED, these objects are left on the instance: ${leftovers.map((l) => `${l.what} (${l.reason})`).join('; ')}`,
        `delete by hand (Harbor UI or API): ${names.join(', ')}; they hold nothing and are named ${WRITE_TEST_PREFIX}*`,
      ),
      leftovers: names,
    }
  }
  if (failure !== undefined) {
    return fail(
      'write_test',
      `${describeFailure(failure)}; ${done.length > 0 ? `before that it created ${tried}; ` : ''}everything it created was deleted again`,
      failure.interrupted ? 'run hrep doctor --write-test again to finish the round trip' : hintFor(failure.error),
    )
  }
  return pass('write_test', `created, read back and deleted ${tried}${noted}`)
}

function hintFor(error: unknown): string {
  if (isHarborError(error)) {
    if (error.harborCode === 'DENIED' && /read only/i.test(error.harborMessage ?? '')) {
      return 'the instance is in read-only mode: an administrator must turn it off before apply can change anything'
    }
    if (error.status === 401 || error.status === 403)
      return 'the credential may not do this: see the Permissions check, or use a system administrator'
    if (error.errorClass === 'transient')
      return 'Harbor or its proxy failed mid-way: run doctor again, and check the core log under the request id if it persists'
  }
  return "check Harbor's core log under the request id, and report the message if it looks like an hrep problem"
}
