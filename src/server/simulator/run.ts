/**
 * Drives a simulator in real time: publishes its initial mesh, then every
 * tick publishes what happened since the last one. Time is read here, at the
 * edge, never inside the deterministic simulator: the scheduler's monotonic
 * clock paces the ticks, the wall clock only dates the mesh's start.
 */
import type { Payload } from '../../protocol/messages.ts';
import { realScheduler, type Scheduler } from '../scheduler.ts';
import { CrawlSimulator, type SimulatorOptions } from './simulator.ts';

/** Anything payloads can be published to; a Gateway fits. */
export interface PublishTarget {
  publish(projectId: string, payload: Payload): unknown;
}

/** Simulator options plus how to drive it in real time. */
export interface StartSimulationOptions extends SimulatorOptions {
  /** How often the simulator is stepped. Default 100 ms. */
  tickMs?: number;
  /** Wall clock, ms, read once for the simulated mesh's start time. Default `Date.now`. */
  clock?: () => number;
  /** Times the ticks and measures the time between them. Default `realScheduler`, whose timers never keep the process alive. */
  scheduler?: Pick<Scheduler, 'now' | 'setInterval'>;
  /**
   * Longest stretch simulated in one tick. After a suspended laptop wakes up,
   * minutes of backlog would arrive as one burst; this drops it. Default 5 000 ms.
   */
  maxCatchUpMs?: number;
  /**
   * A failing tick stops the simulation and is reported here; so is, by a
   * registry, a project it cannot simulate (a `SimulationError`). Default: the console.
   */
  onError?: (error: unknown) => void;
}

/** Starts publishing a simulated crawler mesh to `projectId`; returns a function that stops it (idempotent). */
export function startSimulation(target: PublishTarget, projectId: string, options: StartSimulationOptions = {}): () => void {
  const { tickMs = 100, clock = Date.now, scheduler = realScheduler, maxCatchUpMs = 5_000, onError = defaultOnError, ...simOptions } = options;
  const simulator = new CrawlSimulator({ ...simOptions, now: simOptions.now ?? clock() });
  for (const payload of simulator.initial()) target.publish(projectId, payload);

  let last = scheduler.now();
  const stop = scheduler.setInterval(() => {
    try {
      const now = scheduler.now();
      const elapsed = Math.min(now - last, maxCatchUpMs);
      last = now;
      if (elapsed <= 0) return;
      for (const payload of simulator.step(elapsed)) target.publish(projectId, payload);
    } catch (error) {
      stop();
      onError(error);
    }
  }, tickMs);
  return stop;
}

/** Options for every simulation a registry starts. */
export interface SimulationRegistryOptions extends StartSimulationOptions {
  /**
   * Most projects simulated at once; a simulator costs CPU whether anyone
   * watches or not. At the limit, the simulation whose viewers left longest
   * ago is stopped for a newly watched project. Default 16.
   */
  maxSimulations?: number;
  /**
   * How long a simulation keeps running after its last viewer leaves: a viewer
   * who reloads, or comes back within it, finds the mesh still moving. Default 30 000 ms.
   */
  graceMs?: number;
  /** Times the grace periods and every simulation's ticks (a gateway passes its own, so one clock rules all). Default `realScheduler`. */
  scheduler?: Pick<Scheduler, 'now' | 'setTimeout' | 'setInterval'>;
  /** Seed for a project; default: the project id itself, so `?project=demo` is always the same mesh. */
  seedFor?: (projectId: string) => number | string;
  /**
   * Called just before a simulation publishes its initial mesh, e.g. to start
   * the project's stream over: a new simulation must not be folded into what
   * an earlier one left (its fetchers, points and events would stay, frozen).
   */
  onStart?: (projectId: string) => void;
}

/** An error the registry reports (through `onError`) with a code to tell it by. */
export class SimulationError extends Error {
  constructor(
    readonly code: 'simulation-limit',
    message: string,
  ) {
    super(message);
    this.name = 'SimulationError';
  }
}

interface Simulation {
  stop: () => void;
  /** Cancels the stop scheduled when the last viewer left; null while someone watches. */
  cancelGrace: (() => void) | null;
}

/**
 * One simulation per watched project: started when a viewer arrives
 * (`watch`), stopped a grace period after the last one leaves (`unwatch`),
 * at most `maxSimulations` at once.
 */
