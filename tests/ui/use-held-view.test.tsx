// @vitest-environment jsdom
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useHeldView, type HeldView } from '../../src/ui/use-held-view.ts';

afterEach(cleanup);

const countNew = (live: readonly number[], shown: readonly number[]) => live.length - shown.length;

interface ProbeProps {
  live: readonly number[];
  paused?: boolean;
  resetKey?: unknown;
  onReset?: () => void;
  seen: Array<HeldView<readonly number[]>>;
  /** The reset key of each render, beside `seen`. */
  keys?: unknown[];
}

function Probe({ live, paused = false, resetKey, onReset, seen, keys }: ProbeProps) {
  seen.push(useHeldView(live, countNew, paused, resetKey, onReset));
  keys?.push(resetKey);
  return null;
}

describe('useHeldView', () => {
  it('holds what was live while the reader is away, and counts what arrived', () => {
    const seen: Array<HeldView<readonly number[]>> = [];
    const first = [1];
    const { rerender } = render(<Probe live={first} seen={seen} />);
    act(() => seen.at(-1)!.setAway(true));
    rerender(<Probe live={[1, 2, 3]} seen={seen} />);
    expect(seen.at(-1)).toMatchObject({ shown: first, held: true, newCount: 2 });
    act(() => seen.at(-1)!.release());
    expect(seen.at(-1)).toMatchObject({ shown: [1, 2, 3], held: false, newCount: 0 });
  });

  it('lets go of a hold taken for scrolling away when the reset key changes, and tells the owner once it is drawn', () => {
    const seen: Array<HeldView<readonly number[]>> = [];
    const keys: unknown[] = [];
    const onReset = vi.fn();
    const past = [1, 2];
    const { rerender } = render(<Probe live={past} resetKey="moment" onReset={onReset} seen={seen} keys={keys} />);
    act(() => seen.at(-1)!.setAway(true));
    rerender(<Probe live={[1, 2, 3, 4]} resetKey="moment" onReset={onReset} seen={seen} keys={keys} />);
    expect(seen.at(-1)!.shown).toBe(past);
    expect(onReset).not.toHaveBeenCalled();

    const live = [1, 2, 3, 4, 5];
    rerender(<Probe live={live} resetKey="live" onReset={onReset} seen={seen} keys={keys} />);
    expect(seen.at(-1)).toMatchObject({ shown: live, held: false, newCount: 0 });
    // No render with the new key showed the old hold, not even the first.
    expect(seen.filter((_, i) => keys[i] === 'live').every((view) => view.shown === live)).toBe(true);
    expect(onReset).toHaveBeenCalledTimes(1);
    rerender(<Probe live={[...live, 6]} resetKey="live" onReset={onReset} seen={seen} keys={keys} />);
    expect(seen.at(-1)!.held).toBe(false);
    expect(onReset).toHaveBeenCalledTimes(1);
  });

  it('takes a paused hold again from what is live when the reset key changes', () => {
    const seen: Array<HeldView<readonly number[]>> = [];
    const { rerender } = render(<Probe live={[1]} paused resetKey={1} seen={seen} />);
    rerender(<Probe live={[1, 2]} paused resetKey={1} seen={seen} />);
    expect(seen.at(-1)).toMatchObject({ shown: [1], newCount: 1 });
    const now = [1, 2, 3];
    rerender(<Probe live={now} paused resetKey={2} seen={seen} />);
    expect(seen.at(-1)).toMatchObject({ shown: now, held: true, newCount: 0 });
    rerender(<Probe live={[1, 2, 3, 4]} paused resetKey={2} seen={seen} />);
    expect(seen.at(-1)).toMatchObject({ shown: now, held: true, newCount: 1 });
  });

  it('does not call onReset on mount', () => {
    const onReset = vi.fn();
    render(<Probe live={[1]} resetKey={false} onReset={onReset} seen={[]} />);
    expect(onReset).not.toHaveBeenCalled();
  });
});
