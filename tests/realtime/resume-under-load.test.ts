/**
 * The real client against the real gateway while the gateway publishes
 * without pause and the link is cut again and again: every resume must
 * replay exactly what was missed, so that each seq reaches the store once,
 * and the client ends up holding the gateway's mesh.
 */
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { closeReason } from '../../src/protocol/close-codes.ts';
import { NODE_STATUSES } from '../../src/protocol/mesh.ts';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import type { FrameScheduler } from '../../src/lib/frame-scheduler.ts';
import { RealtimeConnection, type SocketLike } from '../../src/realtime/connection.ts';
import type { RealtimeSink } from '../../src/realtime/inbound-queue.ts';
import type { Connection } from '../../src/server/connection.ts';
import { createRealtimeStore } from '../../src/store/realtime.ts';
import type { SyncInfo } from '../../src/store/types.ts';
import { prng } from '../support/prng.ts';
import { startGateway, waitFor, type RunningGateway } from '../server/support.ts';

const PROJECT = 'under-load';
const NODES = Array.from({ length: 12 }, (_, i) => `n${i}`);
const PAYLOADS_PER_TICK = 20;
const TICK_MS = 5;
/** Cuts of the link: the first a dropped TCP connection (1006 at the client), the rest 1001 with a short retryAfterMs. */
const CUTS = 12;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Drains on the next turn of the event loop: Node has no animation frames. */
function drainSoon(callback: () => void): FrameScheduler {
  let pending = false;
  return {
    request() {
      if (pending) return;
      pending = true;
      setImmediate(() => {
        if (!pending) return;
        pending = false;
        callback();
      });
    },
    flush() {
      if (!pending) return;
      pending = false;
      callback();
    },
    cancel() {
      pending = false;
    },
  };
}

/** The gateway's live (not yet detached) connections: the test reaches in to cut them. */
function liveConnections(running: RunningGateway): Connection[] {
  const all = (running.gateway as unknown as { connections: Set<Connection> }).connections;
  return [...all].filter((connection) => !connection.isDetached);
}

