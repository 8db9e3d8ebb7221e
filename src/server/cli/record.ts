/**
 * `meshwatch record`: watches a project as a viewer would (any gateway, local
 * or remote, with a viewer's rights) and writes everything it receives to an
 * NDJSON recording (src/server/recording/format.ts) that `meshwatch replay`
 * plays back.
 */
import { RecordError, recordProject } from '../recording/record-project.ts';
import type { RecordProgress } from '../recording/session.ts';
import { GATEWAY_URL_FLAG, PROJECT_FLAG, TOKEN_FLAG } from './common-flags.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import { untilSignal } from './feed.ts';
import type { CommandSpec, FlagValues } from './flags.ts';
import { clock, count, progressLine } from './progress.ts';

export const RECORD: CommandSpec = {
  name: 'record',
  summary: "Record a live project to an NDJSON file (what a viewer receives, with the gateway's timestamps).",
  usage: 'meshwatch record [flags] [--out FILE]',
  description:
    'Connects to /ws?project=<id> as a viewer (every channel, every node\'s logs), writes the snapshot at t = 0 and\n' +
    'every message after it. Stops on Ctrl-C, after --duration or --max-messages, or when the gateway closes.',
  flags: [
    GATEWAY_URL_FLAG,
    PROJECT_FLAG,
    TOKEN_FLAG,
    { name: 'out', short: 'o', kind: 'string', valueName: 'FILE', description: 'where to write (default <project>-<yyyymmdd-hhmmss>.ndjson; - for stdout)' },
    { name: 'duration', short: 'd', kind: 'number', default: 0, min: 0, valueName: 'SECONDS', description: 'stop after this long (0: until Ctrl-C)' },
    { name: 'max-messages', kind: 'integer', default: 0, min: 0, valueName: 'N', description: 'stop after this many messages (0: no limit)' },
  ],
  examples: ['meshwatch record --project demo --duration 60 -o demo.ndjson', 'meshwatch record -u https://mesh.example.com -p shop -o - | gzip > shop.ndjson.gz'],
};

export async function record(values: FlagValues): Promise<ExitCode> {
  const project = values.project as string;
  const outFlag = values.out as string | undefined;
  const toStdout = outFlag === '-';
  const path = toStdout ? null : (outFlag ?? defaultFileName(project));
  const stop = new AbortController();
  const signal = untilSignal();
  void signal.promise.then(() => stop.abort());
  const progress = progressLine();
  const line = (p: RecordProgress) =>
    `record ${project} → ${path ?? 'stdout'}: ${clock(p.elapsedMs)} · ${count(p.messages)} messages · ${count(p.bytes / 1024)} KiB · seq ${p.seq}` +
    (p.snapshots > 1 ? ` · ${p.snapshots} snapshots` : '') +
    (p.coalesced > 0 ? ` · ${count(p.coalesced)} coalesced by the gateway (lossy)` : '');
  try {
    const durationS = values.duration as number;
    const maxMessages = values['max-messages'] as number;
    const result = await recordProject({
      url: values.url as string,
      project,
      token: (values.token as string | undefined) || undefined,
      out: toStdout ? process.stdout : path!,
      signal: stop.signal,
      ...(durationS > 0 ? { maxDurationMs: durationS * 1000 } : {}),
      ...(maxMessages > 0 ? { maxMessages } : {}),
      onProgress: (p) => progress.update(line(p)),
    });
    const summary = `${count(result.messages)} messages · ${clock(result.durationMs)} · ${count(result.bytes / 1024)} KiB · stopped: ${result.stoppedBy}`;
    progress.done(`record ${project} → ${path ?? 'stdout'}: ${summary}`);
    if (result.stoppedBy === 'closed' && result.close) {
      throw new CliError(`the gateway closed the connection (${result.close.code} ${result.close.reason}); the file holds what came before`, closeExit(result.close.code));
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliError) throw error;
    // Ctrl-C before the gateway's snapshot came: nothing was recorded, and nothing went wrong.
    if (stop.signal.aborted && (error as Error | null)?.name === 'AbortError') {
      progress.done(`record ${project}: stopped before the recording began; nothing written`);
      return EXIT.ok;
    }
    // `meshwatch record -o - | head`: the reader has had enough.
    if (toStdout && (error as { code?: unknown } | null)?.code === 'EPIPE') return EXIT.ok;
    if (error instanceof RecordError) throw new CliError(error.message, recordErrorExit(error));
    if (isFileError(error)) throw new CliError(`cannot write ${path}: ${(error as Error).message}`, EXIT.cannotCreate);
    throw error;
  } finally {
    signal.dispose();
  }
}

/** `demo-20261207-101500.ndjson`, in local time like the clock on the wall. */
function defaultFileName(project: string, date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  return `${project.replace(/[^\w.-]+/g, '_').slice(0, 64)}-${stamp}.ndjson`;
}

function recordErrorExit(error: RecordError): ExitCode {
  if (error.code === 'bad-url') return EXIT.usage;
  if (error.httpStatus === 401 || error.httpStatus === 403 || error.httpStatus === 404) return EXIT.noPermission;
  if (error.closeCode !== undefined) return closeExit(error.closeCode);
  return EXIT.unavailable;
}

function closeExit(code: number): ExitCode {
  return code === 4401 || code === 4403 || code === 4404 ? EXIT.noPermission : EXIT.failure;
}

function isFileError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E(ACCES|NOENT|ISDIR|ROFS|NOSPC|PERM|EXIST|NOTDIR)$/.test(code);
}