export class SimulationRegistry {
  /** Unwatched simulations are kept in the order their viewers left, so the first is the one to give up first. */
  private readonly running = new Map<string, Simulation>();
  /** Watched projects the limit kept from being simulated, oldest first; each gets the next free slot. */
  private readonly waiting = new Set<string>();
  private readonly maxSimulations: number;
  private readonly graceMs: number;
  private readonly scheduler: Pick<Scheduler, 'now' | 'setTimeout' | 'setInterval'>;
  private readonly seedFor: (projectId: string) => number | string;
  private readonly onStart: ((projectId: string) => void) | undefined;
  private readonly onError: ((error: unknown) => void) | undefined;
  /** What every simulation is started with. */
  private readonly simulation: StartSimulationOptions;

  constructor(
    private readonly target: PublishTarget,
    options: SimulationRegistryOptions = {},
  ) {
    const { maxSimulations = 16, graceMs = 30_000, scheduler = realScheduler, seedFor = (id) => id, onStart, onError, ...simulation } = options;
    this.maxSimulations = maxSimulations;
    this.graceMs = graceMs;
    this.scheduler = scheduler;
    this.seedFor = seedFor;
    this.onStart = onStart;
    this.onError = onError;
    this.simulation = { ...simulation, scheduler };
  }

  /**
   * A viewer watches `projectId`: keeps its simulation running (cancelling a
   * pending stop), or starts one, stopping an unwatched one first if the limit
   * is reached. Returns whether it runs. When every slot is watched, reports a
   * `SimulationError` through `onError` and starts the project as soon as a slot frees.
   */
  watch(projectId: string): boolean {
    const running = this.running.get(projectId);
    if (running) {
      running.cancelGrace?.();
      running.cancelGrace = null;
      return true;
    }
    if (this.running.size >= this.maxSimulations) {
      const unwatched = this.firstUnwatched();
      if (unwatched === undefined) {
        this.waiting.add(projectId);
        this.report(
          new SimulationError('simulation-limit', `not simulating ${projectId}: all ${this.maxSimulations} simulated projects have viewers`),
        );
        return false;
      }
      this.stopOne(unwatched);
    }
    this.waiting.delete(projectId);
    this.startOne(projectId);
    return true;
  }

  /**
   * The last viewer of `projectId` left: its simulation stops after
   * `graceMs`, or at once if a watched project is waiting for a slot.
   */
  unwatch(projectId: string): void {
    this.waiting.delete(projectId);
    const running = this.running.get(projectId);
    if (!running || running.cancelGrace) return;
    if (this.waiting.size > 0) {
      this.stop(projectId);
      return;
    }
    // Moved to the end: unwatched simulations stay ordered by when their viewers left.
    this.running.delete(projectId);
    this.running.set(projectId, running);
    running.cancelGrace = this.scheduler.setTimeout(() => this.stop(projectId), this.graceMs);
  }

  /** Stops one project's simulation, e.g. when a real publisher takes the project over, and hands its slot on. */
  stop(projectId: string): void {
    this.waiting.delete(projectId);
    if (!this.running.has(projectId)) return;
    this.stopOne(projectId);
    this.startWaiting();
  }

  stopAll(): void {
    for (const projectId of [...this.running.keys()]) this.stopOne(projectId);
    this.waiting.clear();
  }

  has(projectId: string): boolean {
    return this.running.has(projectId);
  }

  get size(): number {
    return this.running.size;
  }

  private startOne(projectId: string): void {
    this.onStart?.(projectId);
    const stop = startSimulation(this.target, projectId, {
      ...this.simulation,
      seed: this.seedFor(projectId),
      onError: (error) => {
        // The simulation stopped itself; its slot is free again.
        if (this.running.get(projectId)?.stop === stop) {
          this.running.delete(projectId);
          this.startWaiting();
        }
        (this.onError ?? defaultOnError)(error);
      },
    });
    this.running.set(projectId, { stop, cancelGrace: null });
  }

  private stopOne(projectId: string): void {
    const simulation = this.running.get(projectId);
    if (!simulation) return;
    this.running.delete(projectId);
    simulation.cancelGrace?.();
    simulation.stop();
  }

  private startWaiting(): void {
    for (const projectId of this.waiting) {
      if (this.running.size >= this.maxSimulations) return;
      this.waiting.delete(projectId);
      this.startOne(projectId);
    }
  }

  private firstUnwatched(): string | undefined {
    for (const [projectId, simulation] of this.running) if (simulation.cancelGrace) return projectId;
    return undefined;
  }

  private report(error: SimulationError): void {
    if (this.onError) this.onError(error);
    else console.warn(`[meshwatch simulator] ${error.message}`);
  }
}

function defaultOnError(error: unknown): void {
  console.error('[meshwatch simulator] stopped after an error:', error);
}
