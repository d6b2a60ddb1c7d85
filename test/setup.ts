/**
 * Runs before every test file. Turns on the Harbor spec check for every emulator the file starts, and
 * fails the file if any of them saw a request that breaks Harbor's spec or sent a response that does.
 * A test that sends an off-spec request on purpose marks it with the `X-Hrep-Expect-Invalid: 1` header,
 * or takes the expected violations with `handle.clearSpecViolations()` and `takeSuiteViolations()`.
 */
import {afterAll} from 'vitest'
import {enableSuiteSpecCheck, formatViolations, takeSuiteViolations} from '../src/emulator/spec/registry.js'

enableSuiteSpecCheck()

afterAll(() => {
  const violations = takeSuiteViolations()
  if (violations.length > 0) {
    throw new Error(`Harbor spec violations seen by the emulator in this file:\n${formatViolations(violations)}`)
  }
})
