/**
 * Recursive descent over the tokens, one token of look-ahead, so parsing is
 * linear in the text. Precedence, loosest first: `or`, `and` (or nothing:
 * two terms side by side), `not`. Problems come back with the character
 * offset to point at; nothing here throws past `parseFindExpression`.
 */
import { NODE_STATUSES } from '../../../protocol/mesh.ts';
import type { CompareOp, FindExpr } from './find-ast.ts';
import { resolveField, unknownFieldMessage, type ResolvedField } from './find-fields.ts';
import { tokenize, type Token } from './find-lexer.ts';
import { compileGlob, globContains, globEquals, type Glob } from './text-match.ts';

export type FindParseResult = { ok: true; expr: FindExpr } | { ok: false; error: string; at: number };

/** Parentheses and `not`s nested deeper than this are refused rather than risking the stack. */
export const MAX_FIND_DEPTH = 64;

const MATCH_ALL: FindExpr = { t: 'all' };

export function parseFindExpression(text: string): FindParseResult {
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  if (lexed.tokens.length === 1) return { ok: true, expr: MATCH_ALL };
  try {
    return { ok: true, expr: new Parser(lexed.tokens).parseAll() };
  } catch (error) {
    if (error instanceof FindSyntaxError) return { ok: false, error: error.message, at: error.at };
    throw error;
  }
}

class FindSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function fail(message: string, at: number): never {
  throw new FindSyntaxError(message, at);
}

type Keyword = 'and' | 'or' | 'not';

/** `&&`/`and`, `||`/`or`, `!`/`not`: symbols and unquoted words, any case. */
function isKeyword(token: Token, keyword: Keyword): boolean {
  return token.type === keyword || (token.type === 'word' && token.text.toLowerCase() === keyword);
}

