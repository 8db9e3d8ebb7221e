import './ui.css';

interface NewItemsButtonProps {
  count: number;
  /** What a click does, after the count: "show newest", "resume". */
  action: string;
  /** The list's newest edge, where the button floats. */
  edge: 'top' | 'bottom';
  /** Said first, e.g. "paused". */
  note?: string;
  onClick: () => void;
}

/** "N new · show newest": floats over a held list and brings it back to live. */
export function NewItemsButton({ count, action, edge, note, onClick }: NewItemsButtonProps) {
  return (
    <button type="button" className="new-items" data-edge={edge} onClick={onClick}>
      {note && `${note} · `}
      {count} new · {action}
    </button>
  );
}
