/**
 * Converts string indexes (UTF-16 units) into source positions: 1-based line, 1-based column in
 * Unicode code points, 0-based UTF-8 byte offset. The tracker only moves forward, so converting
 * every token of a file in order costs one pass over the text.
 */
import type {Pos} from '../../model/errors.js'

/** Positions of ascending indexes in one source text; going backwards restarts from the beginning. */
export class PositionTracker {
  private idx: number
  private line = 1
  private col = 1
  private byte: number

  constructor(
    private readonly source: string,
    /** Index where counting starts (1 after a byte order mark). */
    private readonly origin = 0,
  ) {
    this.idx = origin
    // A skipped BOM still occupies three bytes of the file.
    this.byte = origin === 1 ? 3 : 0
  }

  /** Current position, after the last `moveTo`. */
  get lineNumber(): number {
    return this.line
  }

  get columnNumber(): number {
    return this.col
  }

  get byteOffset(): number {
    return this.byte
  }

  /** Moves to `target` (an index into the source, at most its length); read the position after. */
  moveTo(target: number): void {
    if (target < this.idx) {
      this.idx = this.origin
      this.line = 1
      this.col = 1
      this.byte = this.origin === 1 ? 3 : 0
    }
    const src = this.source
    let idx = this.idx
    let line = this.line
    let col = this.col
    let byte = this.byte
    while (idx < target) {
      const c = src.charCodeAt(idx)
      if (c === 10) {
        line++
        col = 1
        byte++
      } else if (c < 0x80) {
        col++
        byte++
      } else if (c < 0x800) {
        col++
        byte += 2
      } else if (c >= 0xd800 && c <= 0xdbff && idx + 1 < src.length && isLowSurrogate(src.charCodeAt(idx + 1))) {
        col++
        byte += 4
        idx++
      } else {
        // BMP characters, and lone surrogates (which an encoder writes as U+FFFD), take 3 bytes.
        col++
        byte += 3
      }
      idx++
    }
    this.idx = idx
    this.line = line
    this.col = col
    this.byte = byte
  }

  /** The position of `target` as a new Pos. */
  at(target: number): Pos {
    this.moveTo(target)
    return {line: this.line, column: this.col, byte: this.byte}
  }
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff
}

/** The position reached from (`line`, `column`, `byte`) at index `from` by walking to index `to`. */
export function advance(source: string, from: number, to: number, line: number, column: number, byte: number): Pos {
  for (let idx = from; idx < to; idx++) {
    const c = source.charCodeAt(idx)
    if (c === 10) {
      line++
      column = 1
      byte++
    } else if (c < 0x80) {
      column++
      byte++
    } else if (c < 0x800) {
      column++
      byte += 2
    } else if (c >= 0xd800 && c <= 0xdbff && idx + 1 < source.length && isLowSurrogate(source.charCodeAt(idx + 1))) {
      column++
      byte += 4
      idx++
    } else {
      column++
      byte += 3
    }
  }
  return {line, column, byte}
}
