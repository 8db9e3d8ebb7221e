/**
 * Progress output of long-running commands, on stderr (stdout stays for
 * data): on a terminal one line rewritten in place about 4 times a second;
 * otherwise (a log file, CI) a line every 10 seconds, so the log stays readable.
 */
export interface ProgressLine {
  /** Shows `text` when it is time to (throttled). */
  update(text: string): void;
  /** Shows `text` now and ends the line. */
  done(text: string): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressLine {
  const tty = stream.isTTY === true;
  const everyMs = tty ? 250 : 10_000;
  let last = -Infinity;
  let shown = false;
  return {
    update(text) {
      const t = now();
      if (t - last < everyMs) return;
      last = t;
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
        shown = true;
      } else stream.write(`${text}\n`);
    },
    done(text) {
      stream.write(tty && shown ? `\r\x1b[2K${text}\n` : `${text}\n`);
      shown = false;
    },
  };
}

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds as m:ss (or h:mm:ss). */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
