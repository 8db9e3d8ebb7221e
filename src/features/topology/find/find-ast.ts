/**
 * The shapes a parsed find expression takes. Kept flat and small: the tree is
 * walked once per node per frame, so every leaf carries what it needs already
 * folded and split (see text-match.ts) and the walk allocates nothing.
 */
import type { Glob } from './text-match.ts';

/** What a find expression is matched against: one node of the topology, with its live numbers. */
export interface FindSubject {
  id: string;
  label: string;
  kind: string;
  group?: string;
  status: string;
  rps: number;
  /** 0..1 */
  errorRate: number;
  p95Ms: number;
  meta?: Record<string, string | number>;
}

export type TextField = 'id' | 'label' | 'kind' | 'group' | 'status';
export type NumberField = 'rps' | 'errors' | 'p95';

/** `has` is `~` (contains), `nhas` is `!~`. */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'has' | 'nhas';

export type FindExpr =
  /** The empty expression: matches every subject. */
  | { readonly t: 'all' }
  | { readonly t: 'and'; readonly items: readonly FindExpr[] }
  | { readonly t: 'or'; readonly items: readonly FindExpr[] }
  | { readonly t: 'not'; readonly item: FindExpr }
  /** A bare word or quoted string: contained in id, label, kind or group. */
  | { readonly t: 'text'; readonly glob: Glob }
  | { readonly t: 'text-field'; readonly field: TextField; readonly op: CompareOp; readonly glob: Glob }
  /** `value` is in the subject's own unit: errors as a 0..1 ratio, p95 in ms. */
  | { readonly t: 'number'; readonly field: NumberField; readonly op: CompareOp; readonly value: number }
  /** `num` is the value read as a number when it is one (and the op is not `~`/`!~`). */
  | { readonly t: 'meta'; readonly key: string; readonly op: CompareOp; readonly glob: Glob; readonly num: number | null };
