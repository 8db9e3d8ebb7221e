import './ui.css';
import { memo, useId, useState } from 'react';
import { FILTER_DEBOUNCE_MS } from './filter-input.tsx';
import { useDebouncedCallback } from './use-debounced-callback.ts';

interface SuggestInputProps {
  label: string;
  placeholder?: string;
  /** Offered as the user types (the browser's own list); any other text may be typed too. */
  suggestions: readonly string[];
  /** Called once typing pauses, or at once when a suggestion is picked, Enter is pressed or the box is cleared. */
  onChange: (text: string) => void;
  delayMs?: number;
  className?: string;
}

/**
 * A filter box with suggestions: a combobox for a value picked from what is
 * present (a node id), that also takes typing. Typing reaches the owner
 * debounced, so the partial words on the way to a value do not each filter
 * the list.
 */
export function SuggestInput({ label, placeholder, suggestions, onChange, delayMs = FILTER_DEBOUNCE_MS, className }: SuggestInputProps) {
  const listId = useId();
  const [text, setText] = useState('');
  const { later, now } = useDebouncedCallback(onChange, delayMs);
  return (
    <>
      <input
        className={`field filter-input${className ? ` ${className}` : ''}`}
        type="search"
        list={listId}
        aria-label={label}
        placeholder={placeholder ?? label}
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(event) => {
          const value = event.target.value;
          setText(value);
          // A pick from the list is a whole value: no reason to wait.
          if (value === '' || suggestions.includes(value)) now(value);
          else later(value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') now(text);
          if (event.key === 'Escape' && text !== '') {
            setText('');
            now('');
          }
        }}
      />
      <Suggestions id={listId} values={suggestions} />
    </>
  );
}

/** Re-rendered only when the suggestions change, not on every keystroke. */
const Suggestions = memo(function Suggestions({ id, values }: { id: string; values: readonly string[] }) {
  return (
    <datalist id={id}>
      {values.map((value) => (
        <option key={value} value={value} />
      ))}
    </datalist>
  );
});
