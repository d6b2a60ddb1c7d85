/**
 * The route template of a request path, for metrics and spans: `/projects/team/members/12` becomes
 * `/projects/{project}/members/{id}`. Names and ids never become label values, so the number of distinct
 * routes stays small however many objects an endpoint holds.
 */

/** Collections whose next path segment is a name (or a name-or-id), and the placeholder for it. */
const NAMED_SEGMENTS: Record<string, string> = {
  projects: '{project}',
  metadatas: '{meta_name}',
  repositories: '{repository}',
  artifacts: '{reference}',
  tags: '{tag}',
}

const DIGITS = /^\d+$/

export function routeTemplate(path: string): string {
  const segments = path.split('/')
  for (let i = 1; i < segments.length; i++) {
    const placeholder = NAMED_SEGMENTS[segments[i - 1]!]
    if (placeholder !== undefined && segments[i] !== '') segments[i] = placeholder
    else if (DIGITS.test(segments[i]!)) segments[i] = '{id}'
  }
  return segments.join('/')
}
