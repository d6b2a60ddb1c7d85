/**
 * The lexer's scanners for runs of characters that form one token or one piece of template text:
 * identifiers, numbers, heredoc openers, and literal text in quoted strings and heredocs.
 * Each takes the source and a start index and returns where the run ends.
 */
import {isIdentContinue, isIdentStart} from './text.js'

/** End of a run of quoted-string literal text starting at `from` (may be `from` itself). */
export function scanQuotedRun(source: string, from: number): number {
  const n = source.length
  let j = from
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c === 34 || c === 10 || c === 13) break
    if (c === 36 || c === 37) {
      const next = source.charCodeAt(j + 1)
      if (next === 123) break
      if (j + 1 >= n) break
      if (next === c && source.charCodeAt(j + 2) === 123) {
        j += 3
        continue
      }
      j++
      continue
    }
    if (c === 92) {
      const next = source.charCodeAt(j + 1)
      if (j + 1 >= n || next === 10 || next === 13) break
      j += next >= 0xd800 && next <= 0xdbff ? 3 : 2
      continue
    }
    j++
  }
  return j
}

/**
 * A run of heredoc text from `from`: up to and including the end of the line, or up to a `${`/`%{`.
 * `newlineLength` is 1 or 2 when the run ends a line, 0 otherwise.
 */
export function scanHeredocRun(source: string, from: number): {end: number; newlineLength: number} {
  const n = source.length
  let j = from
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c === 10) return {end: j + 1, newlineLength: 1}
    if (c === 13) {
      if (source.charCodeAt(j + 1) === 10) return {end: j + 2, newlineLength: 2}
      break
    }
    if (c === 36 || c === 37) {
      const next = source.charCodeAt(j + 1)
      if (next === 123 || j + 1 >= n) break
      if (next === c && source.charCodeAt(j + 2) === 123) {
        j += 3
        continue
      }
    }
    j++
  }
  return {end: j, newlineLength: 0}
}

/** `<<ID\n` or `<<-ID\n` at `from` (the newline must follow the identifier at once). */
export function scanHeredocOpener(source: string, from: number): {end: number; marker: string} | undefined {
  let j = from + 2
  if (source.charCodeAt(j) === 45) j++
  const cp = source.codePointAt(j)
  if (cp === undefined || !isIdentStart(cp)) return undefined
  const identEnd = scanIdentRest(source, j + (cp > 0xffff ? 2 : 1))
  const marker = source.slice(j, identEnd)
  if (source.charCodeAt(identEnd) === 10) return {end: identEnd + 1, marker}
  if (source.charCodeAt(identEnd) === 13 && source.charCodeAt(identEnd + 1) === 10) return {end: identEnd + 2, marker}
  return undefined
}

export function scanIdentRest(source: string, from: number): number {
  const n = source.length
  let j = from
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c < 0x80) {
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) {
        j++
        continue
      }
      break
    }
    const cp = source.codePointAt(j)!
    if (!isIdentContinue(cp)) break
    j += cp > 0xffff ? 2 : 1
  }
  return j
}

/**
 * End of a number literal: a digit, then digits, dots and exponents (`e`, optional sign, digit),
 * never ending in a dot. `1.5.2` is one (invalid) token, as in the reference scanner.
 */
export function scanNumber(source: string, from: number): number {
  const n = source.length
  let j = from + 1
  let lastGood = j
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c >= 48 && c <= 57) {
      j++
      lastGood = j
    } else if (c === 46) {
      j++
    } else if (c === 101 || c === 69) {
      let k = j + 1
      const sign = source.charCodeAt(k)
      if (sign === 43 || sign === 45) k++
      const d = source.charCodeAt(k)
      if (d >= 48 && d <= 57) {
        j = k + 1
        lastGood = j
      } else {
        break
      }
    } else {
      break
    }
  }
  return lastGood
}
