/**
 * The files that live next to a state file. Everything hrep keeps for one state is named from the
 * state's own path, so a state and its backup, lock and journal always travel together.
 */

/** The copy of the state as it was before this run's first write. */
export function backupPath(statePath: string): string {
  return `${statePath}.backup`
}

/** The directory proper-lockfile creates while a plan or apply holds the state. */
export function lockPath(statePath: string): string {
  return `${statePath}.lock`
}

/** Who holds the lock (pid, host, command, start time), written by the holder next to the lock. */
export function lockInfoPath(statePath: string): string {
  return `${statePath}.lock.info`
}

/** The apply journal (JSON lines), present only while an apply runs or after one was interrupted. */
export function journalPath(statePath: string): string {
  return `${statePath}.journal`
}
