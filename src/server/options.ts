/** Helpers for the options objects of the server's factories and classes. */

/**
 * `value` without its `undefined` fields, so that spreading it over defaults
 * keeps a default where a caller passed `{ x: undefined }` (as options built
 * from optional settings often do).
 */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
