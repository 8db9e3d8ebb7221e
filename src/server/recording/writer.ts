/**
 * Writes a recording: the header, then one line per message, counting what
 * it wrote. It reports backpressure rather than buffering without bound, so
 * a recorder can stop reading its socket while the disk catches up.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { formatHeader, formatMessage, type RecordedMessage, type RecordingHeader } from './format.ts';

/** A file path (created or truncated, and closed by `close`), or a stream the caller owns (flushed, not ended). */
export type RecordingOutput = string | Writable;

export class RecordingWriter {
  private readonly stream: Writable;
  private readonly owned: boolean;
  private messageCount = 0;
  private byteCount = 0;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(out: RecordingOutput, header: RecordingHeader) {
    this.owned = typeof out === 'string';
    this.stream = typeof out === 'string' ? createWriteStream(out) : out;
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
    this.writeLine(formatHeader(header));
  }

  /** Message lines written (the header not counted). */
  get messages(): number {
    return this.messageCount;
  }

  /** Bytes written, header and newlines included: the file's size once closed. */
  get bytes(): number {
    return this.byteCount;
  }

  /** The stream's error (disk full, no permission), once it has failed. */
  get error(): Error | null {
    return this.failure;
  }

  /** Returns false when the stream's buffer is full: wait for `onDrain` before writing much more. */
  write(message: RecordedMessage): boolean {
    this.messageCount++;
    return this.writeLine(formatMessage(message));
  }

  /** Calls `listener` once, when the buffer has drained. */
  onDrain(listener: () => void): void {
    this.stream.once('drain', listener);
  }

  /** Calls `listener` once, if the stream fails. */
  onError(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.stream.once('error', listener);
  }

  /**
   * Ends a file this writer opened (resolving once it is closed), or waits
   * until everything written to a caller's stream is flushed. Rejects with
   * the stream's error, if it failed. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: Error | null) => {
        const failure = this.failure ?? error ?? null;
        if (failure) reject(failure);
        else resolve();
      };
      if (this.failure || this.stream.destroyed) return settle();
      if (this.owned) {
        this.stream.once('close', () => settle());
        this.stream.end();
      } else {
        // A zero-length write's callback runs once every earlier write has been flushed.
        this.stream.write('', (error) => settle(error));
      }
    });
    return this.closing;
  }

  private writeLine(line: string): boolean {
    const text = `${line}\n`;
    this.byteCount += Buffer.byteLength(text);
    if (this.failure) return true;
    return this.stream.write(text);
  }
}
