/**
 * Seeded mutations of HCL sources for robustness tests: delete, duplicate, swap or insert tokens,
 * truncate, splice in random characters, or corrupt random UTF-8 bytes. The same seed always
 * gives the same inputs, so a failure can be replayed. The config loader's tests reuse this.
 */
import {lex} from '../../../src/config/hcl/lexer.js'

export const MUTATION_KINDS = [
  'delete-token',
  'duplicate-token',
  'swap-tokens',
  'insert-token',
  'truncate',
  'random-chars',
  'corrupt-bytes',
] as const

export type MutationKind = (typeof MUTATION_KINDS)[number]

/** One mutated input: which source and mutation made it, and its text. */
export interface MutatedInput {
  /** Position in the generated sequence (replay with the same seed and corpus). */
  index: number
  source: string
  kind: MutationKind
  text: string
}

import {seededRandom} from '../../helpers/random.js'

export {seededRandom}

/** Characters that matter to the lexer, plus some that are simply foreign to it. */
const PALETTE = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '"',
  "'",
  '$',
  '%',
  '${',
  '%{',
  '~}',
  '\\',
  '\n',
  '\r',
  '\r\n',
  '\t',
  ' ',
  '#',
  '//',
  '/*',
  '*/',
  '<<EOT\n',
  '<<-EOT\n',
  'EOT\n',
  '=',
  '==',
  '=>',
  ':',
  '::',
  '?',
  ',',
  '.',
  '...',
  '*',
  '-',
  '!',
  '&',
  '|',
  ';',
  '`',
  '0',
  '1.5',
  'for',
  'in',
  'if',
  'endif',
  'endfor',
  'null',
  'true',
  'x',
  '\u0000',
  '\ufeff',
  'é',
  '日',
  '😀',
  '\u2028',
  '\u00a0',
  '“',
]

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]
}

/** Applies one mutation of `kind` to `text`. */
export function mutate(text: string, kind: MutationKind, random: () => number): string {
  const tokens = lex(text, 'mutate.hcl').tokens.filter((t) => t.end > t.start)
  const token = () => tokens[Math.floor(random() * tokens.length)]
  if (tokens.length === 0 && kind !== 'random-chars' && kind !== 'corrupt-bytes') return text + pick(PALETTE, random)
  switch (kind) {
    case 'delete-token': {
      const t = token()
      return text.slice(0, t.start) + text.slice(t.end)
    }
    case 'duplicate-token': {
      const t = token()
      return text.slice(0, t.end) + text.slice(t.start, t.end) + text.slice(t.end)
    }
    case 'swap-tokens': {
      let a = token()
      let b = token()
      if (a.start > b.start) [a, b] = [b, a]
      if (a === b || a.end > b.start) return text.slice(0, a.start) + text.slice(a.end)
      return (
        text.slice(0, a.start) +
        text.slice(b.start, b.end) +
        text.slice(a.end, b.start) +
        text.slice(a.start, a.end) +
        text.slice(b.end)
      )
    }
    case 'insert-token': {
      const at = token().start
      return text.slice(0, at) + pick(PALETTE, random) + text.slice(at)
    }
    case 'truncate':
      return text.slice(0, Math.floor(random() * text.length))
    case 'random-chars': {
      let out = text
      const n = 1 + Math.floor(random() * 4)
      for (let i = 0; i < n; i++) {
        const at = Math.floor(random() * (out.length + 1))
        const insert = random() < 0.7 ? pick(PALETTE, random) : String.fromCharCode(Math.floor(random() * 0x3000))
        out = out.slice(0, at) + insert + out.slice(at)
      }
      return out
    }
    case 'corrupt-bytes': {
      const bytes = Buffer.from(text, 'utf8')
      if (bytes.length === 0) return '\ufffd'
      const n = 1 + Math.floor(random() * 3)
      for (let i = 0; i < n; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
      // As a file read with the utf8 encoding: invalid sequences become U+FFFD.
      return bytes.toString('utf8')
    }
  }
}

/** `count` mutated inputs drawn from `corpus` (name → text) with `seed`. */
export function* mutatedInputs(
  corpus: ReadonlyArray<{name: string; text: string}>,
  count: number,
  seed: number,
): Generator<MutatedInput> {
  const random = seededRandom(seed)
  for (let index = 0; index < count; index++) {
    const base = corpus[Math.floor(random() * corpus.length)]
    const kind = pick(MUTATION_KINDS, random)
    let text = mutate(base.text, kind, random)
    // Sometimes stack a second mutation, to reach states one edit cannot.
    if (random() < 0.3) text = mutate(text, pick(MUTATION_KINDS, random), random)
    yield {index, source: base.name, kind, text}
  }
}
