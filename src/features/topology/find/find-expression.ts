/**
 * The topology's find language: what the find box accepts, shared by
 * highlight, hide and focus. The grammar, informally:
 *
 *   expr  := or
 *   or    := and (("or" | "||") and)*
 *   and   := unary (("and" | "&&")? unary)*      side by side means and
 *   unary := ("not" | "!") unary | "(" expr ")" | term
 *   term  := field op value | word | "quoted text"
 *   op    := = == != > >= < <= ~ !~              ~ is contains, !~ its opposite
 *
 * Keywords and field names are case-insensitive, and so is every text
 * comparison; `*` in a text value matches any run of characters. A bare word
 * is searched for in id, label, kind and group. FIND_FIELDS lists the fields,
 * their aliases and units. This file is the feature's entry point; the parts
 * live beside it (lexer, parser, evaluator, text matching).
 */
import type { FindExpr } from './find-ast.ts';

export type { CompareOp, FindExpr, FindSubject } from './find-ast.ts';
export { FIND_FIELDS, type FindField } from './find-fields.ts';
export { MAX_FIND_DEPTH, parseFindExpression, type FindParseResult } from './find-parser.ts';
export { matchesFind } from './find-evaluate.ts';

/** True for the expression parsed from empty or blank text, which matches everything: nothing to find. */
export function isEmptyFind(expr: FindExpr): boolean {
  return expr.t === 'all';
}
