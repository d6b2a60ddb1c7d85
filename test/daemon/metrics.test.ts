/** The metrics: what events and cycle reports do to them, and that no label ever carries a name. */
import {describe, expect, it} from 'vitest'
import {SyncMetrics} from '../../src/daemon/metrics.js'
import {MetricsEventSink} from '../../src/daemon/metrics-events.js'
import {metricSum, seriesValues} from './sync-process.js'
import {change, report} from './fixtures.js'

const text = async (metrics: SyncMetrics) => (await metrics.exposition()).body

describe('MetricsEventSink', () => {
  it('counts changes, times them (failed ones too), and records HTTP, retries, give-ups and reads', async () => {
    const metrics = new SyncMetrics({intervalMs: 600_000, processMetrics: false})
    let now = 0
    const sink = new MetricsEventSink(metrics, () => now)
    const robot = change('robot.ci', 'dr')
    const project = change('project.team["payments"]', 'primary', {action: 'update'})
    const adopted = change('oidc_group.devs', 'dr', {action: 'noop', importing: true})
    sink.emit({type: 'change.start', change: robot})
    sink.emit({type: 'change.done', change: robot, id: '7', ms: 250})
    sink.emit({type: 'change.done', change: adopted, ms: 10})
    sink.emit({type: 'change.start', change: project})
    now = 1500
    sink.emit({type: 'change.failed', change: project, message: 'boom', errorClass: 'invalid'})
    sink.emit({type: 'http.request', endpoint: 'dr', method: 'POST', route: '/robots', status: 201, ms: 40})
    sink.emit({type: 'http.request', endpoint: 'dr', method: 'GET', route: '/projects', status: 'error', ms: 3})
    sink.emit({
      type: 'retry',
      endpoint: 'dr',
      method: 'GET',
      path: '/projects',
      attempt: 1,
      delayMs: 200,
      errorClass: 'transient',
    })
    sink.emit({
      type: 'giveup',
      endpoint: 'dr',
      method: 'GET',
      path: '/projects',
      attempts: 5,
      errorClass: 'transient',
      reason: 'budget',
    })
    sink.emit({type: 'refresh.done', endpoint: 'primary', objects: 10, ms: 2000})
    sink.emit({type: 'refresh.failed', endpoint: 'dr', message: 'down', errorClass: 'transient'})
    sink.emit({type: 'refresh.failed', endpoint: 'dr', message: 'not connected'})

    const t = await text(metrics)
    expect(metricSum(t, 'harbor_replicator_resources_synced', {type: 'robot', source: 'dr', operation: 'create'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_resources_synced', {type: 'oidc_group', source: 'dr', operation: 'import'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_resources_synced', {type: 'project'})).toBe(0)
    expect(metricSum(t, 'harbor_replicator_sync_duration_seconds_sum', {source: 'dr', resource_type: 'robot'})).toBe(0.25)
    expect(metricSum(t, 'harbor_replicator_sync_duration_seconds_sum', {source: 'primary', resource_type: 'project'})).toBe(1.5)
    expect(metricSum(t, 'harbor_replicator_errors_total', {class: 'invalid', endpoint: 'primary', stage: 'apply'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_errors_total', {class: 'transient', endpoint: 'dr', stage: 'refresh'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_errors_total', {class: 'unknown', endpoint: 'dr', stage: 'refresh'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_api_request_duration_seconds_count', {endpoint: 'dr', method: 'POST'})).toBe(1)
    expect(
      metricSum(t, 'harbor_replicator_api_request_duration_seconds_bucket', {endpoint: 'dr', method: 'POST', le: '0.05'}),
    ).toBe(1)
    expect(metricSum(t, 'harbor_replicator_api_requests_total', {route: '/robots', code: '201'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_api_requests_total', {route: '/projects', code: 'error'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_api_retries_total', {endpoint: 'dr', class: 'transient'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_api_giveups_total', {endpoint: 'dr', reason: 'budget'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_refresh_duration_seconds_sum', {endpoint: 'primary'})).toBe(2)
    // Bounded labels: resource addresses and object names never become label values.
    expect(t).not.toContain('payments')
    expect(t).not.toContain('robot.ci')
  })
})

describe('SyncMetrics.cycleFinished', () => {
  it('counts cycles by status, keeps the last success, and replaces the per-cycle gauges each cycle', async () => {
    const metrics = new SyncMetrics({intervalMs: 600_000, processMetrics: false})
    metrics.setEndpoints(['primary', 'dr'])
    let t = await text(metrics)
    expect(metricSum(t, 'harbor_replicator_sync_total', {status: 'failed'})).toBe(0)
    expect(metricSum(t, 'harbor_replicator_sync_interval_seconds')).toBe(600)

    const drifted = change('robot.ci', 'dr', {action: 'update'})
    metrics.cycleStarted()
    expect(metricSum(await text(metrics), 'harbor_replicator_active_sync_operations')).toBe(1)
    metrics.cycleFinished(
      report(['primary', 'dr'], {
        status: 'partial',
        unavailable: ['primary'],
        drifted: [drifted],
        pending: [{type: 'project', operation: 'delete', reason: 'held', count: 3}],
        managed: [{type: 'robot', endpoint: 'dr', count: 4}],
      }),
      1_000_000,
    )
    t = await text(metrics)
    expect(metricSum(t, 'harbor_replicator_active_sync_operations')).toBe(0)
    expect(metricSum(t, 'harbor_replicator_sync_total', {status: 'partial'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_last_successful_sync_timestamp_seconds')).toBe(0)
    expect(metricSum(t, 'harbor_replicator_endpoint_last_successful_sync_timestamp_seconds', {endpoint: 'dr'})).toBe(1000)
    expect(metricSum(t, 'harbor_replicator_endpoint_last_successful_sync_timestamp_seconds', {endpoint: 'primary'})).toBe(0)
    expect(metricSum(t, 'harbor_replicator_endpoint_up', {endpoint: 'primary'})).toBe(0)
    expect(metricSum(t, 'harbor_replicator_endpoint_up', {endpoint: 'dr'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_pending_changes', {type: 'project', operation: 'delete', reason: 'held'})).toBe(3)
    expect(metricSum(t, 'harbor_replicator_drifted_objects', {type: 'robot', endpoint: 'dr'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_managed_objects', {type: 'robot', endpoint: 'dr'})).toBe(4)

    metrics.cycleFinished(report(['primary', 'dr']), 2_000_000)
    t = await text(metrics)
    expect(metricSum(t, 'harbor_replicator_sync_total', {status: 'success'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_last_successful_sync_timestamp_seconds')).toBe(2000)
    expect(metricSum(t, 'harbor_replicator_cycle_duration_seconds_count')).toBe(2)
    // Gauges describe the last cycle only; the drift counter keeps the history.
    expect(metricSum(t, 'harbor_replicator_pending_changes')).toBe(0)
    expect(metricSum(t, 'harbor_replicator_drifted_objects')).toBe(0)
    expect(metricSum(t, 'harbor_replicator_drift_detected_total', {type: 'robot', endpoint: 'dr'})).toBe(1)

    // An interrupted cycle (the daemon is stopping) is not counted.
    metrics.cycleFinished(report(['primary', 'dr'], {status: 'interrupted'}))
    expect(metricSum(await text(metrics), 'harbor_replicator_cycle_duration_seconds_count')).toBe(2)
  })

  it('counts a cycle error and a rejected reload as errors, without blaming an endpoint', async () => {
    const metrics = new SyncMetrics({intervalMs: 60_000, processMetrics: false})
    metrics.cycleFinished(report(['primary'], {status: 'failed', error: {message: 'disk full', errorClass: 'state'}}))
    metrics.configReloaded(false)
    const t = await text(metrics)
    expect(metricSum(t, 'harbor_replicator_errors_total', {class: 'state', stage: 'cycle'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_errors_total', {class: 'config', stage: 'reload'})).toBe(1)
    expect(metricSum(t, 'harbor_replicator_config_last_reload_successful')).toBe(0)
    expect(metricSum(t, 'harbor_replicator_config_reloads_total', {status: 'failed'})).toBe(1)
  })

  it('drops the series of an endpoint removed by a reload, and registries never collide', async () => {
    const first = new SyncMetrics({intervalMs: 60_000})
    const second = new SyncMetrics({intervalMs: 60_000})
    first.setEndpoints(['primary', 'dr'])
    first.setBreaker('dr', 'open')
    first.cycleFinished(report(['primary', 'dr']))
    first.setEndpoints(['primary'])
    const t = await text(first)
    expect(t).not.toContain('endpoint="dr"')
    expect(seriesValues(t, 'process_cpu_seconds_total')).toHaveLength(1)
    expect(await second.metricNames()).toEqual(await first.metricNames())
  })
})
