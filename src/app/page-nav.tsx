import type { Page } from './page-param.ts';

const LABELS: Record<Page, string> = { overview: 'Overview', dashboard: 'Dashboard' };

/** Overview (graph, feed, core charts) or Dashboard (every series, arranged by the user). */
export function PageNav({ page, onChange }: { page: Page; onChange: (page: Page) => void }) {
  return (
    <nav className="page-nav" aria-label="Pages">
      {(Object.keys(LABELS) as Page[]).map((each) => (
        <button
          key={each}
          type="button"
          className="page-nav__tab"
          aria-current={each === page ? 'page' : undefined}
          onClick={() => onChange(each)}
        >
          {LABELS[each]}
        </button>
      ))}
    </nav>
  );
}
