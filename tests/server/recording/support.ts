/** Helpers for the recording tests: a browser store fed like src/realtime feeds it, a hand-driven clock, temp files. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecodedServerFrame } from '../../../src/protocol/codec.ts';
import type { SnapshotState } from '../../../src/protocol/frames.ts';
import type { RecordingClock } from '../../../src/server/recording/clock.ts';
import { createRealtimeStore } from '../../../src/store/realtime.ts';
import { batchRanges, type TestClient } from '../support.ts';

/**
 * The browser store a client's frames build, applied as the realtime client
 * applies them (a snapshot replaces, batches fold, a logs frame replaces a
 * node's window), one frame at a time.
 */
export function storeOf(frames: readonly DecodedServerFrame[]) {
  const store = createRealtimeStore();
  for (const frame of frames) {
    const actions = store.getState();
    if (frame.kind === 'snapshot') actions.applySnapshot(frame.frame);
    else if (frame.kind === 'messages') actions.applyBatch(frame.messages, frame.rejected);
    else if (frame.kind === 'logs') actions.applyLogWindow(frame.frame.nodeId, frame.frame.lines);
  }
  return store.getState();
}

/** What a viewer sees, without what differs by when and where it was received (ids, times, seqs, epochs). */
export function viewOf(frames: readonly DecodedServerFrame[]) {
  const state = storeOf(frames);
  return {
    nodes: plain(state.nodes),
    edges: plain(state.edges),
    progress: plain(state.progress),
    charts: plain(state.charts),
    seriesByNode: plain(state.seriesByNode),
    logs: Object.fromEntries(Object.entries(state.logs).map(([id, lines]) => [id, lines.map((line) => `${line.level} ${line.text}`)])),
    events: state.events.map(({ message, severity, nodeId }) => ({ message, severity, nodeId })),
  };
}

/** A gateway's project state without times, windows keyed by name (their order is eviction bookkeeping). */
export function roomViewOf(state: SnapshotState) {
  return {
    nodes: state.nodes,
    edges: state.edges,
    progress: state.progress,
    events: state.events.map(({ message, severity, nodeId }) => ({ message, severity, nodeId })),
    series: Object.fromEntries(state.series.map((window) => [window.series, window])),
    logs: Object.fromEntries(state.logs.map((window) => [window.nodeId, window.lines.map((line) => `${line.level} ${line.text}`)])),
  };
}

function plain<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record));
}

/** The last seq a v1 client's batches accounted for (its snapshot's, before any batch). */
export function heldSeq(client: TestClient): number {
  const ranges = batchRanges(client);
  return ranges.length > 0 ? ranges[ranges.length - 1]!.to : (client.snapshot?.seq ?? -1);
}

/** A clock that moves only when slept on (or told to): pacing is checked without waiting. */
export class SteppedClock implements RecordingClock {
  time = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  wallNow(): number {
    return Date.UTC(2026, 0, 1) + this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.sleeps.push(ms);
    this.time += ms;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A clock whose sleeps end only when `release` is called (real time for everything else). */
export class HeldClock implements RecordingClock {
  private readonly pending: Array<{ ms: number; resolve: () => void }> = [];
  now(): number {
    return performance.now();
  }
  wallNow(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      this.pending.push({ ms, resolve });
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  /** Ends every pending sleep of exactly `ms`. */
  release(ms: number): void {
    for (const sleep of this.pending.filter((s) => s.ms === ms)) sleep.resolve();
  }
}

/** A temporary directory, removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; path: (name: string) => string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'meshwatch-recording-'));
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}
