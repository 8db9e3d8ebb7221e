/**
 * The find/hide box: an expression (`kind=fetcher and errors > 2%`,
 * `status!=healthy`) and what to do with its matches: highlight them (the
 * rest dimmed), hide the rest, or focus the view on them. What is typed shows
 * at once and is applied when typing pauses; a mistake is pointed at.
 */
import debounce from 'lodash.debounce';
import { useEffect, useId, useMemo, useState } from 'react';
import { useShown } from '../../store/shown.ts';
import { FIND_FIELDS } from './find/find-expression.ts';
import { useFindResult } from './find-store.ts';
import { FIND_MODES, type FindMode } from './view-params.ts';
import { useTopologyView } from './view-store.ts';

const APPLY_AFTER_MS = 250;
const HELP = `Fields: ${FIND_FIELDS.map((f) => f.name).join(', ')}. Operators: = != > >= < <= ~ (contains). Combine with and, or, not, ( ). Example: kind=fetcher and errors > 2%`;

function countMeshMatches(matches: ReadonlySet<string>): number {
  const { nodes } = useShown.getState();
  let count = 0;
  for (const id of matches) if (id in nodes) count++;
  return count;
}

export function FindBox() {
  const applied = useTopologyView((s) => s.params.find);
  const mode = useTopologyView((s) => s.params.mode);
  const setFind = useTopologyView((s) => s.setFind);
  const setMode = useTopologyView((s) => s.setMode);
  const matches = useFindResult((s) => s.matches);
  const error = useFindResult((s) => s.error);
  const version = useShown((s) => s.topologyVersion);
  // Counted when the structure changes, not on every stats update.
  const total = useMemo(() => (version >= 0 ? Object.keys(useShown.getState().nodes).length : 0), [version]);
  const [text, setText] = useState(applied);
  const helpId = useId();

  // The URL (or a reset) changed the applied expression: show it.
  useEffect(() => setText(applied), [applied]);
  const apply = useMemo(() => debounce((value: string) => useTopologyView.getState().setFind(value), APPLY_AFTER_MS), []);
  useEffect(() => () => apply.flush(), [apply]);

  // Matches hold folded groups' boxes too; the count is of mesh nodes.
  const matchCount = matches === null ? null : countMeshMatches(matches);
  return (
    <div className="find-box" role="search" aria-label="Find nodes">
      <input
        className="field find-box__input"
        type="search"
        aria-label="Find nodes by expression"
        aria-describedby={helpId}
        aria-invalid={error !== null || undefined}
        placeholder="find: kind=fetcher and errors > 2%"
        value={text}
        spellCheck={false}
        onChange={(event) => {
          setText(event.target.value);
          apply(event.target.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            apply.cancel();
            setFind(text);
            if (mode === 'focus' && text === applied) useTopologyView.getState().requestFit([...(useFindResult.getState().matches ?? [])]);
          } else if (event.key === 'Escape' && text !== '') {
            apply.cancel();
            setText('');
            setFind('');
          }
        }}
      />
      <div className="find-box__modes" role="radiogroup" aria-label="What to do with matches">
        {FIND_MODES.map((m: FindMode) => (
          <label key={m} className="find-box__mode" data-checked={m === mode || undefined}>
            <input type="radio" name="find-mode" value={m} checked={m === mode} onChange={() => setMode(m)} />
            {m}
          </label>
        ))}
      </div>
      {/* Not a live region: a find on live numbers refreshes its count twice a second. */}
      <span id={helpId} className="find-box__status" title={HELP}>
        {error
          ? `${error.message} (at ${error.at + 1})`
          : matchCount !== null
            ? `${matchCount.toLocaleString('en')} of ${total.toLocaleString('en')} match`
            : ''}
      </span>
    </div>
  );
}
