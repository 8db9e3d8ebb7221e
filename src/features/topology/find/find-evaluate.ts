/**
 * Runs a parsed find expression against one subject. Called for every node
 * on every frame, so it allocates nothing: no lower-casing, no closures, no
 * iterators; text comparisons fold one code unit at a time (text-match.ts).
 */
import { assertNever } from '../../../lib/assert-never.ts';
import type { CompareOp, FindExpr, FindSubject, NumberField, TextField } from './find-ast.ts';
import { globContains, globEquals, type Glob } from './text-match.ts';

export function matchesFind(expr: FindExpr, subject: FindSubject): boolean {
  switch (expr.t) {
    case 'all':
      return true;
    case 'and':
      for (let i = 0; i < expr.items.length; i++) if (!matchesFind(expr.items[i]!, subject)) return false;
      return true;
    case 'or':
      for (let i = 0; i < expr.items.length; i++) if (matchesFind(expr.items[i]!, subject)) return true;
      return false;
    case 'not':
      return !matchesFind(expr.item, subject);
    case 'text':
      return (
        globContains(subject.id, expr.glob) ||
        globContains(subject.label, expr.glob) ||
        globContains(subject.kind, expr.glob) ||
        (subject.group !== undefined && globContains(subject.group, expr.glob))
      );
    case 'text-field':
      return compareText(textOf(subject, expr.field), expr.op, expr.glob);
    case 'number':
      return compareNumber(numberOf(subject, expr.field), expr.op, expr.value);
    case 'meta':
      return matchesMeta(expr, subject);
    default:
      return assertNever(expr);
  }
}

function textOf(subject: FindSubject, field: TextField): string {
  switch (field) {
    case 'id':
      return subject.id;
    case 'label':
      return subject.label;
    case 'kind':
      return subject.kind;
    case 'group':
      // An ungrouped node has the empty group: `group=""` finds it, `group!=fetchers` includes it.
      return subject.group ?? '';
    case 'status':
      return subject.status;
  }
}

function numberOf(subject: FindSubject, field: NumberField): number {
  switch (field) {
    case 'rps':
      return subject.rps;
    case 'errors':
      return subject.errorRate;
    case 'p95':
      return subject.p95Ms;
  }
}

function compareText(value: string, op: CompareOp, glob: Glob): boolean {
  switch (op) {
    case 'eq':
      return globEquals(value, glob);
    case 'ne':
      return !globEquals(value, glob);
    case 'has':
      return globContains(value, glob);
    case 'nhas':
      return !globContains(value, glob);
    default:
      // The parser never pairs an order operator with text.
      return false;
  }
}

function compareNumber(value: number, op: CompareOp, target: number): boolean {
  switch (op) {
    case 'eq':
      return value === target;
    case 'ne':
      return value !== target;
    case 'gt':
      return value > target;
    case 'ge':
      return value >= target;
    case 'lt':
      return value < target;
    case 'le':
      return value <= target;
    default:
      return false;
  }
}

type MetaExpr = Extract<FindExpr, { t: 'meta' }>;

/**
 * Numbers compare as numbers when both sides are numeric (`meta.shards=4`
 * matches 4 and "4.0"); anything else by the text rules. A missing key is
 * unequal to everything and greater or less than nothing.
 */
function matchesMeta(expr: MetaExpr, subject: FindSubject): boolean {
  const meta = subject.meta;
  const raw = meta !== undefined && Object.hasOwn(meta, expr.key) ? meta[expr.key] : undefined;
  if (typeof raw === 'number') {
    if (expr.num !== null) return compareNumber(raw, expr.op, expr.num);
    // Rare (a numeric meta value searched as text), so the one allocation here is accepted.
    return compareText(String(raw), expr.op, expr.glob);
  }
  if (typeof raw === 'string') {
    const asNumber = expr.num === null ? null : numericText(raw);
    if (asNumber !== null) return compareNumber(asNumber, expr.op, expr.num!);
    return compareText(raw, expr.op, expr.glob);
  }
  return expr.op === 'ne' || expr.op === 'nhas';
}

/** The number a meta string spells, or `null`; blank text is not zero. */
function numericText(text: string): number | null {
  let blank = true;
  for (let i = 0; i < text.length && blank; i++) if (text.charCodeAt(i) > 32) blank = false;
  if (blank) return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : null;
}
