/**
 * Splits find text into tokens in one pass. Words run until whitespace or a
 * character with a meaning of its own, so `id=fetcher-0*`, `2%`, `250ms` and
 * `meta.region` each stay one word.
 */
import type { CompareOp } from './find-ast.ts';

export type Token =
  | { readonly type: 'word'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly text: string; readonly at: number }
  | { readonly type: 'op'; readonly op: CompareOp; readonly text: string; readonly at: number }
  /** `&&`, `||`, `!`; the words and/or/not stay words and the parser decides. */
  | { readonly type: 'and' | 'or' | 'not'; readonly text: string; readonly at: number }
  | { readonly type: 'lparen' | 'rparen' | 'end'; readonly text: string; readonly at: number };

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; error: string; at: number };

const OPERATORS: ReadonlyArray<readonly [string, CompareOp]> = [
  // Longest first, so `>=` is not read as `>` then `=`.
  ['==', 'eq'],
  ['!=', 'ne'],
  ['!~', 'nhas'],
  ['>=', 'ge'],
  ['<=', 'le'],
  ['=', 'eq'],
  ['>', 'gt'],
  ['<', 'lt'],
  ['~', 'has'],
];

const SPECIAL = new Set(['(', ')', '"', "'", '=', '!', '<', '>', '~', '&', '|']);
const SPACE = /\s/;

export function tokenize(text: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  scan: while (i < text.length) {
    const ch = text.charAt(i);
    if (SPACE.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ type: ch === '(' ? 'lparen' : 'rparen', text: ch, at: i });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const quoted = readQuoted(text, i);
      if (quoted === null) return { ok: false, error: `unterminated quote: add a closing ${ch}`, at: i };
      tokens.push({ type: 'string', text: quoted.value, at: i });
      i = quoted.end;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      tokens.push({ type: two === '&&' ? 'and' : 'or', text: two, at: i });
      i += 2;
      continue;
    }
    if (ch === '&' || ch === '|') {
      return { ok: false, error: `"${ch}" on its own means nothing: write ${ch}${ch} or ${ch === '&' ? 'and' : 'or'}`, at: i };
    }
    for (const [symbol, op] of OPERATORS) {
      if (text.startsWith(symbol, i)) {
        tokens.push({ type: 'op', op, text: symbol, at: i });
        i += symbol.length;
        continue scan;
      }
    }
    if (ch === '!') {
      tokens.push({ type: 'not', text: ch, at: i });
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && !SPECIAL.has(text.charAt(i)) && !SPACE.test(text.charAt(i))) i++;
    tokens.push({ type: 'word', text: text.slice(start, i), at: start });
  }
  tokens.push({ type: 'end', text: '', at: text.length });
  return { ok: true, tokens };
}

/** A quoted string from the quote at `start`; a backslash takes the next character literally. */
function readQuoted(text: string, start: number): { value: string; end: number } | null {
  const quote = text.charAt(start);
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === quote) return { value, end: i + 1 };
    if (ch === '\\' && i + 1 < text.length) {
      i++;
      value += text.charAt(i);
    } else {
      value += ch;
    }
  }
  return null;
}
