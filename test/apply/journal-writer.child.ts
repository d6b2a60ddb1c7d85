// Appends journal entries as fast as it can, concurrently, printing `ack N` after each append
// resolves, until it is killed. For the kill -9 test of the journal. Run with `node --import tsx`.
import {openJournal} from '../../src/apply/journal.js'

const [statePath] = process.argv.slice(2)
const journal = await openJournal(statePath!)
await journal.append({
  type: 'begin',
  run: 'r1',
  operation: 'apply',
  lineage: 'L',
  serial: 0,
  started: new Date().toISOString(),
  hrep_version: 'test',
})
let acked = 0
for (let wave = 0; ; wave++) {
  await Promise.all(
    Array.from({length: 20}, (_, i) => {
      const n = wave * 20 + i
      const intent = journal.append({
        type: 'intent',
        change: `robot.r${n}@primary`,
        address: `robot.r${n}`,
        endpoint: 'primary',
        kind: 'robot',
        key: `r${n}`,
        action: 'create',
        attrs: {name: `r${n}`, description: 'x'.repeat(200)},
      })
      return intent.then(() => {
        acked++
        process.stdout.write(`ack ${acked}\n`)
      })
    }),
  )
}
