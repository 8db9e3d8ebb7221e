/**
 * Each node's status changes (`RealtimeData.statusHistory`): appended to by
 * batches, carried across snapshots, bounded per node. The record's keys
 * follow `nodes`, which the protocol bounds.
 */
import type { MeshNode, NodeStatus } from '../protocol/mesh.ts';
import type { Envelope } from '../protocol/messages.ts';
import { copyRecord, emptyRecord, type Dict } from './records.ts';
import type { StatusChange } from './types.ts';

type History = Dict<readonly StatusChange[]>;

/**
 * The status history as one batch changes it. Shaped like the batch's other
 * collections: the record and each touched node's array are copied once, on
 * first touch, then mutated in place; trimming waits for `finish`. Untouched
 * arrays, and the record when nothing changed, keep their identity.
 */
export class StatusHistoryDraft {
  private record: History | null = null;
  /** Arrays copied in this batch, safe to mutate. */
  private readonly own = new Map<string, StatusChange[]>();

  constructor(
    private readonly base: Readonly<History>,
    private readonly max: number,
  ) {}

  append(id: string, ts: number, status: NodeStatus): void {
    let changes = this.own.get(id);
    if (!changes) {
      const record = (this.record ??= copyRecord(this.base));
      const held = record[id];
      changes = held ? held.slice() : [];
      record[id] = changes;
      this.own.set(id, changes);
    }
    changes.push({ ts, status });
    // A batch that flaps one node thousands of times must not hold thousands of entries meanwhile.
    if (changes.length > 2 * this.max) changes.splice(0, changes.length - this.max);
  }

  drop(id: string): void {
    if (!(this.record ?? this.base)[id]) return;
    delete (this.record ??= copyRecord(this.base))[id];
    this.own.delete(id);
  }

  /** The new record, every touched array within the bound; null when the batch changed no history. */
  finish(): History | null {
    for (const changes of this.own.values()) {
      if (changes.length > this.max) changes.splice(0, changes.length - this.max);
    }
    return this.record;
  }
}

/**
 * The history after a snapshot that leaves the mesh as `nodes`: a node kept
 * across it keeps its history, plus an entry at `at` if its status is not the
 * last one recorded; a new node gets one entry at `at`; a node gone loses its
 * history.
 */
export function historyAfterSnapshot(before: Readonly<History>, nodes: Readonly<Dict<MeshNode>>, at: number, max: number): History {
  const history = emptyRecord<readonly StatusChange[]>();
  for (const id of Object.keys(nodes)) {
    const status = nodes[id]!.status;
    const held = before[id];
    const last = held?.[held.length - 1];
    if (!held || !last) history[id] = [{ ts: at, status }];
    else if (last.status === status) history[id] = held;
    else {
      // The local clock may lag the gateway's: never record a change before the one it follows.
      const next = held.slice(Math.max(0, held.length + 1 - max));
      next.push({ ts: Math.max(at, last.ts), status });
      history[id] = next;
    }
  }
  return history;
}

/**
 * When a snapshot's statuses held, as best the client can tell: a snapshot
 * frame carries no time of its own. The messages published just after it
 * carry the gateway's nearest stamp, and taking the oldest keeps every change
 * they make after the snapshot's; without them, the local clock.
 */
export function snapshotTime(after: readonly Envelope[], now: () => number = Date.now): number {
  if (after.length === 0) return now();
  let oldest = after[0]!.ts;
  for (const message of after) if (message.ts < oldest) oldest = message.ts;
  return oldest;
}
