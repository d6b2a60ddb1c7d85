/** The Harbor client: one per endpoint, every request through the reliability layer. */
export {type ClientOptions, createClient} from './harbor-client.js'
export {paginate, type PageOptions} from './paginate.js'
export {buildQueryString, encodeQ} from './query.js'
export {redact, serializeBody} from './redact.js'
export {routeTemplate} from './route.js'
export {DEFAULT_ROBOT_PREFIX, discoverServerInfo, MINIMUM_HARBOR, parseHarborVersion} from './server-info.js'
export type {ClientStats, HarborClient, HarborResponse, HttpMethod, RequestOptions, ServerInfo} from './types.js'
export {EndpointUnavailableError, HarborError, isHarborError} from '../reliability/errors.js'
