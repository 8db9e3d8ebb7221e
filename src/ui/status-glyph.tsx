import './ui.css';
import { memo } from 'react';
import type { NodeStatus } from '../protocol/mesh.ts';

/**
 * A status as a shape as well as a colour, so it reads without colour vision:
 * healthy ●, degraded ▲, down ✕, starting ◔, unknown ◇.
 */
export const StatusGlyph = memo(function StatusGlyph({ status, size = 14 }: { status: NodeStatus; size?: number }) {
  return (
    <svg
      className="status-glyph"
      data-status={status}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
    >
      {status === 'healthy' && <circle cx="8" cy="8" r="6" fill="currentColor" />}
      {status === 'degraded' && <path d="M8 1.5 15 14.5H1Z" fill="currentColor" />}
      {status === 'down' && (
        <path d="M3 3 13 13M13 3 3 13" stroke="currentColor" strokeWidth="3.2" strokeLinecap="round" fill="none" />
      )}
      {status === 'starting' && (
        <>
          <circle cx="8" cy="8" r="5.5" stroke="currentColor" strokeWidth="2" fill="none" />
          <path d="M8 8V2.5A5.5 5.5 0 0 1 13.5 8Z" fill="currentColor" />
        </>
      )}
      {status === 'unknown' && (
        <path d="M8 1.5 14.5 8 8 14.5 1.5 8Z" stroke="currentColor" strokeWidth="2" fill="none" />
      )}
    </svg>
  );
});