/** Can a term begin here? Decides whether two terms side by side mean `and`. */
function startsTerm(token: Token): boolean {
  if (token.type === 'word') return !isKeyword(token, 'and') && !isKeyword(token, 'or');
  return token.type === 'string' || token.type === 'lparen' || token.type === 'not';
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): FindExpr {
    const expr = this.parseOr(0);
    const rest = this.peek();
    if (rest.type === 'end') return expr;
    if (rest.type === 'rparen') fail('unmatched ): nothing to close', rest.at);
    return fail(`unexpected "${rest.text}"`, rest.at);
  }

  private peek(): Token {
    // The last token is always `end`, and nothing advances past it.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index++;
    return token;
  }

  private parseOr(depth: number): FindExpr {
    const items = [this.parseAnd(depth)];
    while (isKeyword(this.peek(), 'or')) {
      const or = this.next();
      this.expectTermAfter(or);
      items.push(this.parseAnd(depth));
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  }

  private parseAnd(depth: number): FindExpr {
    const items = [this.parseUnary(depth)];
    for (;;) {
      const token = this.peek();
      if (isKeyword(token, 'and')) {
        this.next();
        this.expectTermAfter(token);
      } else if (!startsTerm(token)) {
        break;
      }
      items.push(this.parseUnary(depth));
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  }

  private parseUnary(depth: number): FindExpr {
    const token = this.peek();
    if (depth > MAX_FIND_DEPTH) fail(`nested more than ${MAX_FIND_DEPTH} deep`, token.at);
    if (isKeyword(token, 'not')) {
      this.next();
      this.expectTermAfter(token);
      return { t: 'not', item: this.parseUnary(depth + 1) };
    }
    switch (token.type) {
      case 'lparen': {
        this.next();
        if (this.peek().type === 'rparen') fail('empty parentheses', token.at);
        const inner = this.parseOr(depth + 1);
        const close = this.peek();
        if (close.type === 'end') fail('unclosed (: add a )', token.at);
        if (close.type !== 'rparen') fail(`unexpected "${close.text}"`, close.at);
        this.next();
        return inner;
      }
      case 'word':
      case 'string':
        if (isKeyword(token, 'and') || isKeyword(token, 'or')) return fail(`expected a term before ${token.text}`, token.at);
        return this.parseTerm();
      case 'rparen':
        return fail('unmatched ): nothing to close', token.at);
      case 'op':
        return fail(`expected a field before ${token.text}`, token.at);
      case 'and':
      case 'or':
        return fail(`expected a term before ${token.text}`, token.at);
      default:
        return fail('expected a term', token.at);
    }
  }

  private expectTermAfter(keyword: Token): void {
    if (!startsTerm(this.peek())) fail(`expected a term after ${keyword.text}`, keyword.at);
  }

  /** `field op value`, or a bare word / quoted string searched for as text. */
  private parseTerm(): FindExpr {
    const head = this.next();
    const op = this.peek();
    if (op.type !== 'op') return { t: 'text', glob: compileGlob(head.text) };
    this.next();
    if (head.type === 'string') fail(`write the field name without quotes, like label~"crawl api"`, head.at);
    const value = this.peek();
    if (value.type !== 'word' && value.type !== 'string') fail(`expected a value after ${op.text}`, op.at);
    this.next();
    const field = resolveField(head.text);
    if (field === null) fail(unknownFieldMessage(head.text), head.at);
    // Point just past `meta.`, where the key is missing.
    if (field.type === 'meta' && field.key === '') fail('meta needs a key, like meta.region', head.at + head.text.length);
    return comparison(field, op, value);
  }
}

type OpToken = Extract<Token, { type: 'op' }>;

const TEXT_OPS = '=, !=, ~ or !~';
const NUMBER_OPS = '=, !=, >, >=, <, <=';

function isOrderOp(op: CompareOp): boolean {
  return op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
}

function isContainsOp(op: CompareOp): boolean {
  return op === 'has' || op === 'nhas';
}

function comparison(field: ResolvedField, op: OpToken, value: Token): FindExpr {
  switch (field.type) {
    case 'text': {
      if (isOrderOp(op.op)) fail(`${field.name} is text: compare it with ${TEXT_OPS}`, op.at);
      const glob = compileGlob(value.text);
      if (field.name === 'status' && !namesSomeStatus(glob, op.op)) fail(`status is one of ${NODE_STATUSES.join(', ')}`, value.at);
      return { t: 'text-field', field: field.name, op: op.op, glob };
    }
    case 'number': {
      if (isContainsOp(op.op)) fail(`${field.name} is a number: compare it with ${NUMBER_OPS}`, op.at);
      const quantity = QUANTITIES[field.name];
      const number = parseQuantity(value.text, quantity.units);
      if (number === null) fail(quantity.help, value.at);
      return { t: 'number', field: field.name, op: op.op, value: number };
    }
    case 'meta': {
      const num = isContainsOp(op.op) ? null : parseQuantity(value.text, PLAIN);
      if (num === null && isOrderOp(op.op)) fail(`meta.${field.key} ${op.text} needs a number, like 100 or 1.5k`, value.at);
      return { t: 'meta', key: field.key, op: op.op, glob: compileGlob(value.text), num };
    }
  }
}

/** A status comparison that could never match is a typo, and is better reported than silently empty. */
function namesSomeStatus(glob: Glob, op: CompareOp): boolean {
  const test = isContainsOp(op) ? globContains : globEquals;
  return NODE_STATUSES.some((status) => test(status, glob));
}

/** Unit suffix (lower case) → multiplier into the subject's own unit. */
type Units = Readonly<Record<string, number>>;

const PLAIN: Units = { '': 1 };

const QUANTITIES = {
  rps: { units: PLAIN, help: 'rps takes a number, like 100 or 1.5k' },
  // A bare number is a percentage too: `errors > 2` reads as "more than 2%", never as a ratio.
  errors: { units: { '': 0.01, '%': 0.01 }, help: 'errors takes a percentage, like 2% or 0.5' },
  p95: { units: { '': 1, ms: 1, s: 1000 }, help: 'p95 takes a duration, like 250ms or 1.5s' },
} as const satisfies Record<string, { units: Units; help: string }>;

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(k?)([a-z%]*)$/i;

/** `1.5k`, `2%`, `250ms`; `null` when the text is not a number in one of `units`. */
function parseQuantity(text: string, units: Units): number | null {
  const match = QUANTITY.exec(text);
  if (!match) return null;
  const unit = (match[3] ?? '').toLowerCase();
  if (!Object.hasOwn(units, unit)) return null;
  const scale = match[2] === '' ? 1 : 1000;
  const number = Number(match[1]) * scale * units[unit]!;
  return Number.isFinite(number) ? number : null;
}
