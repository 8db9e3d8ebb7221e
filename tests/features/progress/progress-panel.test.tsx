// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressPanel } from '../../../src/features/progress/progress-panel.tsx';
import { feed, resetStores } from '../mesh-fixtures.ts';

beforeEach(resetStores);
afterEach(cleanup);

describe('progress panel', () => {
  it('shows a bar per run with percent, step and status', () => {
    render(<ProgressPanel />);
    expect(screen.getByText('No runs yet')).toBeTruthy();

    feed(
      { type: 'progress', progress: { id: 'crawl', label: 'Crawl example.org', percent: 42.4, status: 'running', step: 3, steps: 7 } },
      { type: 'progress', progress: { id: 'index', label: 'Rebuild index', percent: 100, status: 'complete' } },
    );
    const crawl = screen.getByRole('progressbar', { name: 'Crawl example.org' });
    expect(crawl.getAttribute('aria-valuenow')).toBe('42');
    expect(crawl.getAttribute('aria-valuetext')).toBe('42 % · step 3 of 7 · running');
    expect(screen.getByRole('progressbar', { name: 'Rebuild index' }).getAttribute('aria-valuetext')).toBe('100 % · complete');

    feed({ type: 'progress', progress: { id: 'crawl', label: 'Crawl example.org', percent: 61, status: 'failed', step: 4, steps: 7 } });
    expect(crawl.getAttribute('aria-valuetext')).toBe('61 % · step 4 of 7 · failed');
    expect(crawl.closest('li')?.getAttribute('data-status')).toBe('failed');
  });
});
