/** Durability helpers shared by the state store, plan files and the journal. */
import fs from 'node:fs/promises'

/** Makes a rename or a new file in `dir` durable (write-file-atomic fsyncs the file, not the directory). */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(dir, 'r')
    await handle.sync()
  } catch {
    // Some platforms cannot fsync a directory; the file itself is already on disk.
  } finally {
    await handle?.close().catch(() => {})
  }
}
