/**
 * Writes the sample recordings shipped in tests/fixtures/recordings/ from the
 * simulator on a simulated clock, so running it again gives the same bytes:
 *
 *     npx tsx scripts/make-recordings.ts [outDir]
 *
 * - crawl-small.ndjson: a 30-node crawl mesh going about its business.
 * - outage.ndjson: a smaller mesh, joined 4 s into its life (so it opens with
 *   a snapshot that has history), through an incident: kafka's edge degrades
 *   and kafka with it (warn event), then a fetcher is OOM-killed (down, error
 *   event, error-level crash logs). The seed was picked for that story; a
 *   change to the simulator may need another (see `outage` below).
 *
 * Both stay well under 300 KB, so the rates are lower than a live demo's.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulatedRecording, type SimulatedRecordingOptions } from '../src/server/recording/simulated-recording.ts';
import { RecordingWriter } from '../src/server/recording/writer.ts';

/** 2026-01-01T00:00:00Z: a fixed start, so the files do not change with the day they are made. */
const STARTED_AT = Date.UTC(2026, 0, 1);

const RECORDINGS: Record<string, SimulatedRecordingOptions> = {
  'crawl-small.ndjson': { project: 'crawl-small', seed: 'crawl-small', size: 30, ratePerSecond: 80, durationMs: 16_000, startedAt: STARTED_AT },
  // Seed chosen for its story (simulated time): kafka degraded at 7.2 s, fetcher-02 OOM-killed at 13.4 s.
  'outage.ndjson': { project: 'outage', seed: 'outage-37', size: 24, ratePerSecond: 45, warmUpMs: 4_000, durationMs: 18_000, startedAt: STARTED_AT },
};

async function main(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const [name, options] of Object.entries(RECORDINGS)) {
    const { header, messages } = simulatedRecording(options);
    const path = join(outDir, name);
    const writer = new RecordingWriter(path, header);
    for (const message of messages) writer.write(message);
    await writer.close();
    console.log(`${path}: ${writer.messages} messages, ${(writer.bytes / 1024).toFixed(1)} KiB`);
  }
}

const DEFAULT_OUT_DIR = fileURLToPath(new URL('../tests/fixtures/recordings/', import.meta.url));

main(process.argv[2] ?? DEFAULT_OUT_DIR).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
