// A second hrep process for the lock tests: takes the state lock, reports on stdout, and then obeys
// commands on stdin (`release`, `exit` without releasing). Run with `node --import tsx`.
import {acquireLock} from '../../src/state/lock.js'

const [statePath, operation, staleMs] = process.argv.slice(2)
const lock = await acquireLock(statePath!, {
  operation: operation ?? 'apply',
  staleMs: staleMs ? Number(staleMs) : undefined,
  onLost: () => process.stdout.write('lost\n'),
})
process.stdout.write(`locked ${process.pid}\n`)
process.stdin.setEncoding('utf8')
process.stdin.on('data', async (command: string) => {
  if (command.includes('release')) {
    await lock.release()
    process.stdout.write('released\n')
    process.exit(0)
  }
  if (command.includes('exit')) process.exit(0)
})
