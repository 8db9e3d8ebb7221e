import './ui.css';
import debounce from 'lodash.debounce';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';

export const FILTER_DEBOUNCE_MS = 200;

interface FilterInputProps {
  label: string;
  placeholder?: string;
  /** Called with the text once typing pauses, so a long list is filtered once, not per keystroke. */
  onChange: (text: string) => void;
  delayMs?: number;
}

/** A search box whose value reaches its owner debounced; what is typed shows at once. */
export function FilterInput({ label, placeholder, onChange, delayMs = FILTER_DEBOUNCE_MS }: FilterInputProps) {
  const [text, setText] = useState('');
  // The latest callback, read when the delay ends: an owner that re-renders
  // with a new inline callback must not restart (or drop) the pending call.
  const onChangeRef = useRef(onChange);
  useLayoutEffect(() => {
    onChangeRef.current = onChange;
  });
  const debounced = useMemo(() => debounce((value: string) => onChangeRef.current(value), delayMs), [delayMs]);
  // Deliver what was typed rather than drop it; no timer outlives the input.
  useEffect(() => () => debounced.flush(), [debounced]);
  return (
    <input
      className="field filter-input"
      type="search"
      aria-label={label}
      placeholder={placeholder ?? label}
      value={text}
      onChange={(event) => {
        setText(event.target.value);
        debounced(event.target.value);
      }}
      onKeyDown={(event) => {
        // Escape clears at once: no reason to wait for a pause that already happened.
        if (event.key === 'Escape' && text !== '') {
          setText('');
          debounced.cancel();
          onChange('');
        }
      }}
    />
  );
}
