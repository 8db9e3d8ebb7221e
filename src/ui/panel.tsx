import './ui.css';
import { useId, type ReactNode } from 'react';

interface PanelProps {
  title: ReactNode;
  /** Controls shown at the right of the title bar (filters, buttons). */
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}

/** A titled region of the dashboard; its heading names it for assistive technology. */
export function Panel({ title, actions, children, className }: PanelProps) {
  const headingId = useId();
  return (
    <section className={`panel${className ? ` ${className}` : ''}`} aria-labelledby={headingId}>
      <header className="panel__header">
        <h2 id={headingId} className="panel__title">
          {title}
        </h2>
        {actions && <div className="panel__actions">{actions}</div>}
      </header>
      <div className="panel__body">{children}</div>
    </section>
  );
}
