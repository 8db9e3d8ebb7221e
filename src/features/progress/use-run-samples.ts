import { useState } from 'react';
import type { Progress } from '../../protocol/mesh.ts';
import { addSample, type ProgressSample } from './progress-rate.ts';

interface Track {
  run: Progress | undefined;
  samples: readonly ProgressSample[];
}

const sampleOf = (run: Progress, at: number): ProgressSample => ({ at, percent: run.percent, step: run.step });

/**
 * The history of a run's updates, one sample per new `run` object (the
 * store replaces a run's object on each update), stamped with when it was
 * seen. Only while `live`: a past moment the dashboard shows, and every
 * moment scrubbed through, would stamp old values with the time now.
 */
export function useRunSamples(run: Progress | undefined, live: boolean): readonly ProgressSample[] {
  const [track, setTrack] = useState<Track>(() => ({ run, samples: run && live ? [sampleOf(run, Date.now())] : [] }));
  // Updated during render (React's pattern for state derived from a changed prop): the estimate drawn includes this update.
  if (live && run !== undefined && track.run !== run) setTrack({ run, samples: addSample(track.samples, sampleOf(run, Date.now())) });
  return track.samples;
}