describe('resuming under load', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('receives every seq exactly once across a dozen cuts of the link, and ends with the gateway’s mesh', { timeout: 30_000 }, async () => {
    const running = await startGateway({ flushIntervalMs: 20 });
    cleanups.push(() => running.close());
    const { gateway } = running;
    for (const id of NODES) gateway.publish(PROJECT, { type: 'node-upsert', node: { id, label: id, kind: 'fetcher', status: 'healthy' } });

    // The store, behind a sink that records every envelope handed to it and how each (re)connection caught up.
    const store = createRealtimeStore();
    const target = store.getState();
    const counts = new Map<number, number>();
    const snapshotSeqs: number[] = [];
    const syncs: SyncInfo[] = [];
    const record = (messages: readonly Envelope[]) => {
      for (const { seq } of messages) counts.set(seq, (counts.get(seq) ?? 0) + 1);
    };
    const sink: RealtimeSink = {
      applyBatch: (messages, rejected) => {
        record(messages);
        target.applyBatch(messages, rejected);
      },
      applySnapshot: (frame, after = [], rejected) => {
        snapshotSeqs.push(frame.seq);
        record(after);
        target.applySnapshot(frame, after, rejected);
      },
      noteStream: (note) => {
        if (note.sync) syncs.push(note.sync);
        target.noteStream(note);
      },
      applyLogWindow: target.applyLogWindow,
      clearMesh: target.clearMesh,
      setConnection: target.setConnection,
      setPresence: target.setPresence,
    };
    const client = new RealtimeConnection({
      url: running.url(PROJECT),
      sink,
      createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
      createScheduler: drainSoon,
      random: () => 0,
    });
    client.start();
    cleanups.push(() => client.stop());
    await waitFor(() => snapshotSeqs.length === 1, 'first snapshot');
    const firstSnapshotSeq = snapshotSeqs[0]!;

    // The publisher: 20 payloads every 5 ms, over a fixed set of nodes.
    const rng = prng(42);
    let publishing = true;
    let published = 0;
    let refused = 0;
    const nextPayload = (): Payload => {
      const id = rng.pick(NODES);
      switch (rng.int(3)) {
        case 0:
          return { type: 'node-status', id, status: rng.pick(NODE_STATUSES) };
        case 1:
          return { type: 'chart-point', series: `load:${id}`, nodeId: id, value: { t: published, y: rng.next() } };
        default:
          return { type: 'event', message: `tick ${published}`, severity: 'info', nodeId: id };
      }
    };
    const publisher = (async () => {
      while (publishing) {
        for (let i = 0; i < PAYLOADS_PER_TICK; i++) {
          if (gateway.publish(PROJECT, nextPayload()).ok) published++;
          else refused++;
        }
        await sleep(TICK_MS);
      }
    })();
    cleanups.push(async () => {
      publishing = false;
      await publisher;
    });

    // The cuts, each on a joined connection, each after some live traffic.
    const joined = () => store.getState().status === 'open' && liveConnections(running).length === 1;
    for (let cut = 0; cut < CUTS; cut++) {
      await waitFor(joined, `rejoined before cut ${cut}`, 10_000);
      await sleep(150 + rng.int(150));
      const [server] = liveConnections(running);
      if (cut === 0) server!.terminate();
      else server!.close(1001, closeReason('cut by the test', { retryAfterMs: 10 }));
      await waitFor(() => store.getState().status !== 'open', `client noticed cut ${cut}`);
    }
    await waitFor(joined, 'rejoined after the last cut', 10_000);
    await sleep(200);
    publishing = false;
    await publisher;

    const room = gateway.room(PROJECT)!;
    const head = room.seq;
    await waitFor(() => store.getState().stream.lastSeq === head, `store caught up to seq ${head}`, 10_000);

    let lost = 0;
    let duplicated = 0;
    const lostSeqs: number[] = [];
    for (let seq = firstSnapshotSeq + 1; seq <= head; seq++) {
      const times = counts.get(seq) ?? 0;
      if (times === 0) {
        lost++;
        if (lostSeqs.length < 20) lostSeqs.push(seq);
      }
      if (times > 1) duplicated += times - 1;
    }
    const outside = [...counts.keys()].filter((seq) => seq <= firstSnapshotSeq || seq > head).length;
    const modes = syncs.map((sync) => sync.mode);
    console.log(
      `resume under load: ${published} published (${refused} refused), seqs ${firstSnapshotSeq + 1}..${head}, ${CUTS} cuts, ` +
        `${syncs.length - 1} resumes (${modes.filter((mode) => mode === 'replay').length} replays, ` +
        `${syncs.slice(1).reduce((sum, sync) => sum + (sync.replayed ?? 0), 0)} messages replayed); ` +
        `lost ${lost}, duplicated ${duplicated}, outside the range ${outside}`,
    );
    if (lost > 0) console.log(`first lost seqs: ${lostSeqs.join(', ')}`);

    expect(refused).toBe(0);
    expect(head - firstSnapshotSeq).toBeGreaterThan(5_000);
    expect({ lost, duplicated, outside }).toEqual({ lost: 0, duplicated: 0, outside: 0 });
    // One snapshot (the first connect); every resume was a replay.
    expect(snapshotSeqs).toHaveLength(1);
    expect(modes).toEqual(['snapshot', ...Array.from({ length: CUTS }, () => 'replay')]);
    const state = store.getState();
    expect(state.stream).toMatchObject({ gaps: 0, rejected: 0, coalesced: 0, lastSeq: head });
    expect(state.stream.received).toBe(head - firstSnapshotSeq);
    expect(state.nodes).toEqual(Object.fromEntries(room.state.snapshot().nodes.map((node) => [node.id, node])));
  });
});
