/** Whether `a` and `b` hold the same items (`Object.is`) in the same order: a list rebuilt every frame compared with the one drawn. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
