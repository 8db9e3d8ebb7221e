/**
 * The rooms a gateway holds, and for how long. A room is opened by its
 * project's first viewer or publish; it is dropped once nobody has watched or
 * fed it for a while, or evicted for another project when the table is full,
 * so the number of distinct projects over a gateway's life is not bounded by
 * how many it holds at once.
 */
import { Room, type RoomOptions } from './room.ts';
import type { Scheduler } from './scheduler.ts';

/** Why a project's room was created: a viewer connected, or a payload was published to it. */
export type ProjectOpenCause = 'connection' | 'publish';

/** Why a project's room was dropped: nobody watched or fed it for the idle timeout, or another project needed its place. */
export type ProjectCloseCause = 'idle' | 'evicted';

/** What a gateway gives its room table. */
export interface RoomTableOptions {
  /** The gateway's epoch; each room's is this plus a generation, new for every room opened or started over. */
  epoch: string;
  maxRooms: number;
  /** A room with no members and no activity for this long is dropped by `dropIdle`. */
  idleTimeoutMs: number;
  scheduler: Pick<Scheduler, 'now'>;
  room: RoomOptions;
  onOpened: (projectId: string, room: Room, cause: ProjectOpenCause) => void;
  onClosed: (projectId: string, room: Room, cause: ProjectCloseCause) => void;
}

interface Entry {
  room: Room;
  /** When something last happened to the room (opened, a publish, a member leaving), on the scheduler's clock. */
  lastActiveAt: number;
}

/** Rooms by project id, at most `maxRooms` of them. */
export class RoomTable {
  private readonly entries = new Map<string, Entry>();
  private generations = 0;
  private droppedCount = 0;

  constructor(private readonly options: RoomTableOptions) {}

  get(projectId: string): Room | undefined {
    return this.entries.get(projectId)?.room;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Rooms dropped so far, idle or evicted. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * The project's room, opened if needed. When the table is full, the room
   * without members that has been quiet longest is dropped for it; null when
   * every room has members.
   */
  open(projectId: string, cause: ProjectOpenCause): Room | null {
    const existing = this.entries.get(projectId);
    if (existing) return existing.room;
    // A loop, not an `if`: the hook told of an eviction could itself have opened a room.
    while (this.entries.size >= this.options.maxRooms) if (!this.evictQuietest()) return null;
    // A room of its own epoch: a project dropped and opened again starts over at seq 1, as a new stream.
    const room = new Room(projectId, this.nextEpoch(), this.options.room);
    this.entries.set(projectId, { room, lastActiveAt: this.options.scheduler.now() });
    this.options.onOpened(projectId, room, cause);
    return room;
  }

  /** Starts `room`'s stream over (Room.reset) under an epoch no room of this table has had. */
  reset(room: Room): void {
    room.reset(this.nextEpoch());
    this.touch(room);
  }

  /** Something happened to `room` (a publish, a member leaving): its idle time starts again. */
  touch(room: Room): void {
    const entry = this.entries.get(room.projectId);
    if (entry?.room === room) entry.lastActiveAt = this.options.scheduler.now();
  }

  /** Drops every room without members that has had no activity for `idleTimeoutMs`. */
  dropIdle(): void {
    const idleSince = this.options.scheduler.now() - this.options.idleTimeoutMs;
    for (const [projectId, { room, lastActiveAt }] of [...this.entries]) {
      if (room.memberCount === 0 && lastActiveAt <= idleSince) this.drop(projectId, room, 'idle');
    }
  }

  private nextEpoch(): string {
    return `${this.options.epoch}.${++this.generations}`;
  }

  private evictQuietest(): boolean {
    // A linear scan, but only when the table is full, and it holds at most `maxRooms`.
    let quietest: [string, Entry] | undefined;
    for (const entry of this.entries) {
      if (entry[1].room.memberCount === 0 && (!quietest || entry[1].lastActiveAt < quietest[1].lastActiveAt)) quietest = entry;
    }
    if (!quietest) return false;
    this.drop(quietest[0], quietest[1].room, 'evicted');
    return true;
  }

  private drop(projectId: string, room: Room, cause: ProjectCloseCause): void {
    this.entries.delete(projectId);
    this.droppedCount++;
    room.dispose();
    this.options.onClosed(projectId, room, cause);
  }
}
