/**
 * Drives a simulator in real time: publishes its initial mesh, then every
 * tick publishes what happened since the last one. The wall clock is read
 * here, at the edge, never inside the deterministic simulator.
 */
import type { Payload } from '../../protocol/messages.ts';
import { CrawlSimulator, type SimulatorOptions } from './simulator.ts';

/** Anything payloads can be published to; a Gateway fits. */
export interface PublishTarget {
  publish(projectId: string, payload: Payload): unknown;
}

/** Simulator options plus how to drive it in real time. */
export interface StartSimulationOptions extends SimulatorOptions {
  /** How often the simulator is stepped. Default 100 ms. */
  tickMs?: number;
  /** Wall clock, ms. Default `Date.now`. */
  clock?: () => number;
  /**
   * Longest stretch simulated in one tick. After a suspended laptop wakes up,
   * minutes of backlog would arrive as one burst; this drops it. Default 5 000 ms.
   */
  maxCatchUpMs?: number;
  /** A failing tick stops the simulation and is reported here. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** Starts publishing a simulated crawler mesh to `projectId`; returns a function that stops it (idempotent). */
export function startSimulation(target: PublishTarget, projectId: string, options: StartSimulationOptions = {}): () => void {
  const { tickMs = 100, clock = Date.now, maxCatchUpMs = 5_000, onError = defaultOnError, ...simOptions } = options;
  const simulator = new CrawlSimulator({ ...simOptions, now: simOptions.now ?? clock() });
  for (const payload of simulator.initial()) target.publish(projectId, payload);

  let last = clock();
  const timer = setInterval(() => {
    try {
      const now = clock();
      const elapsed = Math.min(now - last, maxCatchUpMs);
      last = now;
      if (elapsed <= 0) return;
      for (const payload of simulator.step(elapsed)) target.publish(projectId, payload);
    } catch (error) {
      stop();
      onError(error);
    }
  }, tickMs);
  // A simulation never keeps the process alive on its own; the server it feeds does.
  timer.unref();
  const stop = () => clearInterval(timer);
  return stop;
}

/** Options for every simulation a registry starts. */
export interface SimulationRegistryOptions extends StartSimulationOptions {
  /** Most projects simulated at once; a simulator costs CPU whether anyone watches or not. Default 16. */
  maxSimulations?: number;
  /** Seed for a project; default: the project id itself, so `?project=demo` is always the same mesh. */
  seedFor?: (projectId: string) => number | string;
}

/** One simulation per project, started on demand and stopped together. */
export class SimulationRegistry {
  private readonly running = new Map<string, () => void>();

  constructor(
    private readonly target: PublishTarget,
    private readonly options: SimulationRegistryOptions = {},
  ) {}

  /** Starts simulating `projectId` unless it already is or the limit is reached; returns whether it runs. */
  start(projectId: string): boolean {
    if (this.running.has(projectId)) return true;
    const { maxSimulations = 16, seedFor = (id: string) => id, ...simOptions } = this.options;
    if (this.running.size >= maxSimulations) return false;
    this.running.set(projectId, startSimulation(this.target, projectId, { ...simOptions, seed: seedFor(projectId) }));
    return true;
  }

  /** Stops one project's simulation, e.g. when a real publisher takes the project over. */
  stop(projectId: string): void {
    this.running.get(projectId)?.();
    this.running.delete(projectId);
  }

  stopAll(): void {
    for (const stop of this.running.values()) stop();
    this.running.clear();
  }

  has(projectId: string): boolean {
    return this.running.has(projectId);
  }

  get size(): number {
    return this.running.size;
  }
}

function defaultOnError(error: unknown): void {
  console.error('[meshwatch simulator] stopped after an error:', error);
}
