/**
 * Which page the app shows, in the address bar as `?page=dashboard` (the
 * overview, the default, leaves it out), so a wall screen can open the
 * dashboard directly. Changing page keeps every other parameter.
 */
export const PAGES = ['overview', 'dashboard'] as const;
export type Page = (typeof PAGES)[number];

const NAME = 'page';

export function readPage(search: string): Page {
  let value: string | null = null;
  try {
    value = new URLSearchParams(search).get(NAME);
  } catch {
    // An unreadable query is the default page.
  }
  return (PAGES as readonly string[]).includes(value ?? '') ? (value as Page) : 'overview';
}

export function writePage(href: string, page: Page): string {
  const url = new URL(href, 'http://localhost');
  if (page === 'overview') url.searchParams.delete(NAME);
  else url.searchParams.set(NAME, page);
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(href);
  return absolute ? url.href : `${url.pathname}${url.search}${url.hash}`;
}
