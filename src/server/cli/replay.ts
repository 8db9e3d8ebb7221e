/**
 * `meshwatch replay <file>`: plays a recording into a project of a running
 * gateway over HTTP, at the recorded pace, N times faster or as fast as the
 * gateway takes it, once or in a loop. With the simulator, the other source
 * for developing offline.
 */
import { RecordingFormatError } from '../recording/format.ts';
import { replayRecording, type ReplayProgress } from '../recording/replay.ts';
import { GATEWAY_URL_FLAG, PROJECT_FLAG, TOKEN_FLAG } from './common-flags.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import { checkGateway, openFeed, untilSignal } from './feed.ts';
import type { CommandSpec, FlagValues } from './flags.ts';
import { clock, count, progressLine } from './progress.ts';

export const REPLAY: CommandSpec = {
  name: 'replay',
  summary: 'Play a recording into a project of a running gateway: at 1×, N× or max speed, once or looping.',
  usage: 'meshwatch replay [flags] <file>',
  description:
    'Reads the file line by line (- for stdin) and publishes it through POST /api/projects/<id>/publish, keeping\n' +
    'its pace (or --speed times it). Bad lines are skipped and counted. Chart points are moved to now (and to the\n' +
    'speed), so charts read as live; --recorded-times keeps their times. With --loop it starts again at the end.',
  flags: [
    GATEWAY_URL_FLAG,
    PROJECT_FLAG,
    TOKEN_FLAG,
    { name: 'speed', short: 's', kind: 'string', env: 'MESHWATCH_REPLAY_SPEED', default: '1', valueName: 'N|max', description: 'how fast: 1 as recorded, 10 ten times faster, max as fast as the gateway takes it' },
    { name: 'loop', short: 'l', kind: 'boolean', env: 'MESHWATCH_REPLAY_LOOP', default: false, description: 'start again from the beginning at the end, until Ctrl-C' },
    {
      name: 'recorded-times',
      kind: 'boolean',
      default: false,
      description: "keep the chart points' recorded times (default: moved to now and to the replay's speed, so charts read as live)",
    },
  ],
  examples: ['meshwatch replay tests/fixtures/recordings/outage.ndjson --project demo --speed 4', 'meshwatch replay crawl.ndjson --loop'],
};

/** At 'max', the replay waits for the gateway once this many payloads are queued, so it never runs ahead by more. */
const MAX_SPEED_BACKLOG = 2_000;

export async function replay(values: FlagValues, positionals: string[]): Promise<ExitCode> {
  const file = positionals[0];
  if (file === undefined) throw new CliError('which recording? e.g. meshwatch replay demo.ndjson', EXIT.usage);
  if (positionals.length > 1) throw new CliError(`one recording at a time, got ${positionals.length}`, EXIT.usage);
  const speed = parseSpeed(values.speed as string);
  const loop = values.loop as boolean;
  if (loop && file === '-') throw new CliError('--loop needs a file: stdin can be read only once', EXIT.usage);
  const url = values.url as string;
  const project = values.project as string;
  await checkGateway(url);
  const feed = openFeed({ url, project, token: values.token as string | undefined });
  const stop = new AbortController();
  const signal = untilSignal();
  void signal.promise.then(() => stop.abort());
  const progress = progressLine();
  const line = (p: ReplayProgress) => {
    const percent = p.totalBytes ? ` (${Math.min(100, Math.round((100 * p.bytesRead) / p.totalBytes))} %)` : '';
    const { accepted, refused, queued } = feed.publisher.stats();
    return (
      `replay ${file} → ${project} at ${speed === 'max' ? 'max speed' : `${speed}×`}: ${clock(p.positionMs)}${percent}` +
      (loop ? ` · pass ${p.loops + 1}` : '') +
      ` · ${count(accepted)} published · ${count(queued)} queued` +
      (refused > 0 ? ` · ${count(refused)} refused` : '') +
      (p.badLines > 0 ? ` · ${count(p.badLines)} bad lines skipped` : '') +
      (p.lagMs > 1_000 ? ` · ${clock(p.lagMs)} behind` : '')
    );
  };
  let last: ReplayProgress | null = null;
  try {
    const result = await replayRecording({
      source: file === '-' ? process.stdin : file,
      speed,
      loop,
      times: values['recorded-times'] ? 'recorded' : 'now',
      signal: stop.signal,
      sink: async (payloads) => {
        const fatal = feed.fatal();
        if (fatal) throw fatal;
        feed.publisher.publish(payloads);
        if (speed === 'max' && feed.publisher.stats().queued >= MAX_SPEED_BACKLOG) await feed.publisher.flush();
      },
      onBadLine: (bad) => process.stderr.write(`${file}:${bad.line}: skipped: ${bad.reason}\n`),
      onProgress: (p) => {
        last = p;
        progress.update(line(p));
      },
    });
    await feed.publisher.close({ timeoutMs: 10_000 });
    const summary = `${count(result.messages)} messages in ${clock(result.durationMs)}${loop ? ` · ${result.loops} passes` : ''} · ${result.stoppedBy === 'signal' ? 'stopped' : 'done'}`;
    progress.done(last ? `${line(last)} · ${summary}` : `replay ${file}: ${summary}`);
    const fatal = feed.fatal();
    if (fatal) throw fatal;
    if (result.messages === 0 && result.badLines > 0) throw new CliError(`${file} holds no valid message (${result.badLines} bad lines)`, EXIT.dataError);
    const { refused, dropped } = feed.publisher.stats();
    if (refused + dropped > 0) throw new CliError(`${count(refused)} messages refused by the gateway, ${count(dropped)} dropped`, EXIT.failure);
    return EXIT.ok;
  } catch (error) {
    await feed.publisher.close({ timeoutMs: 1_000 }).catch(() => {});
    if (error instanceof CliError) throw error;
    if (error instanceof RecordingFormatError) throw new CliError(error.message, EXIT.dataError);
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.noInput);
    throw error;
  } finally {
    signal.dispose();
  }
}

function parseSpeed(raw: string): number | 'max' {
  const text = raw.trim().toLowerCase().replace(/(\d)x$/, '$1');
  if (text === 'max') return 'max';
  const speed = Number(text);
  if (text === '' || !Number.isFinite(speed) || speed <= 0 || speed > 10_000) {
    throw new CliError(`--speed: expected a number above 0 (up to 10000) or max, got ${JSON.stringify(raw)}`, EXIT.usage);
  }
  return speed;
}
