/** Every behaviour scenario, in the order the table prints them. */
import type {Scenario} from '../scenario.js'
import {apiScenarios} from './api.js'
import {authScenarios} from './auth.js'
import {groupScenarios} from './groups.js'
import {policyScenarios} from './policies.js'
import {projectScenarios} from './projects.js'
import {robotScenarios} from './robots.js'
import {systemScenarios} from './system.js'

export const scenarios: Scenario[] = [
  ...authScenarios,
  ...apiScenarios,
  ...projectScenarios,
  ...robotScenarios,
  ...groupScenarios,
  ...policyScenarios,
  ...systemScenarios,
]
