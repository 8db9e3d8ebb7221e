import { useEffect, useState } from 'react';

/** How long the region stays empty before a message is written into it. */
export const LIVE_REGION_DELAY_MS = 100;

export interface LiveRegionProps {
  message: string | null;
  politeness?: 'polite' | 'assertive';
  /**
   * Bump to announce the same message again: an unchanged string is not a
   * change to React, so without this a repeat would be silent.
   */
  revision?: number;
}

/**
 * A visually hidden live region. It is always mounted, because screen readers
 * only announce changes to a region that already existed when it changed.
 *
 * Each new message first empties the region, then writes the text in a later
 * task: screen readers (VoiceOver above all) stay silent when a region's text
 * is replaced by identical text, or replaced within the same task, but do
 * speak text that arrives in a region they last saw empty.
 */
export function LiveRegion({ message, politeness = 'polite', revision = 0 }: LiveRegionProps) {
  const [text, setText] = useState('');

  useEffect(() => {
    setText('');
    if (message === null || message === '') return;
    const timer = setTimeout(() => setText(message), LIVE_REGION_DELAY_MS);
    return () => clearTimeout(timer);
  }, [message, revision]);

  return (
    <div
      className="visually-hidden"
      role={politeness === 'assertive' ? 'alert' : 'status'}
      aria-live={politeness}
      aria-atomic="true"
    >
      {text}
    </div>
  );
}
