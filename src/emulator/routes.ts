/**
 * The route table: Harbor's path templates (under /api/v2.0) and methods, each bound to the spec
 * operation that validates it and to its handler, and a matcher that tells an unknown path (404)
 * from a known path with the wrong method (405), as go-swagger's router does.
 */
import type {Handler} from './context.js'
import * as members from './handlers/members.js'
import * as policies from './handlers/project-policies.js'
import * as projects from './handlers/projects.js'
import * as quotas from './handlers/quotas.js'
import * as registries from './handlers/registries.js'
import * as replication from './handlers/replication.js'
import * as robots from './handlers/robots.js'
import * as system from './handlers/system.js'
import * as usergroups from './handlers/usergroups.js'
import * as users from './handlers/users.js'

/** One route: `template` uses `{name}` segments, `operation` is Harbor's operationId in the extract. */
export interface Route {
  method: string
  template: string
  operation: string
  handler: Handler
}

const P = '/projects/{project_name_or_id}'

/** Every route the emulator serves. */
export const ROUTES: readonly Route[] = [
  {method: 'GET', template: '/ping', operation: 'getPing', handler: system.getPing},
  {method: 'GET', template: '/health', operation: 'getHealth', handler: system.getHealth},
  {method: 'GET', template: '/systeminfo', operation: 'getSystemInfo', handler: system.getSystemInfo},
  {method: 'GET', template: '/permissions', operation: 'getPermissions', handler: system.getPermissions},
  {method: 'GET', template: '/configurations', operation: 'getConfigurations', handler: system.getConfigurations},
  {method: 'PUT', template: '/configurations', operation: 'updateConfigurations', handler: system.updateConfigurations},
  {method: 'GET', template: '/projects', operation: 'listProjects', handler: projects.listProjects},
  {method: 'HEAD', template: '/projects', operation: 'headProject', handler: projects.headProject},
  {method: 'POST', template: '/projects', operation: 'createProject', handler: projects.createProject},
  {method: 'GET', template: P, operation: 'getProject', handler: projects.getProject},
  {method: 'PUT', template: P, operation: 'updateProject', handler: projects.updateProject},
  {method: 'DELETE', template: P, operation: 'deleteProject', handler: projects.deleteProject},
  {method: 'GET', template: `${P}/_deletable`, operation: 'getProjectDeletable', handler: projects.getProjectDeletable},
  {method: 'GET', template: `${P}/summary`, operation: 'getProjectSummary', handler: projects.getProjectSummary},
  {method: 'GET', template: `${P}/metadatas`, operation: 'listProjectMetadatas', handler: projects.listProjectMetadatas},
  {method: 'POST', template: `${P}/metadatas`, operation: 'addProjectMetadatas', handler: projects.addProjectMetadatas},
  {method: 'GET', template: `${P}/metadatas/{meta_name}`, operation: 'getProjectMetadata', handler: projects.getProjectMetadata},
  {
    method: 'PUT',
    template: `${P}/metadatas/{meta_name}`,
    operation: 'updateProjectMetadata',
    handler: projects.updateProjectMetadata,
  },
  {
    method: 'DELETE',
    template: `${P}/metadatas/{meta_name}`,
    operation: 'deleteProjectMetadata',
    handler: projects.deleteProjectMetadata,
  },
  {method: 'GET', template: `${P}/members`, operation: 'listProjectMembers', handler: members.listProjectMembers},
  {method: 'POST', template: `${P}/members`, operation: 'createProjectMember', handler: members.createProjectMember},
  {method: 'GET', template: `${P}/members/{mid}`, operation: 'getProjectMember', handler: members.getProjectMember},
  {method: 'PUT', template: `${P}/members/{mid}`, operation: 'updateProjectMember', handler: members.updateProjectMember},
  {method: 'DELETE', template: `${P}/members/{mid}`, operation: 'deleteProjectMember', handler: members.deleteProjectMember},
  {method: 'GET', template: `${P}/immutabletagrules`, operation: 'ListImmuRules', handler: policies.listImmutableRules},
  {method: 'POST', template: `${P}/immutabletagrules`, operation: 'CreateImmuRule', handler: policies.createImmutableRule},
  {
    method: 'PUT',
    template: `${P}/immutabletagrules/{immutable_rule_id}`,
    operation: 'UpdateImmuRule',
    handler: policies.updateImmutableRule,
  },
  {
    method: 'DELETE',
    template: `${P}/immutabletagrules/{immutable_rule_id}`,
    operation: 'DeleteImmuRule',
    handler: policies.deleteImmutableRule,
  },
  {method: 'GET', template: `${P}/webhook/policies`, operation: 'ListWebhookPoliciesOfProject', handler: policies.listWebhooks},
  {method: 'POST', template: `${P}/webhook/policies`, operation: 'CreateWebhookPolicyOfProject', handler: policies.createWebhook},
  {
    method: 'GET',
    template: `${P}/webhook/policies/{webhook_policy_id}`,
    operation: 'GetWebhookPolicyOfProject',
    handler: policies.getWebhook,
  },
  {
    method: 'PUT',
    template: `${P}/webhook/policies/{webhook_policy_id}`,
    operation: 'UpdateWebhookPolicyOfProject',
    handler: policies.updateWebhook,
  },
  {
    method: 'DELETE',
    template: `${P}/webhook/policies/{webhook_policy_id}`,
    operation: 'DeleteWebhookPolicyOfProject',
    handler: policies.deleteWebhook,
  },
  {method: 'GET', template: '/registries', operation: 'listRegistries', handler: registries.listRegistries},
  {method: 'POST', template: '/registries', operation: 'createRegistry', handler: registries.createRegistry},
  {method: 'POST', template: '/registries/ping', operation: 'pingRegistry', handler: registries.pingRegistry},
  {method: 'GET', template: '/registries/{id}', operation: 'getRegistry', handler: registries.getRegistry},
  {method: 'PUT', template: '/registries/{id}', operation: 'updateRegistry', handler: registries.updateRegistry},
  {method: 'DELETE', template: '/registries/{id}', operation: 'deleteRegistry', handler: registries.deleteRegistry},
  {method: 'GET', template: '/replication/adapters', operation: 'listRegistryProviderTypes', handler: registries.listAdapters},
  {method: 'GET', template: '/replication/policies', operation: 'listReplicationPolicies', handler: replication.listPolicies},
  {method: 'POST', template: '/replication/policies', operation: 'createReplicationPolicy', handler: replication.createPolicy},
  {method: 'GET', template: '/replication/policies/{id}', operation: 'getReplicationPolicy', handler: replication.getPolicy},
  {
    method: 'PUT',
    template: '/replication/policies/{id}',
    operation: 'updateReplicationPolicy',
    handler: replication.updatePolicy,
  },
  {
    method: 'DELETE',
    template: '/replication/policies/{id}',
    operation: 'deleteReplicationPolicy',
    handler: replication.deletePolicy,
  },
  {method: 'GET', template: '/usergroups', operation: 'listUserGroups', handler: usergroups.listUserGroups},
  {method: 'POST', template: '/usergroups', operation: 'createUserGroup', handler: usergroups.createUserGroup},
  {method: 'GET', template: '/usergroups/search', operation: 'searchUserGroups', handler: usergroups.searchUserGroups},
  {method: 'GET', template: '/usergroups/{group_id}', operation: 'getUserGroup', handler: usergroups.getUserGroup},
  {method: 'PUT', template: '/usergroups/{group_id}', operation: 'updateUserGroup', handler: usergroups.updateUserGroup},
  {method: 'DELETE', template: '/usergroups/{group_id}', operation: 'deleteUserGroup', handler: usergroups.deleteUserGroup},
  {method: 'GET', template: '/robots', operation: 'ListRobot', handler: robots.listRobots},
  {method: 'POST', template: '/robots', operation: 'CreateRobot', handler: robots.createRobot},
  {method: 'GET', template: '/robots/{robot_id}', operation: 'GetRobotByID', handler: robots.getRobot},
  {method: 'PUT', template: '/robots/{robot_id}', operation: 'UpdateRobot', handler: robots.updateRobot},
  {method: 'PATCH', template: '/robots/{robot_id}', operation: 'RefreshSec', handler: robots.refreshRobotSecret},
  {method: 'DELETE', template: '/robots/{robot_id}', operation: 'DeleteRobot', handler: robots.deleteRobot},
  {method: 'GET', template: '/quotas', operation: 'listQuotas', handler: quotas.listQuotas},
  {method: 'GET', template: '/quotas/{id}', operation: 'getQuota', handler: quotas.getQuota},
  {method: 'PUT', template: '/quotas/{id}', operation: 'updateQuota', handler: quotas.updateQuota},
  {method: 'GET', template: '/users', operation: 'listUsers', handler: users.listUsers},
  {method: 'POST', template: '/users', operation: 'createUser', handler: users.createUser},
  {method: 'GET', template: '/users/current', operation: 'getCurrentUserInfo', handler: users.getCurrentUser},
  {method: 'GET', template: '/users/search', operation: 'searchUsers', handler: users.searchUsers},
  {method: 'GET', template: '/users/{user_id}', operation: 'getUser', handler: users.getUser},
  {method: 'DELETE', template: '/users/{user_id}', operation: 'deleteUser', handler: users.deleteUser},
]

