/**
 * Harbor's system configuration as `/configurations` exposes it (`src/lib/config/metadata/metadatalist.go`,
 * `handler/config.go`, `pkg/config/manager.go: ValidateCfg`): typed keys with defaults, GET as
 * `{key: {value, editable}}` without the password-type keys, PUT as a flat `{key: value}` where only
 * the keys sent change, unknown keys are dropped and known keys are checked.
 */
import {badRequest} from './errors.js'

/** Harbor's authentication modes. */
export const AUTH_MODES = ['db_auth', 'ldap_auth', 'uaa_auth', 'http_auth', 'oidc_auth'] as const
/** One of Harbor's authentication modes. */
export type AuthMode = (typeof AUTH_MODES)[number]

/** The JSON type of a configuration value. */
export type ConfigType = 'string' | 'boolean' | 'integer'

/** A configuration value. */
export type ConfigValue = string | boolean | number

interface ConfigKey {
  type: ConfigType
  default: ConfigValue
  /** Write-only: never returned by GET (`ConvertForGet`). */
  password?: boolean
}

const s = (value = ''): ConfigKey => ({type: 'string', default: value})
const b = (value: boolean): ConfigKey => ({type: 'boolean', default: value})
const i = (value: number): ConfigKey => ({type: 'integer', default: value})

/** Every user-scope key of Harbor 2.15 with its type and default. */
export const CONFIG_KEYS: Record<string, ConfigKey> = {
  auth_mode: s('db_auth'),
  primary_auth_mode: b(false),
  ldap_base_dn: s(),
  ldap_filter: s(),
  ldap_group_base_dn: s(),
  ldap_group_admin_dn: s(),
  ldap_group_attribute_name: s(),
  ldap_group_search_filter: s(),
  ldap_group_search_scope: i(2),
  ldap_group_attach_parallel: b(false),
  ldap_group_membership_attribute: s('memberof'),
  ldap_scope: i(2),
  ldap_search_dn: s(),
  ldap_search_password: {type: 'string', default: '', password: true},
  ldap_timeout: i(5),
  ldap_uid: s('cn'),
  ldap_url: s(),
  ldap_verify_cert: b(true),
  project_creation_restriction: s('everyone'),
  read_only: b(false),
  self_registration: b(false),
  token_expiration: i(30),
  uaa_client_id: s(),
  uaa_client_secret: s(),
  uaa_endpoint: s(),
  uaa_verify_cert: b(false),
  http_authproxy_endpoint: s(),
  http_authproxy_tokenreview_endpoint: s(),
  http_authproxy_admin_groups: s(),
  http_authproxy_admin_usernames: s(),
  http_authproxy_verify_cert: b(true),
  http_authproxy_skip_search: b(false),
  http_authproxy_server_certificate: s(),
  oidc_name: s(),
  oidc_endpoint: s(),
  oidc_client_id: s(),
  oidc_client_secret: {type: 'string', default: '', password: true},
  oidc_groups_claim: s(),
  oidc_admin_group: s(),
  oidc_group_filter: s(),
  oidc_scope: s(),
  oidc_user_claim: s(),
  oidc_verify_cert: b(true),
  oidc_auto_onboard: b(false),
  oidc_extra_redirect_parms: s('{}'),
  oidc_logout: b(false),
  robot_token_duration: i(30),
  robot_name_prefix: s('robot$'),
  notification_enable: b(true),
  quota_per_project_enable: b(true),
  storage_per_project: i(-1),
  audit_log_forward_endpoint: s(),
  skip_audit_log_database: b(false),
  session_timeout: i(60),
  scanner_skip_update_pulltime: b(false),
  banner_message: s(),
  disabled_audit_log_event_types: s(),
}

/** The largest storage quota Harbor accepts: 1024 TB (`lib/quota_storage_limit.go`). */
export const MAX_STORAGE_LIMIT = 1024 ** 4 * 1024

/** The live configuration of one emulator. */
export class Configuration {
  private readonly values = new Map<string, ConfigValue>()

  constructor(overrides: Record<string, ConfigValue> = {}) {
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) this.values.set(key, spec.default)
    for (const [key, value] of Object.entries(overrides)) if (key in CONFIG_KEYS) this.values.set(key, value)
  }

  get(key: string): ConfigValue | undefined {
    return this.values.get(key)
  }

  string(key: string): string {
    return String(this.values.get(key) ?? '')
  }

  bool(key: string): boolean {
    return this.values.get(key) === true
  }

  int(key: string): number {
    return Number(this.values.get(key) ?? 0)
  }

  /** Sets values without Harbor's checks (seed, `handle.setConfig`); unknown keys are ignored. */
  setRaw(values: Record<string, ConfigValue>): void {
    for (const [key, value] of Object.entries(values)) if (key in CONFIG_KEYS) this.values.set(key, value)
  }

  /** GET /configurations: `{key: {value, editable}}`, passwords left out. */
  forGet(authModeEditable: boolean): Record<string, {value: ConfigValue; editable: boolean}> {
    const out: Record<string, {value: ConfigValue; editable: boolean}> = {}
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      if (spec.password) continue
      out[key] = {value: this.values.get(key)!, editable: key === 'auth_mode' ? authModeEditable : true}
    }
    return out
  }

  /** The non-password values, for dump. */
  snapshot(): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {}
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) if (!spec.password) out[key] = this.values.get(key)!
    return out
  }

  /**
   * PUT /configurations: validates the known keys in `body` as Harbor does and applies them all or
   * none; unknown keys are dropped. JSON types were already checked against the spec.
   */
  update(body: Record<string, unknown>, authModeEditable: boolean): void {
    const changes = new Map<string, ConfigValue>()
    for (const [key, raw] of Object.entries(body)) {
      const spec = CONFIG_KEYS[key]
      if (spec === undefined || raw === null || raw === undefined) continue
      let value = raw as ConfigValue
      if (typeof value !== (spec.type === 'integer' ? 'number' : spec.type)) {
        throw badRequest(`invalid value type for ${key}`)
      }
      switch (key) {
        case 'auth_mode':
          if (!(AUTH_MODES as readonly string[]).includes(value as string)) throw badRequest(`invalid ${key}: ${value}`)
          if (!authModeEditable && value !== this.values.get(key)) {
            throw badRequest('the auth mode cannot be modified as new users have been inserted into database')
          }
          break
        case 'project_creation_restriction':
          if (value !== 'everyone' && value !== 'adminonly') throw badRequest(`invalid ${key}: ${value}`)
          break
        case 'token_expiration':
        case 'robot_token_duration':
        case 'session_timeout':
          if ((value as number) <= 0) throw badRequest(`the ${key} should be greater than 0`)
          break
        case 'robot_name_prefix':
          value = (value as string).trim()
          if (value === '') throw badRequest('robot_name_prefix cannot be empty')
          break
        case 'storage_per_project': {
          const limit = value as number
          if (limit !== -1 && (limit <= 0 || limit > MAX_STORAGE_LIMIT)) {
            throw badRequest(`storage per project should be -1 or between 1 and ${MAX_STORAGE_LIMIT}`)
          }
          break
        }
      }
      changes.set(key, value)
    }
    for (const [key, value] of changes) this.values.set(key, value)
  }
}
