/**
 * The suite-wide switch for spec checking, kept apart from the validator so that importing it costs
 * nothing: `test/setup.ts` turns it on for every emulator started in the test process and, after each
 * test file, fails the file if any emulator recorded a violation. The state lives on `globalThis`, so
 * two copies of this module (sources and dist) still share it.
 */

/** A request or response that does not conform to Harbor's spec (the extract in test/contract). */
export interface SpecViolation {
  /** `request`: the caller sent something the spec does not allow; `response`: the emulator answered off-spec. */
  kind: 'request' | 'response'
  /** Harbor's operationId, when the route is known. */
  operation?: string
  method: string
  /** Path and query as received. */
  path: string
  status: number
  /** What is wrong, in the validator's words. */
  message: string
}

interface SuiteSpecState {
  enabled: boolean
  violations: SpecViolation[]
}

const KEY = Symbol.for('hrep.emulator.specCheck')

function state(): SuiteSpecState {
  const holder = globalThis as unknown as Record<symbol, SuiteSpecState | undefined>
  let current = holder[KEY]
  if (!current) {
    current = {enabled: false, violations: []}
    holder[KEY] = current
  }
  return current
}

/** Turns spec checking on for every emulator started from now on in this process (the test suite). */
export function enableSuiteSpecCheck(): void {
  state().enabled = true
}

/** Whether the suite switch is on (also on with HREP_EMULATOR_SPEC_CHECK=1). */
export function suiteSpecCheckEnabled(): boolean {
  return state().enabled || process.env.HREP_EMULATOR_SPEC_CHECK === '1'
}

/** Records a violation for the suite-wide check (called by emulators with spec checking on). */
export function recordSuiteViolation(violation: SpecViolation): void {
  state().violations.push(violation)
}

/** Returns and forgets the violations recorded so far. */
export function takeSuiteViolations(): SpecViolation[] {
  const current = state()
  const out = current.violations
  current.violations = []
  return out
}

/** One line per violation, for a test failure message. */
export function formatViolations(violations: readonly SpecViolation[]): string {
  return violations
    .map((v) => `${v.kind} ${v.method} ${v.path} → ${v.status}${v.operation ? ` (${v.operation})` : ''}: ${v.message}`)
    .join('\n')
}
