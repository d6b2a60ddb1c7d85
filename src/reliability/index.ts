/** The reliability layer: what the Harbor client runs every request through. */
export {backoffDelay, parseRetryAfter} from './backoff.js'
export {BREAKER_STATES, type BreakerState, EndpointBreaker} from './breaker.js'
export {type Clock, sleep, systemClock} from './clock.js'
export {
  type BreakerSettings,
  DEFAULT_BREAKER,
  DEFAULT_RELIABILITY,
  DEFAULT_RETRY_BUDGET,
  LOCKOUT_RETRY_DELAY_MS,
  PAGE_SIZE,
  type RetryBudgetSettings,
} from './defaults.js'
export {
  type AttemptResult,
  EndpointReliability,
  type Operation,
  type ReliabilityOptions,
  type ReliabilityStats,
  type SendAttempt,
} from './endpoint-reliability.js'
export {
  classifyStatus,
  ERROR_CLASSES,
  EndpointUnavailableError,
  HarborError,
  type HarborErrorFacts,
  isHarborError,
} from './errors.js'
export {TokenBucket} from './rate-limiter.js'
export {RetryBudget} from './retry-budget.js'
export {type AttemptHistory, decideRetry, type RetryVerdict} from './retry-policy.js'
