// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Counters } from '../../src/app/counters.tsx';
import { useRealtime } from '../../src/store/realtime.ts';
import { envelope, loadCrawlerMesh, resetStores } from '../features/mesh-fixtures.ts';

/** Each Counter formats its number once per render: the calls count the counters' renders. */
const formatted = vi.hoisted(() => ({ values: [] as number[] }));
vi.mock('../../src/lib/format.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/lib/format.ts')>();
  return {
    ...actual,
    formatCompact(value: number) {
      formatted.values.push(value);
      return actual.formatCompact(value);
    },
  };
});

beforeEach(resetStores);
afterEach(cleanup);

describe('stream counters', () => {
  it('re-renders only the counter whose number changed', () => {
    loadCrawlerMesh();
    render(<Counters />);
    const counters = screen.getByLabelText('Stream counters');
    const value = (name: string) => within(counters).getByText(name).nextElementSibling?.textContent;
    expect(value('nodes')).toBe('7');

    formatted.values.length = 0;
    act(() => useRealtime.getState().applyBatch([envelope({ type: 'event', message: 'tick', severity: 'info' })]));
    expect(value('received')).toBe('1');
    expect(formatted.values).toEqual([1]);
  });
});
