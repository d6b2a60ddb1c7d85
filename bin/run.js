#!/usr/bin/env node
// The `hrep` executable. `hrep --version` is answered here, without loading oclif: importing
// @oclif/core reads about a hundred modules, most of a cold start, to print one line. The line is
// exactly oclif's (`<name>/<version> <platform>-<arch> node-<version>`; test/cli/version.test.ts
// compares both), and whatever this path cannot vouch for goes to oclif: WSL (which oclif names
// "wsl"), hooks or plugins that would run first. Everything else starts oclif from
// `@oclif/core/execute`, which leaves out the half of @oclif/core that running a command never needs.
import {existsSync, readFileSync} from 'node:fs'
import {arch, platform, release} from 'node:os'
import {format} from 'node:util'

/** oclif's `--version` line, or undefined when oclif itself must answer. */
function versionLine() {
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const oclif = pjson.oclif ?? {}
  if (oclif.hooks !== undefined || (oclif.plugins ?? []).some((plugin) => plugin !== '@oclif/plugin-help')) return undefined
  if (platform() === 'linux' && mayBeWsl()) return undefined
  return `${pjson.name}/${pjson.version || '0.0.0'} ${platform()}-${arch() === 'ia32' ? 'x86' : arch()} node-${process.version}`
}

/** Whether is-wsl (what oclif asks) might say WSL: the signs it looks for, without its container check. */
function mayBeWsl() {
  if (release().toLowerCase().includes('microsoft')) return true
  try {
    if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) return true
  } catch {}
  return existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')
}

const line = process.argv[2] === '--version' ? versionLine() : undefined
if (line === undefined) {
  const {execute} = await import('@oclif/core/execute')
  await execute({dir: import.meta.url})
} else {
  console.log(format(line))
}
