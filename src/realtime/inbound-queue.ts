/**
 * Holds what arrived since the last animation frame, so the store is updated
 * once per frame however many frames the socket delivered.
 */
import type { DecodedServerFrame } from '../protocol/codec.ts';
import type { SnapshotFrame } from '../protocol/frames.ts';
import type { Envelope } from '../protocol/messages.ts';
import type { RealtimeActions } from '../store/types.ts';

/** What the connection needs of the store. */
export type RealtimeSink = Pick<
  RealtimeActions,
  'applySnapshot' | 'applyBatch' | 'applyLogWindow' | 'clearMesh' | 'noteStream' | 'setConnection' | 'setPresence'
>;

/** Past this many queued messages (a tab whose frames never come), apply at once rather than grow. */
export const MAX_QUEUED_MESSAGES = 20_000;

export class InboundQueue {
  private snapshot: SnapshotFrame | null = null;
  private messages: Envelope[] = [];
  private rejected = 0;

  /** Returns true when the queue is full enough that it should be drained now. */
  push(decoded: DecodedServerFrame): boolean {
    this.rejected += decoded.rejected;
    if (decoded.kind === 'snapshot') {
      // A snapshot supersedes everything queued before it.
      this.snapshot = decoded.frame;
      this.messages = [];
    } else if (decoded.kind === 'messages') {
      for (const message of decoded.messages) this.messages.push(message);
    }
    return this.messages.length >= MAX_QUEUED_MESSAGES;
  }

  get isEmpty(): boolean {
    return this.snapshot === null && this.messages.length === 0 && this.rejected === 0;
  }

  /** Applies everything queued with one store update: a snapshot (if one came) and the messages after it. */
  drain(sink: RealtimeSink): void {
    const { snapshot, messages, rejected } = this;
    this.clear();
    if (snapshot) sink.applySnapshot(snapshot, messages, rejected);
    else if (messages.length > 0 || rejected > 0) sink.applyBatch(messages, rejected);
  }

  clear(): void {
    this.snapshot = null;
    this.messages = [];
    this.rejected = 0;
  }
}
