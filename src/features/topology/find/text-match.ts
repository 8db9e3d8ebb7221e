/**
 * Case-insensitive text and `*` glob matching that allocates nothing per
 * call: patterns are folded and split once when parsed, subjects are folded
 * one code unit at a time while compared. `matchesFind` runs for every node on
 * every frame, so `toLowerCase()` on each subject string is what this avoids.
 */

const foldCache = new Map<number, number>();

/** Lower-cases one UTF-16 code unit; non-ASCII results are cached so the hot path stops allocating after the first sight. */
export function foldCode(code: number): number {
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  const cached = foldCache.get(code);
  if (cached !== undefined) return cached;
  const lower = String.fromCharCode(code).toLowerCase();
  // A few letters lower-case to two code units (İ → i̇); those compare as themselves.
  const folded = lower.length === 1 ? lower.charCodeAt(0) : code;
  foldCache.set(code, folded);
  return folded;
}

/** Folds a whole string the way `foldCode` folds each unit, so patterns and subjects agree. */
export function foldText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += String.fromCharCode(foldCode(text.charCodeAt(i)));
  return out;
}

/** A folded pattern split at `*`; one part means no wildcard. */
export interface Glob {
  readonly parts: readonly string[];
}

export function compileGlob(pattern: string): Glob {
  return { parts: foldText(pattern).split('*') };
}

/** Does folded `part` occur in `subject` at `at`? */
function matchesAt(subject: string, part: string, at: number): boolean {
  for (let i = 0; i < part.length; i++) {
    if (foldCode(subject.charCodeAt(at + i)) !== part.charCodeAt(i)) return false;
  }
  return true;
}

/** First index ≥ `from` where `part` occurs wholly before `end`, or -1. */
function indexOfPart(subject: string, part: string, from: number, end: number): number {
  for (let at = from; at + part.length <= end; at++) {
    if (matchesAt(subject, part, at)) return at;
  }
  return -1;
}

/** The whole of `subject` matches the glob (`*` matches any run, including none). */
export function globEquals(subject: string, glob: Glob): boolean {
  const parts = glob.parts;
  const first = parts[0] ?? '';
  if (parts.length === 1) return subject.length === first.length && matchesAt(subject, first, 0);
  const last = parts[parts.length - 1] ?? '';
  const end = subject.length - last.length;
  if (end < first.length || !matchesAt(subject, first, 0) || !matchesAt(subject, last, end)) return false;
  let position = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const found = indexOfPart(subject, part, position, end);
    if (found < 0) return false;
    position = found + part.length;
  }
  return true;
}

/** Some part of `subject` matches the glob: a substring search when the pattern has no `*`. */
export function globContains(subject: string, glob: Glob): boolean {
  const parts = glob.parts;
  let position = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const found = indexOfPart(subject, part, position, subject.length);
    if (found < 0) return false;
    position = found + part.length;
  }
  return true;
}