/** The outcome of matching a request path. */
export type RouteMatch =
  | {kind: 'found'; route: Route; params: Record<string, string>}
  | {kind: 'method'; allowed: string[]; template: string}
  | {kind: 'none'}

interface CompiledTemplate {
  template: string
  segments: string[]
  byMethod: Map<string, Route>
}

/** Matches paths against the templates; literal segments win over parameters (`/users/current`). */
export class Router {
  private readonly bySize = new Map<number, CompiledTemplate[]>()

  constructor(routes: readonly Route[] = ROUTES) {
    const templates = new Map<string, CompiledTemplate>()
    for (const route of routes) {
      let compiled = templates.get(route.template)
      if (!compiled) {
        compiled = {template: route.template, segments: route.template.split('/').slice(1), byMethod: new Map()}
        templates.set(route.template, compiled)
      }
      compiled.byMethod.set(route.method, route)
    }
    for (const compiled of templates.values()) {
      const list = this.bySize.get(compiled.segments.length) ?? []
      list.push(compiled)
      this.bySize.set(compiled.segments.length, list)
    }
    // More literal segments first, so `/usergroups/search` is tried before `/usergroups/{group_id}`.
    const literals = (t: CompiledTemplate) => t.segments.filter((s) => !s.startsWith('{')).length
    for (const list of this.bySize.values()) list.sort((a, b) => literals(b) - literals(a))
  }

  /** Matches a path under the API base (already split on `/`, segments still URL-encoded). */
  match(method: string, path: string): RouteMatch {
    const segments = path.split('/').slice(1)
    if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop()
    for (const compiled of this.bySize.get(segments.length) ?? []) {
      const params: Record<string, string> = {}
      let matched = true
      for (let i = 0; i < segments.length; i++) {
        const pattern = compiled.segments[i]!
        const segment = segments[i]!
        if (pattern.startsWith('{')) {
          if (segment === '') {
            matched = false
            break
          }
          try {
            params[pattern.slice(1, -1)] = decodeURIComponent(segment)
          } catch {
            params[pattern.slice(1, -1)] = segment
          }
        } else if (pattern !== segment) {
          matched = false
          break
        }
      }
      if (!matched) continue
      const route = compiled.byMethod.get(method)
      if (route) return {kind: 'found', route, params}
      return {kind: 'method', allowed: [...compiled.byMethod.keys()], template: compiled.template}
    }
    return {kind: 'none'}
  }
}
