import './ui.css';
import { memo } from 'react';
import type { Severity } from '../protocol/mesh.ts';

/** A severity or log level as a short word on its colour, the same in the feed and the logs. */
export const SeverityTag = memo(function SeverityTag({ severity }: { severity: Severity }) {
  return (
    <span className="severity-tag" data-severity={severity}>
      {severity}
    </span>
  );
});
