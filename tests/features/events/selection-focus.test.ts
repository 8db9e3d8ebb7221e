// Tests src/store/selection.ts's focus (kept with its first user, the feed, as tests/store is not this change's).
import { beforeEach, describe, expect, it } from 'vitest';
import { useSelection } from '../../../src/store/selection.ts';

beforeEach(() => useSelection.setState({ selectedId: null, focusRequest: 0 }));

describe('selection focus', () => {
  it('selects the node and asks for focus, once per call, even for the node already selected', () => {
    const { focus } = useSelection.getState();
    focus('parser');
    expect(useSelection.getState()).toMatchObject({ selectedId: 'parser', focusRequest: 1 });
    focus('parser');
    expect(useSelection.getState()).toMatchObject({ selectedId: 'parser', focusRequest: 2 });
    focus('queue');
    expect(useSelection.getState()).toMatchObject({ selectedId: 'queue', focusRequest: 3 });
  });

  it('leaves focus requests alone when selecting (a click in the graph must not pan it)', () => {
    useSelection.getState().select('parser');
    useSelection.getState().select(null);
    expect(useSelection.getState()).toMatchObject({ selectedId: null, focusRequest: 0 });
  });

  it('tells a listener on focusRequest about a repeated focus', () => {
    const seen: number[] = [];
    const stop = useSelection.subscribe((state, previous) => {
      if (state.focusRequest !== previous.focusRequest) seen.push(state.focusRequest);
    });
    useSelection.getState().focus('parser');
    useSelection.getState().focus('parser');
    stop();
    expect(seen).toEqual([1, 2]);
  });
});
