/**
 * The benchmark's configuration: how many objects each scale declares per endpoint, and the HCL
 * that declares them, written the way an operator with thousands of objects would keep a generated
 * configuration: one block per object, references between them (`project = project.p000001`), no
 * `for_each`. Every object goes to every endpoint.
 */

export const SCALES = ['small', 'default', 'large'] as const
export type ScaleName = (typeof SCALES)[number]

/** Objects declared per endpoint. */
export interface ScaleSize {
  projects: number
  /** Project-level robots, spread round-robin over the projects. */
  projectRobots: number
  systemRobots: number
  groups: number
  /** Group memberships, spread evenly over the projects (each project gets distinct groups). */
  members: number
}

/** Per endpoint. `default` is issue 10's figure; `small` a tenth of it; `large` five times it. */
export const SCALE_SIZES: Readonly<Record<ScaleName, ScaleSize>> = {
  small: {projects: 100, projectRobots: 250, systemRobots: 250, groups: 50, members: 1_000},
  default: {projects: 1_000, projectRobots: 2_500, systemRobots: 2_500, groups: 500, members: 10_000},
  large: {projects: 5_000, projectRobots: 12_500, systemRobots: 12_500, groups: 2_500, members: 50_000},
}

/** Objects declared per endpoint, all kinds together. */
export function objectCount(size: ScaleSize): number {
  return size.projects + size.projectRobots + size.systemRobots + size.groups + size.members
}

/**
 * Where robot secrets come from: `output` (hrep generates them and writes them to `secret_output`),
 * `show` (hrep generates them and prints them once, `--show-secrets`), `declared` (each robot
 * declares its own, so every plan checks 5,000 fingerprints).
 */
export const SECRET_MODES = ['output', 'show', 'declared'] as const
export type SecretMode = (typeof SECRET_MODES)[number]

/** The value of `var.robot_secret` in `declared` mode (each robot appends its number). */
export const ROBOT_SECRET_BASE = 'Bench-Secret-'

const ROLES = ['developer', 'guest', 'maintainer', 'limitedGuest', 'projectAdmin'] as const

const pad = (n: number) => String(n).padStart(6, '0')

/** The HCL files of the configuration (file name → text), endpoints excluded. */
export function resourcesHcl(size: ScaleSize, secrets: SecretMode = 'output'): Record<string, string> {
  const secret = (n: string) => (secrets === 'declared' ? [`  secret      = "\${var.robot_secret}${n}"`] : [])
  if (size.members > size.projects * size.groups) throw new Error('more memberships than project × group pairs')
  const projects: string[] = []
  for (let i = 1; i <= size.projects; i++) {
    projects.push(
      `project "p${pad(i)}" {`,
      `  name      = "bench-p-${pad(i)}"`,
      `  public    = ${i % 10 === 0}`,
      `  auto_scan = ${i % 3 === 0}`,
      ...(i % 4 === 0 ? ['  severity  = "high"'] : []),
      '}',
      '',
    )
  }
  const groups: string[] = []
  for (let i = 1; i <= size.groups; i++) groups.push(`oidc_group "g${pad(i)}" {`, `  name = "bench-g-${pad(i)}"`, '}', '')
  const robots: string[] = []
  for (let i = 1; i <= size.projectRobots; i++) {
    const project = ((i - 1) % size.projects) + 1
    robots.push(
      `robot "r${pad(i)}" {`,
      `  name        = "r-${pad(i)}"`,
      `  project     = project.p${pad(project)}`,
      `  description = "CI robot ${i} of project ${project}"`,
      ...secret(`r${pad(i)}`),
      '  permission {',
      `    access = [${i % 2 === 0 ? '"repository:pull", "repository:push"' : '"repository:pull"'}]`,
      '  }',
      '}',
      '',
    )
  }
  for (let i = 1; i <= size.systemRobots; i++) {
    const project = ((i * 7 - 1) % size.projects) + 1
    robots.push(
      `robot "s${pad(i)}" {`,
      `  name        = "s-${pad(i)}"`,
      ...secret(`s${pad(i)}`),
      '  permission {',
      '    namespace = "*"',
      '    access    = ["repository:pull"]',
      '  }',
      // Every other system robot may also push to one project: a dependency the apply must order.
      ...(i % 2 === 0
        ? ['  permission {', `    namespace = project.p${pad(project)}`, '    access    = ["repository:push"]', '  }']
        : []),
      '}',
      '',
    )
  }
  const members: string[] = []
  for (let i = 0; i < size.members; i++) {
    const p = i % size.projects
    const g = (Math.floor(i / size.projects) + p) % size.groups
    members.push(
      `project_member "m${pad(i + 1)}" {`,
      `  project = project.p${pad(p + 1)}`,
      `  group   = oidc_group.g${pad(g + 1)}`,
      `  role    = "${ROLES[i % ROLES.length]}"`,
      '}',
      '',
    )
  }
  return {
    'projects.hcl': projects.join('\n'),
    'groups.hcl': groups.join('\n'),
    'robots.hcl': robots.join('\n'),
    'members.hcl': members.join('\n'),
  }
}

/** The `hrep` block and one endpoint block per emulator (and `var.robot_secret` for declared secrets). */
export function endpointsHcl(
  urls: readonly string[],
  username: string,
  password: string,
  secrets: SecretMode = 'output',
): string {
  const lines = ['hrep {', ...(secrets === 'output' ? ['  secret_output = "robot-secrets.json"'] : []), '}', '']
  if (secrets === 'declared') lines.push('variable "robot_secret" {', '  sensitive = true', '}', '')
  urls.forEach((url, index) => {
    lines.push(
      `endpoint "${endpointName(index)}" {`,
      `  url      = "${url}"`,
      `  username = "${username}"`,
      `  password = "${password}"`,
      '}',
      '',
    )
  })
  return lines.join('\n')
}

/** The endpoint names the configuration uses: h1, h2, ... */
export function endpointName(index: number): string {
  return `h${index + 1}`
}
