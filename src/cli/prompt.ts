/**
 * The approval question of `hrep apply`, Terraform's wording: only the exact answer `yes` approves.
 * Asked only on a terminal; without one, apply needs `--auto-approve`.
 */
import {createInterface} from 'node:readline/promises'

export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY)
}

export async function confirmApply(question = 'Do you want to perform these actions?'): Promise<boolean> {
  const rl = createInterface({input: process.stdin, output: process.stdout})
  try {
    process.stdout.write(
      `\n${question}\n  hrep will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n`,
    )
    const answer = await rl.question('  Enter a value: ')
    return answer.trim() === 'yes'
  } finally {
    rl.close()
  }
}
