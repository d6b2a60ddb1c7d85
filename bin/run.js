#!/usr/bin/env node
// The `hrep` executable. oclif starts from `@oclif/core/execute`, which leaves out the half of
// @oclif/core that running a command never needs (100 modules read at start instead of 159).
const {execute} = await import('@oclif/core/execute')
await execute({dir: import.meta.url})
