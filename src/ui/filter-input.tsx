import './ui.css';
import { useState } from 'react';
import { useDebouncedCallback } from './use-debounced-callback.ts';

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
  const deliver = useDebouncedCallback(onChange, delayMs);
  return (
    <input
      className="field filter-input"
      type="search"
      aria-label={label}
      placeholder={placeholder ?? label}
      value={text}
      onChange={(event) => {
        setText(event.target.value);
        deliver.later(event.target.value);
      }}
      onKeyDown={(event) => {
        // Escape clears at once: no reason to wait for a pause that already happened.
        if (event.key === 'Escape' && text !== '') {
          setText('');
          deliver.now('');
        }
      }}
    />
  );
}
