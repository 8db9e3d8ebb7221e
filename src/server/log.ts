/**
 * The server's log: one line per entry, JSON for machines
 * (`{"time":"<ISO>","level":"info","msg":"…",...fields}`) or a short text
 * line for people at a terminal. debug and info go to stdout, warn and error
 * to stderr. Entries are about the process and its connections, never one per
 * message: the message rate is the metrics' business (`/metrics`).
 *
 * `log` is the process's logger. It reads MESHWATCH_LOG_LEVEL and
 * MESHWATCH_LOG_FORMAT (see env.ts) the first time it is used, so the dev
 * server honours them as `npm start` does; `configureLog` replaces it.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'text';
/** Extra fields of an entry. An `Error` value is written as its name, message, stack (and code, if it has one). */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether entries of `level` are written: skip building costly fields when not. */
  enabled(level: LogLevel): boolean;
}

/** Options of `createLogger`; every one has a default. */
export interface LoggerOptions {
  /** Entries below this level are dropped. Default `'info'`. */
  level?: LogLevel;
  /** Default `'json'`. */
  format?: LogFormat;
  /** Where debug and info lines go, each with its newline. Default stdout. */
  out?: (line: string) => void;
  /** Where warn and error lines go. Default stderr. */
  err?: (line: string) => void;
  /** The time stamped on each entry. Default `Date.now`. */
  now?: () => number;
}

/** Field names the entry itself uses; a field of the same name is written with this prefix instead. */
const RESERVED = new Set(['time', 'level', 'msg']);
const RESERVED_PREFIX = 'field.';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Text-format values written without quotes: nothing a reader could mistake for a separator. */
const BARE_VALUE = /^[\w.:/@+-]+$/;

/** A logger writing one line per entry; see LoggerOptions for the defaults. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const format = options.format ?? 'json';
  const out = options.out ?? ((line: string) => void process.stdout.write(line));
  const err = options.err ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? Date.now;

  const write = (level: LogLevel, msg: string, fields: LogFields | undefined) => {
    if (RANK[level] < threshold) return;
    const time = new Date(now()).toISOString();
    let line: string;
    try {
      line = format === 'json' ? jsonLine(time, level, msg, fields) : textLine(time, level, msg, fields);
    } catch {
      // A field that cannot be written (a throwing getter) must not lose the entry, nor throw into the caller.
      line = format === 'json' ? jsonLine(time, level, msg, { fieldsError: 'fields could not be serialised' }) : textLine(time, level, msg, undefined);
    }
    (RANK[level] >= RANK.warn ? err : out)(line + '\n');
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    enabled: (level) => RANK[level] >= threshold,
  };
}

let current: Logger | null = null;

/**
 * The process's logger. Until `configureLog` is called it is built from the
 * environment on first use (MESHWATCH_LOG_LEVEL, MESHWATCH_LOG_FORMAT).
 */
export const log: Logger = {
  debug: (msg, fields) => processLogger().debug(msg, fields),
  info: (msg, fields) => processLogger().info(msg, fields),
  warn: (msg, fields) => processLogger().warn(msg, fields),
  error: (msg, fields) => processLogger().error(msg, fields),
  enabled: (level) => processLogger().enabled(level),
};

/** Replaces the process's logger (`log`), e.g. in main.ts from the environment's settings; null: back to the environment's. */
export function configureLog(options: LoggerOptions | null): void {
  current = options && createLogger(options);
}

function processLogger(): Logger {
  current ??= createLogger(logSettingsFromEnv(process.env, Boolean(process.stdout.isTTY)));
  return current;
}

/**
 * MESHWATCH_LOG_LEVEL (debug, info, warn, error; default info) and
 * MESHWATCH_LOG_FORMAT (json or text; default text on a terminal, json
 * otherwise). A bad value is reported through `warn` and replaced by the default.
 */
