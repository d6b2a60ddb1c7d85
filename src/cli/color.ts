/**
 * The one place that decides whether output is coloured: only on a TTY, never with --no-color or
 * NO_COLOR (picocolors' own detection turns colour on when CI is set, which we do not want).
 */
import pc from 'picocolors'

export type Colors = ReturnType<typeof pc.createColors>

export function useColor(stream: NodeJS.WriteStream, noColorFlag = false): boolean {
  if (noColorFlag) return false
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  if (process.env.FORCE_COLOR === '1') return true
  return Boolean(stream.isTTY)
}

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled)
}
