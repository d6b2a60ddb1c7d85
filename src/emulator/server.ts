/**
 * The emulator's HTTP server (node:http) and the handle that drives it. A request passes the
 * stages of Harbor's middleware chain in order: request id → faults (a proxy in front of Harbor) →
 * session cookie → CSRF → authentication (anonymous fallback, login lock) → read-only → routing
 * (404/405) → go-swagger binding and validation (400/415/422) → handler → reply, then the spec check
 * of the response (when on), the request log and the per-route counters.
 */
import {randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {Socket} from 'node:net'
import {performance} from 'node:perf_hooks'
import {authenticate, LoginLock} from './auth.js'
import {Configuration, type ConfigValue} from './config.js'
import type {EmulatorState, RequestContext} from './context.js'
import {ApiError} from './errors.js'
import {type FaultDecision, FaultInjector} from './faults.js'
import type {EmulatorHandle, FaultControl, RequestLogEntry} from './handle.js'
import {normalizeRegistryUrl} from './handlers/registries.js'
import {type EmulatorOptions, resolveOptions} from './options.js'
import type {Caller} from './rbac.js'
import {createRng} from './rng.js'
import {Router} from './routes.js'
import {cookies, errorReply, jsonReply, type Prepared, proxyError, readBody, sleep} from './responses.js'
import {dumpState, loadSeed, readSeedFile, type SeedData, type SeedMember} from './seed.js'
import {bindBody, bindParams, checkResponse, contract} from './spec/contract.js'
import {recordSuiteViolation, type SpecViolation, suiteSpecCheckEnabled} from './spec/registry.js'
import {now, Store} from './store.js'

/** The API base path. */
export const API_BASE = '/api/v2.0'

/** A header a test sets on a request it sends with a body that breaks the spec on purpose. */
export const EXPECT_INVALID_HEADER = 'x-hrep-expect-invalid'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

/** Starts an emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const resolved = resolveOptions(options, suiteSpecCheckEnabled())
  const initialSeed: SeedData | undefined = typeof options.seed === 'string' ? readSeedFile(options.seed) : options.seed
  const router = new Router()
  const spec = contract()
  const lock = new LoginLock()
  const sessions = new Map<string, string>()
  const hungSockets = new Set<Socket>()
  const violations: SpecViolation[] = []
  let log: RequestLogEntry[] = []

  const initialConfig = (): Record<string, ConfigValue> => ({
    ...(options.robotNamePrefix ? {robot_name_prefix: options.robotNamePrefix} : {}),
    ...(options.authMode ? {auth_mode: options.authMode} : {}),
    ...(options.readOnly ? {read_only: true} : {}),
    ...(options.config ?? {}),
  })

  const freshState = (): EmulatorState => {
    const store = new Store()
    const time = now()
    store.addUser({
      id: store.nextId('user'),
      username: 'admin',
      email: 'admin@example.com',
      realname: 'system admin',
      comment: 'admin user',
      password: resolved.adminPassword,
      sysadmin: true,
      creationTime: time,
      updateTime: time,
    })
    const state: EmulatorState = {
      store,
      config: new Configuration(initialConfig()),
      rng: createRng(resolved.randomSeed),
      options: resolved,
      unhealthy: new Set(),
    }
    if (initialSeed) loadSeed(state, initialSeed)
    // The options win over the seed's configuration.
    state.config.setRaw(initialConfig())
    return state
  }

  let state = freshState()
  let faults = new FaultInjector(createRng(resolved.randomSeed ^ 0x5eed5eed), options.faults ?? [])

  const record = (violation: SpecViolation): void => {
    violations.push(violation)
    if (resolved.specCheck) recordSuiteViolation(violation)
  }

  const send = (res: ServerResponse, prepared: Prepared): void => {
    const headers = {...prepared.headers, 'content-length': String(prepared.body.length)}
    res.writeHead(prepared.status, headers)
    res.end(prepared.body)
  }

  const resetConnection = (res: ServerResponse): void => {
    const socket = res.socket
    res.writeHead(200, {'content-type': 'application/json', 'content-length': '4096'})
    res.write('{"errors":[{"code":', () => {
      if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
      else socket?.destroy()
    })
  }

  /** The stages after faults: session, CSRF, auth, read-only, routing, binding, handler. */
  const runStages = async (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    rawPath: string,
    apiPath: string | undefined,
    query: URLSearchParams,
    match: ReturnType<Router['match']> | undefined,
  ): Promise<{prepared: Prepared; caller: Caller; operation?: string}> => {
    let caller: Caller = {kind: 'anonymous'}
    const jar = cookies(req.headers.cookie)
    const sid = jar.get('sid')
    if (resolved.sessionCookies) {
      let session = sid
      if (!session || !sessions.has(session)) {
        session = randomUUID().replace(/-/g, '')
        sessions.set(session, randomUUID())
        res.setHeader('set-cookie', `sid=${session}; Path=/; HttpOnly`)
      }
      res.setHeader('x-harbor-csrf-token', sessions.get(session)!)
    }
    try {
      // CSRF is skipped for /api/ paths unless the request carries a session cookie.
      if (sid !== undefined && !SAFE_METHODS.has(method) && rawPath.startsWith('/api/')) {
        const token = req.headers['x-harbor-csrf-token']
        if (typeof token !== 'string' || sessions.get(sid) !== token) throw new ApiError('FORBIDDEN', 'CSRF token invalid')
      }
      const auth = authenticate(state, lock, req.headers.authorization)
      caller = auth.caller
      if (auth.delayMs > 0) await sleep(auth.delayMs)
      const body = await readBody(req)
      if (
        state.config.bool('read_only') &&
        ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) &&
        !(method === 'PUT' && apiPath === '/configurations')
      ) {
        throw new ApiError('DENIED', 'The system is in read only mode. Any modification is prohibited.')
      }
      if (rawPath === '/api/version' && method === 'GET') {
        return {prepared: jsonReply({status: 200, json: {version: 'v2.0'}}), caller}
      }
      if (!match || match.kind === 'none') throw new ApiError('NOT_FOUND', `path ${rawPath} was not found`)
      if (match.kind === 'method') {
        throw new ApiError('METHOD_NOT_ALLOWED', `method ${method} is not allowed, but [${match.allowed.join(',')}] are`)
      }
      const operation = spec.operation(match.route.operation)
      if (!operation) throw new ApiError('UNKNOWN', `operation ${match.route.operation} missing from the contract`)
      let bound: ReturnType<typeof bindBody>
      let values: Record<string, unknown>
      try {
        values = bindParams(operation, {path: match.params, query, header: (name) => header(req, name)})
        bound = bindBody(spec, operation, body, req.headers['content-type'])
      } catch (error) {
        if (error instanceof ApiError) error.fromValidation = true
        throw error
      }
      if (bound.lenient.length > 0 && !req.headers[EXPECT_INVALID_HEADER]) {
        record({
          kind: 'request',
          operation: operation.id,
          method,
          path: req.url ?? rawPath,
          status: 0,
          message: `null where the spec does not allow it: ${bound.lenient.join('; ')}`,
        })
      }
      const ctx: RequestContext = {
        method,
        path: apiPath!,
        fullPath: rawPath,
        query,
        params: match.params,
        values,
        body: bound.body,
        header: (name) => header(req, name),
        caller,
        state,
      }
      const reply = match.route.handler(ctx)
      return {prepared: jsonReply(reply), caller, operation: operation.id}
    } catch (error) {
      if (error instanceof ApiError) {
        const routed = match?.kind === 'found'
        const offSpec = error.fromValidation || (!routed && (error.status === 404 || error.status === 405))
        if (offSpec && !req.headers[EXPECT_INVALID_HEADER]) {
          record({
            kind: 'request',
            operation: routed ? match.route.operation : undefined,
            method,
            path: req.url ?? rawPath,
            status: error.status,
            message: error.message,
          })
        }
        return {prepared: errorReply(error), caller, operation: match?.kind === 'found' ? match.route.operation : undefined}
      }
      // A bug in a handler: answer as Harbor does for an unexpected error, and say so on stderr.
      process_stderr(`emulator: ${method} ${rawPath}: ${(error as Error).stack ?? error}`)
      return {prepared: errorReply(new ApiError('UNKNOWN', String(error))), caller}
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now()
    const method = (req.method ?? 'GET').toUpperCase()
    const url = req.url ?? '/'
    const mark = url.indexOf('?')
    // Harbor's mergeslash middleware collapses repeated slashes.
    const rawPath = (mark < 0 ? url : url.slice(0, mark)).replace(/\/{2,}/g, '/')
    const search = mark < 0 ? '' : url.slice(mark + 1)
    const query = new URLSearchParams(search)
    const requestId =
      typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'] ? req.headers['x-request-id'] : randomUUID()
    res.setHeader('x-request-id', requestId)
    let apiPath: string | undefined
    let match: ReturnType<Router['match']> | undefined
    let routeKey: string
    if (rawPath === API_BASE || rawPath.startsWith(`${API_BASE}/`)) {
      apiPath = rawPath.slice(API_BASE.length) || '/'
      match = router.match(method, apiPath)
      routeKey =
        match.kind === 'found'
          ? `${method} ${match.route.template}`
          : match.kind === 'method'
            ? `${method} ${match.template}`
            : `${method} ${apiPath}`
    } else routeKey = `${method} ${rawPath}`
    const decision: FaultDecision = faults.decide(method, apiPath ?? rawPath, routeKey)
    const faulted =
      decision.status !== undefined || decision.reset === true || decision.hang === true || decision.afterHandler !== undefined
    const finish = (status: RequestLogEntry['status'], caller: Caller): void => {
      faults.finish(routeKey, status)
      const entry: RequestLogEntry = {
        method,
        path: rawPath,
        query: search,
        status,
        ms: performance.now() - started,
        requestId,
        route: routeKey,
        caller:
          caller.kind === 'user'
            ? caller.user.username
            : caller.kind === 'robot'
              ? `${state.config.string('robot_name_prefix')}${caller.robot.name}`
              : 'anonymous',
        faulted,
      }
      log.push(entry)
      options.onRequest?.(entry)
      if (log.length > resolved.requestLogLimit * 2) log = log.slice(-resolved.requestLogLimit)
    }
    const anonymous: Caller = {kind: 'anonymous'}
    const delay = resolved.latencyMs + decision.delayMs
    if (delay > 0) await sleep(delay)
    if (decision.hang) {
      if (req.socket) {
        hungSockets.add(req.socket)
        req.socket.once('close', () => hungSockets.delete(req.socket))
      }
      finish('hang', anonymous)
      return
    }
    if (decision.reset) {
      resetConnection(res)
      finish('reset', anonymous)
      return
    }
    if (decision.status !== undefined) {
      req.resume()
      send(res, proxyError(decision.status, decision.retryAfter))
      finish(decision.status, anonymous)
      return
    }
    const {prepared, caller, operation} = await runStages(req, res, method, rawPath, apiPath, query, match)
    if (decision.afterHandler === 'reset') {
      resetConnection(res)
      finish('reset', caller)
      return
    }
    if (decision.afterHandler !== undefined) {
      send(res, proxyError(decision.afterHandler))
      finish(decision.afterHandler, caller)
      return
    }
    if (resolved.specCheck && operation) {
      const op = spec.operation(operation)!
      // Check what was serialised, not the object: JSON drops undefined and the client sees only the text.
      const text = prepared.body.toString('utf8')
      const parsed = prepared.headers['content-type']?.startsWith('application/json') ? JSON.parse(text) : text
      const problems = checkResponse(spec, op, prepared.status, parsed, prepared.hasBody, prepared.headers)
      if (problems.length > 0) {
        record({kind: 'response', operation, method, path: url, status: prepared.status, message: problems.join('; ')})
      }
    }
    send(res, prepared)
    finish(prepared.status, caller)
  }

  const server: Server = createServer({keepAliveTimeout: 5000}, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      process_stderr(`emulator: ${(error as Error).stack ?? error}`)
      if (!res.headersSent) send(res, errorReply(new ApiError('UNKNOWN', String(error))))
      else res.destroy()
    })
  })
  const openSockets = new Set<Socket>()
  server.on('connection', (socket) => {
    openSockets.add(socket)
    socket.once('close', () => openSockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : resolved.port
  const host = resolved.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  resolved.port = port
  state.externalUrl = url

  const faultControl: FaultControl = {
    add: (rule) => faults.add(rule),
    remove: (id) => faults.remove(id),
    clear: () => faults.clear(),
    rules: () => faults.rules(),
    counters: () => faults.counters(),
    resetCounters: () => faults.resetCounters(),
  }

  const emulator: EmulatorHandle = {
    url,
    host,
    port,
    username: 'admin',
    password: resolved.adminPassword,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of hungSockets) socket.destroy()
        server.close(() => resolve())
        for (const socket of openSockets) socket.destroy()
      }),
    dump: () => dumpState(state),
    projects: () => dumpState(state).projects ?? [],
    robots: () => dumpState(state).robots ?? [],
    groups: () => dumpState(state).groups ?? [],
    members: (project) => {
      const id = state.store.projectByName.get(project)
      const out: SeedMember[] = []
      for (const member of state.store.membersByProject.get(id ?? -1)?.values() ?? []) {
        const name =
          member.entityType === 'u'
            ? state.store.users.get(member.entityId)?.username
            : state.store.groups.get(member.entityId)?.name
        if (name !== undefined)
          out.push(member.entityType === 'u' ? {user: name, role: member.roleId} : {group: name, role: member.roleId})
      }
      return out
    },
    seed: (data) => loadSeed(state, data),
    reset: () => {
      state = freshState()
      state.externalUrl = url
      faults = new FaultInjector(createRng(resolved.randomSeed ^ 0x5eed5eed), options.faults ?? [])
      log = []
      violations.length = 0
      sessions.clear()
    },
    get requests() {
      return log
    },
    clearRequests: () => {
      log = []
    },
    get faults() {
      return faultControl
    },
    stats: () => faults.counters(),
    setConfig: (values) => state.config.setRaw(values),
    config: () => state.config.snapshot(),
    setRepoCount: (project, count) => {
      const id = state.store.projectByName.get(project)
      if (id === undefined) throw new Error(`no project named ${project}`)
      state.store.projects.get(id)!.repoCount = count
    },
    setHealth: (component, healthy) => {
      if (healthy) state.unhealthy!.delete(component)
      else state.unhealthy!.add(component)
    },
    setRegistryHealth: (registryUrl, healthy) => {
      state.registryHealth ??= new Map()
      state.registryHealth.set(normalizeRegistryUrl(registryUrl), healthy)
    },
    specViolations: () => [...violations],
    clearSpecViolations: () => {
      violations.length = 0
    },
  }
  return emulator
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

function process_stderr(text: string): void {
  globalThis.process.stderr.write(`${text}\n`)
}
