#!/usr/bin/env -S node --import tsx
// Runs the commands straight from src/ through tsx (no build); for development and HREP_TEST_BIN=dev.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {execute, Plugin, settings} from '@oclif/core'

const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(`${root}package.json`, 'utf8'))
pjson.oclif.commands = './src/commands'
// tsx is already loaded (--import); oclif's own ts-node path mapping is not wanted.
settings.enableAutoTranspile = false
// A stale root oclif.manifest.json (from the last build) would hide new commands and flags.
const manifest = Plugin.prototype._manifest
Plugin.prototype._manifest = function () {
  if (this.isRoot) this.options.ignoreManifest = true
  return manifest.call(this)
}

await execute({development: true, loadOptions: {root, pjson}})
