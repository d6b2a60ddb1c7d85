/**
 * The human form of a doctor report: per endpoint a heading, one ✔/!/✖ line per check with its fix
 * hint under it, and runs of checks skipped for the same reason folded into one line; then a summary.
 * Returns text; the command writes it.
 */
import type {Colors} from '../cli/color.js'
import {CHECK_TITLES, type CheckResult, type CheckStatus, type DoctorReport, type EndpointReport} from './result.js'

/** The mark in front of each check line. */
export const STATUS_SYMBOLS: Record<CheckStatus, string> = {pass: '✔', warn: '!', fail: '✖', skip: '–'}

const TITLE_WIDTH = Math.max(...Object.values(CHECK_TITLES).map((title) => title.length))

const VERDICT: Record<EndpointReport['status'], string> = {
  pass: 'ready',
  warn: 'ready, with warnings',
  fail: 'not ready',
}

function paint(status: CheckStatus, text: string, c: Colors): string {
  switch (status) {
    case 'pass':
      return c.green(text)
    case 'warn':
      return c.yellow(text)
    case 'fail':
      return c.red(text)
    case 'skip':
      return c.dim(text)
  }
}

/** The lines of one endpoint's report. */
export function renderEndpoint(report: EndpointReport, c: Colors): string[] {
  const verdict = paint(report.status, VERDICT[report.status], c)
  const lines = [`${c.bold(`Endpoint ${report.endpoint}`)} ${c.dim(report.url)}  ${verdict}`]
  const indent = ' '.repeat(4 + TITLE_WIDTH + 2)
  for (let i = 0; i < report.checks.length; i++) {
    const check = report.checks[i]!
    if (check.status === 'skip') {
      // Fold a run of checks skipped for the same reason into one line.
      let end = i
      while (report.checks[end + 1]?.status === 'skip' && report.checks[end + 1]!.detail === check.detail) end++
      if (end > i) {
        const titles = report.checks.slice(i, end + 1).map((skipped) => CHECK_TITLES[skipped.name])
        lines.push(`  ${paint('skip', STATUS_SYMBOLS.skip, c)} ${c.dim(`${titles.join(', ')}: ${check.detail}`)}`)
        i = end
        continue
      }
    }
    lines.push(checkLine(check, c))
    if (check.hint !== undefined && check.status !== 'pass' && check.status !== 'skip') {
      lines.push(`${indent}${c.dim('→')} ${check.hint}`)
    }
  }
  return lines
}

function checkLine(check: CheckResult, c: Colors): string {
  const title = CHECK_TITLES[check.name].padEnd(TITLE_WIDTH)
  const symbol = paint(check.status, STATUS_SYMBOLS[check.status], c)
  let detail = check.status === 'skip' ? c.dim(check.detail) : check.detail
  // A failed cleanup leaves objects on someone's Harbor: it must not be missed.
  if (check.leftovers !== undefined && check.leftovers.length > 0) detail = c.red(c.bold(check.detail))
  return `  ${symbol} ${check.status === 'skip' ? c.dim(title) : c.bold(title)}  ${detail}`
}

/** The closing lines: counts, and whether every endpoint is ready. */
export function renderSummary(report: DoctorReport, c: Colors): string[] {
  const {summary} = report
  const endpoints = report.endpoints.length
  const notReady = report.endpoints.filter((endpoint) => endpoint.status === 'fail').length
  const counts = [
    `${summary.pass} passed`,
    `${summary.warn} warning${summary.warn === 1 ? '' : 's'}`,
    `${summary.fail} failed`,
    `${summary.skip} skipped`,
  ].join(', ')
  const verdict = report.ok
    ? c.green(
        c.bold(
          endpoints === 1
            ? `The endpoint is ready${summary.warn > 0 ? ' (see the warnings above)' : ''}.`
            : `All ${endpoints} endpoints are ready${summary.warn > 0 ? ' (see the warnings above)' : ''}.`,
        ),
      )
    : c.red(
        c.bold(
          `${notReady} of ${endpoints} endpoint${endpoints === 1 ? '' : 's'} not ready: fix the ✖ lines above, then run hrep doctor again.`,
        ),
      )
  return [`Checks: ${counts}.`, verdict]
}
