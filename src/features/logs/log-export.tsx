import { useEffect, useState } from 'react';
import { copyText } from '../../lib/copy-text.ts';
import { downloadText } from '../../lib/download.ts';
import type { StoredLogLine } from '../../store/realtime.ts';
import { describeLines, formatLogText, logFileName } from './log-text.ts';

/** Long enough to read "copied 214 lines", short enough not to describe a copy long past. */
export const EXPORT_STATUS_MS = 2_500;

interface LogExportProps {
  nodeId: string;
  /** The lines as shown: filtered, held, up to the moment shown. */
  lines: readonly StoredLogLine[];
  /** The moment shown (null while live): the file is named for it. */
  moment: number | null;
}

/** Copy and Download for the lines on screen, and a brief word on how it went. */
export function LogExport({ nodeId, lines, moment }: LogExportProps) {
  // A new object per outcome, so the same words twice still restart the timer.
  const [status, setStatus] = useState<{ text: string } | null>(null);
  useEffect(() => {
    if (status === null) return;
    const timer = setTimeout(() => setStatus(null), EXPORT_STATUS_MS);
    return () => clearTimeout(timer);
  }, [status]);

  const empty = lines.length === 0;
  const copy = async () => {
    const copied = await copyText(formatLogText(lines));
    setStatus({ text: copied ? `copied ${describeLines(lines.length)}` : 'could not copy; try Download' });
  };
  const download = () => {
    downloadText(logFileName(nodeId, moment ?? Date.now()), formatLogText(lines));
    setStatus({ text: `saved ${describeLines(lines.length)}` });
  };

  return (
    <>
      <button type="button" className="button" disabled={empty} onClick={() => void copy()}>
        Copy
      </button>
      <button type="button" className="button" disabled={empty} onClick={download}>
        Download
      </button>
      {/* Always mounted: a live region announces changes only to a region that already existed. */}
      <span className="logs__status" role="status">
        {status?.text}
      </span>
    </>
  );
}
