/**
 * The physical limits of Harbor's API for what the benchmark asks of it, from what the emulators
 * hold (their census) rather than from what hrep did:
 *
 * - a full read needs every list page of 100 (projects, project quotas, robots, user groups) plus
 *   one member list per project, which Harbor forces (there is no list of all memberships);
 *   `GET /robots?q=Level=system` lists project robots too (Harbor's `ListRobot` fixes `ProjectID=0`
 *   only when `Level` is absent), so robots need no per-project lists;
 * - creating needs one POST per object, plus the follow-up Harbor forces: a robot's chosen secret
 *   can only be set by a PATCH after the create.
 *
 * Time: requests × latency / concurrency, where concurrency is the endpoints' parallelism summed.
 */
import type {Census} from './emulator-process.js'

export const PAGE = 100

const pages = (items: number) => Math.max(1, Math.ceil(items / PAGE))

/** The fewest requests of a full read of one endpoint. */
export function fullReadRequests(census: Census): number {
  return (
    pages(census.projects) +
    pages(census.quotas) +
    pages(census.systemRobots + census.projectRobots) +
    pages(census.groups) +
    census.membersPerProject.reduce((sum, members) => sum + pages(members), 0)
  )
}

/**
 * The same read through the documented filters only: system robots paged, then one robot list per
 * project (`q=Level=project,ProjectID=<id>`). Shown for comparison; hrep uses the cheaper list.
 */
export function documentedReadRequests(census: Census): number {
  return (
    fullReadRequests(census) - pages(census.systemRobots + census.projectRobots) + pages(census.systemRobots) + census.projects
  )
}

/** The fewest requests that turn `before` into `after` on one endpoint by creating objects. */
export function createRequests(before: Census, after: Census): number {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
  const robots = after.systemRobots + after.projectRobots - before.systemRobots - before.projectRobots
  return (
    after.projects -
    before.projects +
    after.groups -
    before.groups +
    // POST, then PATCH of the secret.
    robots * 2 +
    sum(after.membersPerProject) -
    sum(before.membersPerProject) -
    // A new project's creator membership comes with the project.
    (after.projects - before.projects)
  )
}

/** Lower-bound time in ms of `requests` spread over `concurrency` connections, each answer taking `latencyMs`. */
export function lowerBoundMs(requests: number, latencyMs: number, concurrency: number): number {
  return (requests * latencyMs) / concurrency
}
