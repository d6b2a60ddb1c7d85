/**
 * The Grafana dashboard and the Prometheus alert rules in docs/monitoring use only metrics hrep
 * registers (and label names those metrics have), and docs/monitoring/README.md describes every
 * metric with its labels. Compared against what SyncMetrics actually registers, so renaming a metric
 * without updating the dashboard, the alerts or the docs fails here.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {SyncMetrics} from '../../src/daemon/metrics.js'
import {repoRoot} from '../helpers/cli.js'

const dir = join(repoRoot, 'docs/monitoring')

/** Prometheus's own series (`up` per scrape target): allowed in alerts though hrep does not export it. */
const PROMETHEUS_SERIES: Record<string, string[]> = {up: []}
/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance']
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count']
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
])

/** Metric names and label names referenced by a PromQL expression. */
function references(expr: string): {metrics: {name: string; labels: string[]}[]; grouping: string[]} {
  const metrics: {name: string; labels: string[]}[] = []
  const grouping: string[] = []
  // Strings and range selectors first: they hold words (`$job`, durations) that are not metrics.
  let rest = expr.replace(/\[[^\]]*\]/g, ' ')
  rest = rest.replace(/\b(by|without|on|ignoring)\s*\(([^)]*)\)/g, (_, _keyword: string, labels: string) => {
    grouping.push(
      ...labels
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean),
    )
    return ' '
  })
  const selector = /([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g
  rest = rest.replace(selector, (_, name: string | undefined, matchers: string) => {
    const labels = [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1]!)
    if (name !== undefined) metrics.push({name, labels})
    return ' '
  })
  rest = rest.replace(/"(?:[^"\\]|\\.)*"/g, ' ')
  for (const match of rest.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)) {
    if (match[2] !== undefined || KEYWORDS.has(match[1]!) || /^\d/.test(match[1]!)) continue
    metrics.push({name: match[1]!, labels: []})
  }
  return {metrics, grouping}
}

let registered: Map<string, string[]>

beforeAll(async () => {
  const metrics = new SyncMetrics({intervalMs: 600_000})
  registered = new Map()
  for (const name of await metrics.metricNames()) {
    const metric = metrics.registry.getSingleMetric(name) as unknown as {labelNames?: string[]}
    registered.set(name, metric.labelNames ?? [])
  }
})

/** The labels of a referenced series name, or undefined when hrep does not export it. */
function labelsOf(name: string): string[] | undefined {
  if (registered.has(name)) return registered.get(name)
  for (const suffix of HISTOGRAM_SUFFIXES) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined
    if (base !== undefined && registered.has(base)) return [...registered.get(base)!, ...(suffix === '_bucket' ? ['le'] : [])]
  }
  return PROMETHEUS_SERIES[name]
}

function checkExpressions(where: string, expressions: string[]): void {
  expect(expressions.length, `${where} has expressions`).toBeGreaterThan(0)
  for (const expr of expressions) {
    const {metrics, grouping} = references(expr)
    expect(metrics.length, `${where}: no metric found in ${expr}`).toBeGreaterThan(0)
    const known = new Set(TARGET_LABELS)
    for (const {name, labels} of metrics) {
      const have = labelsOf(name)
      expect(have, `${where}: ${name} is not a metric hrep exports (in ${expr})`).toBeDefined()
      for (const label of labels) {
        expect([...have!, ...TARGET_LABELS], `${where}: ${name} has no label "${label}"`).toContain(label)
      }
      for (const label of have!) known.add(label)
    }
    for (const label of grouping) expect([...known], `${where}: no metric in ${expr} has label "${label}"`).toContain(label)
  }
}

describe('docs/monitoring', () => {
  it('the Grafana dashboard queries only metrics and labels hrep exports', () => {
    const dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8')) as {
      uid: string
      panels: {id: number; type: string; title: string; targets?: {expr: string; refId: string}[]}[]
      templating: {list: {name: string; query: unknown}[]}
    }
    expect(dashboard.uid).toBe('hrep-sync')
    const ids = dashboard.panels.map((panel) => panel.id)
    expect(new Set(ids).size).toBe(ids.length)
    const queried = dashboard.panels.filter((panel) => panel.type !== 'row')
    for (const panel of queried) expect(panel.targets?.length, `panel "${panel.title}" has queries`).toBeGreaterThan(0)
    const expressions = queried.flatMap((panel) => panel.targets!.map((target) => target.expr))
    checkExpressions('grafana-dashboard.json', expressions)
    const variables = dashboard.templating.list
      .map((variable) => (variable.query as {query?: string})?.query)
      .filter((query): query is string => typeof query === 'string')
      .map((query) => query.replace(/^label_values\((.*),\s*\w+\)$/, '$1'))
    checkExpressions('grafana-dashboard.json variables', variables)
    // The panels the issue asks for.
    const titles = queried.map((panel) => panel.title.toLowerCase()).join('\n')
    for (const topic of [
      'success rate',
      'by operation',
      'errors by class',
      'duration',
      'circuit breaker',
      'drift',
      'since last success',
    ]) {
      expect(titles).toContain(topic)
    }
  })

  it('the Prometheus alert rules use only metrics and labels hrep exports, each with severity and text', () => {
    const rules = parse(readFileSync(join(dir, 'alerts.yaml'), 'utf8')) as {
      groups: {
        name: string
        rules: {alert: string; expr: string; for?: string; labels: {severity: string}; annotations: Record<string, string>}[]
      }[]
    }
    const all = rules.groups.flatMap((group) => group.rules)
    for (const rule of all) {
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity)
      expect(rule.annotations.summary, rule.alert).toBeTruthy()
      expect(rule.annotations.description, rule.alert).toBeTruthy()
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smhd]$/)
    }
    checkExpressions(
      'alerts.yaml',
      all.map((rule) => rule.expr),
    )
    const names = all.map((rule) => rule.alert)
    for (const required of ['HrepSyncFailing', 'HrepSyncNoRecentSuccess', 'HrepCircuitBreakerOpen', 'HrepDriftPersisting']) {
      expect(names).toContain(required)
    }
  })

  it('README.md describes every metric hrep registers, with each of its labels', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    for (const [name, labels] of registered) {
      if (!name.startsWith('harbor_replicator_')) continue
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``))
      expect(row, `README.md has a row for ${name}`).toBeDefined()
      for (const label of labels) expect(row, `${name}'s row names label ${label}`).toContain(`\`${label}\``)
    }
    // And the other way round: no row for a metric hrep no longer registers.
    const rows = readme
      .split('\n')
      .map((line) => /^\| `(harbor_replicator_[a-z_]+)`/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
    expect(rows.length).toBeGreaterThan(0)
    for (const name of rows) expect(registered.has(name), `${name} in README.md is registered`).toBe(true)
  })

  it('finds metrics and labels in PromQL the way Prometheus reads it', () => {
    expect(
      references(
        'histogram_quantile(0.95, sum by (le, endpoint) (rate(a_bucket{job=~"$job", x="1"}[5m]))) / on(instance) b > 0 unless up',
      ),
    ).toEqual({
      metrics: [
        {name: 'a_bucket', labels: ['job', 'x']},
        {name: 'b', labels: []},
        {name: 'up', labels: []},
      ],
      grouping: ['le', 'endpoint', 'instance'],
    })
  })
})
