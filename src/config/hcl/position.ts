/**
 * Converts string indexes (UTF-16 units) into source positions: 1-based line, 1-based column in
 * Unicode code points, 0-based UTF-8 byte offset.
 */
import type {Pos} from '../../model/errors.js'

/**
 * Positions of any index in one source text, worked out when asked: a table of line starts (made on
 * the first question, one indexOf pass), then a binary search. An ASCII text (most configurations)
 * has its column and byte by arithmetic; any other counts them from the start of the line.
 */
export class LineIndex {
  readonly #source: string
  /** Where counting starts: 1 after a byte order mark, which still occupies three bytes of the file. */
  readonly #origin: number
  #starts: Int32Array | undefined
  /** The UTF-8 offset of each line's start, for a text that is not ASCII. */
  #lineBytes: number[] | undefined
  #ascii: boolean | undefined

  constructor(source: string) {
    this.#source = source
    this.#origin = source.charCodeAt(0) === 0xfeff ? 1 : 0
  }

  /** The position of `index` (a string index, at most the text's length). */
  at(index: number): Pos {
    const line = this.lineOf(index)
    const start = this.#lineStarts()[line - 1] as number
    const from = Math.max(index, start)
    if (this.#isAscii()) return {line, column: from - start + 1, byte: from - this.#origin + (this.#origin === 1 ? 3 : 0)}
    return advance(this.#source, start, from, line, 1, this.#byteOfLine(line - 1))
  }

  /** The 1-based line of `index`. */
  lineOf(index: number): number {
    const starts = this.#lineStarts()
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((starts[mid] as number) <= index) low = mid
      else high = mid - 1
    }
    return low + 1
  }

  #lineStarts(): Int32Array {
    if (this.#starts === undefined) {
      // Counted first, then filled: one exact typed array, nothing grown on the heap.
      const source = this.#source
      let lines = 1
      for (let nl = source.indexOf('\n', this.#origin); nl >= 0; nl = source.indexOf('\n', nl + 1)) lines++
      const starts = new Int32Array(lines)
      starts[0] = this.#origin
      let line = 1
      for (let nl = source.indexOf('\n', this.#origin); nl >= 0; nl = source.indexOf('\n', nl + 1)) starts[line++] = nl + 1
      this.#starts = starts
    }
    return this.#starts
  }

  #isAscii(): boolean {
    if (this.#ascii === undefined) {
      const nonAscii = /[^\u0000-\u007f]/g
      nonAscii.lastIndex = this.#origin
      this.#ascii = !nonAscii.test(this.#source)
    }
    return this.#ascii
  }

  #byteOfLine(line: number): number {
    if (this.#lineBytes === undefined) {
      const starts = this.#lineStarts()
      const bytes = [this.#origin === 1 ? 3 : 0]
      for (let k = 1; k < starts.length; k++) {
        const from = starts[k - 1] as number
        bytes.push(advance(this.#source, from, starts[k] as number, 1, 1, bytes[k - 1] as number).byte)
      }
      this.#lineBytes = bytes
    }
    return this.#lineBytes[line] as number
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