export function logSettingsFromEnv(
  env: Record<string, string | undefined>,
  isTerminal: boolean,
  warn: (message: string) => void = () => {},
): Pick<LoggerOptions, 'level' | 'format'> {
  const rawLevel = env.MESHWATCH_LOG_LEVEL?.trim().toLowerCase();
  const rawFormat = env.MESHWATCH_LOG_FORMAT?.trim().toLowerCase();
  let level: LogLevel = 'info';
  if (rawLevel) {
    if ((LOG_LEVELS as readonly string[]).includes(rawLevel)) level = rawLevel as LogLevel;
    else warn(`[meshwatch] ignoring MESHWATCH_LOG_LEVEL=${JSON.stringify(env.MESHWATCH_LOG_LEVEL)}: expected one of ${LOG_LEVELS.join(', ')}; using info`);
  }
  let format: LogFormat = isTerminal ? 'text' : 'json';
  if (rawFormat) {
    if (rawFormat === 'json' || rawFormat === 'text') format = rawFormat;
    else warn(`[meshwatch] ignoring MESHWATCH_LOG_FORMAT=${JSON.stringify(env.MESHWATCH_LOG_FORMAT)}: expected json or text; using ${format}`);
  }
  return { level, format };
}

function jsonLine(time: string, level: LogLevel, msg: string, fields: LogFields | undefined): string {
  const entry: Record<string, unknown> = { time, level, msg };
  if (fields) for (const [key, value] of Object.entries(fields)) entry[RESERVED.has(key) ? RESERVED_PREFIX + key : key] = value;
  // JSON.stringify escapes quotes, backslashes and C0 controls: one entry is one line, whatever a field holds.
  // It leaves DEL, C1 controls and U+2028/U+2029 raw, which a terminal showing the log would act on.
  return escapeUnsafe(JSON.stringify(entry, jsonValue));
}

/** `2025-01-01T12:00:00.000Z INFO  connection closed project=demo code=4409 reason="too slow"`; an error's stack follows, indented. */
function textLine(time: string, level: LogLevel, msg: string, fields: LogFields | undefined): string {
  let line = `${time} ${level.toUpperCase().padEnd(5)} ${oneLine(msg)}`;
  const stacks: string[] = [];
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      line += ` ${oneLine(key)}=${textValue(value)}`;
      if (value instanceof Error && value.stack) stacks.push(value.stack);
    }
  }
  for (const stack of stacks) line += '\n' + stack.split('\n').map((stackLine) => `    ${oneLine(stackLine.trim())}`).join('\n');
  return line;
}

function textValue(value: unknown): string {
  if (value instanceof Error) return quoted(`${value.name}: ${value.message}`);
  if (typeof value === 'string') return BARE_VALUE.test(value) ? value : quoted(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'bigint') return value.toString();
  const json = JSON.stringify(value, jsonValue) as string | undefined;
  // Nothing JSON can say (a function, a symbol): its string form, quoted, since a function's source has line breaks.
  return json === undefined ? quoted(String(value)) : escapeUnsafe(json);
}

/** A JSON string literal with nothing a terminal acts on. */
function quoted(text: string): string {
  return escapeUnsafe(JSON.stringify(text));
}

/**
 * Line breaks and other control characters escaped (C0, DEL, C1 such as CSI
 * `\u009b`, and U+2028/U+2029), so a message can neither end its line, nor
 * forge the next one, nor send escape sequences to the terminal showing it.
 */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => CONTROL_ESCAPES[char] ?? unicodeEscape(char));
}

/**
 * What JSON.stringify leaves raw but a terminal acts on (DEL, C1 controls, U+2028/U+2029),
 * as `\uXXXX`: in JSON text these only occur inside strings, where the escape reads back as the same character.
 */
function escapeUnsafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029]/g, unicodeEscape);
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** JSON.stringify's replacer: errors as objects (their fields are not enumerable), bigints as strings. */
function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const error: Record<string, unknown> = { name: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) error.code = code;
    if (value.stack) error.stack = value.stack;
    if (value.cause !== undefined) error.cause = value.cause;
    return error;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
