/**
 * What a gateway needs to serve projects together with other gateways
 * (DESIGN.md, "Scale-out"): one sequencer per project, a replay buffer every
 * gateway can read, and fan-out of every message to every gateway. The
 * embedded default is none of this (a gateway stamps its own projects);
 * redis-streams.ts is the implementation.
 */
import type { Payload } from '../../protocol/messages.ts';
import type { Room } from '../room.ts';

/** Where a shared run of messages landed. */
export interface AppendResult {
  epoch: string;
  /** Seqs of the first and last message of the run. */
  first: number;
  last: number;
}

/** Counters of the shared streams, for stats and /metrics. */
export interface SharedStreamStats {
  /** Messages appended by this gateway. */
  appended: number;
  /** Messages read from the shared streams and handed to rooms. */
  ingested: number;
  /** Times a room was (re)loaded from a snapshot and the stream: a project opened here, or a gap. */
  loads: number;
  /** Loads that found the stream no longer reaching back to the snapshot (history lost; the state may lack some of it). */
  incompleteLoads: number;
  /** Snapshots this gateway wrote for other gateways to start from. */
  snapshotsWritten: number;
  /** Failed Redis calls (each retried or reported). */
  errors: number;
  /** Stream entries this gateway could not read: shown as a warning event in their place, or skipped when they had no seq. */
  unreadable: number;
  /** Times a project's counter was found to have gone back (Redis restarted from older data) and was raised. */
  regressions: number;
  /** Projects this gateway follows. */
  following: number;
}

export interface SharedStreams {
  /**
   * Stamps `payloads` in the project's one sequence and fans them out to
   * every gateway, this one included. `floor`: the epoch and seq this gateway
   * holds, which the new seqs must follow (a counter that went back is raised).
   */
  append(projectId: string, payloads: readonly Payload[], options?: { startOver?: boolean; floor?: { epoch: string; seq: number } }): Promise<AppendResult>;
  /**
   * Starts feeding `room` with the project's shared stream: the room is
   * marked loading, restored from the latest snapshot and the stream, then
   * given every message as it is appended anywhere.
   */
  follow(projectId: string, room: Room): void;
  /** Stops feeding the project's room (it was dropped). */
  unfollow(projectId: string, room: Room): void;
  stats(): SharedStreamStats;
  close(): Promise<void>;
}
