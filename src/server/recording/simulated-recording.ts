/**
 * A recording made from the simulator on a simulated clock: the same options
 * give the same file, byte for byte, however fast the machine. What
 * scripts/make-recordings.ts writes the shipped sample recordings with.
 */
import { CrawlSimulator, SIMULATOR_DEFAULTS, type SimulatorOptions } from '../simulator/simulator.ts';
import { ProjectState } from '../project-state.ts';
import { snapshotEnvelopes } from './snapshot-messages.ts';
import { RECORDING_MARKER, RECORDING_VERSION, type RecordedMessage, type RecordingHeader } from './format.ts';

export interface SimulatedRecordingOptions extends Omit<SimulatorOptions, 'now'> {
  project: string;
  /** Wall-clock ms the recording pretends to start at: its header's `startedAt` and the charts' first time. */
  startedAt: number;
  durationMs: number;
  /**
   * Simulated time before the recording starts: the recording then opens with
   * the mesh as it stood (a snapshot, as a recorder joining a running project
   * writes it), history included. Default 0: it opens with the initial mesh.
   */
  warmUpMs?: number;
  /** Simulated time per step; every payload of a step shares its `t`, as a tick of the live simulation publishes them together. Default 100 ms. */
  stepMs?: number;
}

/** The header and the messages (a lazy sequence) of a simulated recording. */
export function simulatedRecording(options: SimulatedRecordingOptions): { header: RecordingHeader; messages: Iterable<RecordedMessage> } {
  const { project, startedAt, durationMs, stepMs = 100, warmUpMs = 0, ...simulator } = options;
  const seed = simulator.seed ?? SIMULATOR_DEFAULTS.seed;
  const size = simulator.size ?? SIMULATOR_DEFAULTS.size;
  const rate = simulator.ratePerSecond ?? SIMULATOR_DEFAULTS.ratePerSecond;
  const header: RecordingHeader = {
    meshwatch: RECORDING_MARKER,
    version: RECORDING_VERSION,
    project,
    startedAt,
    source: `simulator seed=${seed} size=${size} rate=${rate}/s, ${durationMs} ms`,
  };
  function* messages(): Generator<RecordedMessage> {
    const sim = new CrawlSimulator({ ...simulator, now: startedAt - warmUpMs });
    if (warmUpMs > 0) {
      const state = new ProjectState();
      for (const payload of sim.initial()) state.apply(payload, startedAt - warmUpMs);
      for (let t = stepMs; t <= warmUpMs; t += stepMs) for (const payload of sim.step(stepMs)) state.apply(payload, startedAt - warmUpMs + t);
      for (const { ts, data } of snapshotEnvelopes(0, startedAt, state.snapshot())) yield { t: 0, ts, data };
    } else {
      for (const data of sim.initial()) yield { t: 0, ts: startedAt, data };
    }
    for (let t = stepMs; t <= durationMs; t += stepMs) {
      for (const data of sim.step(stepMs)) yield { t, ts: startedAt + t, data };
    }
  }
  return { header, messages: { [Symbol.iterator]: messages } };
}
