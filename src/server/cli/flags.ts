/**
 * Flags of the `meshwatch` commands: each with its environment variable and
 * default, parsed and validated in one place, and the same table printed by
 * `--help` (so the help cannot drift from what is parsed). A flag on the
 * command line wins over its variable, which wins over the default.
 */
import { CliError, EXIT } from './exit-codes.ts';

export type FlagKind = 'string' | 'number' | 'integer' | 'boolean';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  /** The environment variable that sets it when the flag is absent. */
  env?: string;
  default?: string | number | boolean;
  min?: number;
  max?: number;
  /** For `--help`: what it is for, in a line. */
  description: string;
  /** For `--help`: the value's placeholder, e.g. `URL`. */
  valueName?: string;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export interface CommandSpec {
  name: string;
  /** One line, for `meshwatch --help`. */
  summary: string;
  /** e.g. `meshwatch replay [flags] <file>` */
  usage: string;
  /** Paragraphs after the usage line. */
  description?: string;
  flags: FlagSpec[];
  examples?: string[];
}

/** The help flag every command has. */
export const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', kind: 'boolean', description: 'show this help and exit' };

/** `argv` (after the command name) against `flags`, with `env` as the fallback; throws a CliError (usage) on anything wrong. */
export function parseFlags(
  flags: readonly FlagSpec[],
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): { values: FlagValues; positionals: string[] } {
  const all = [...flags, HELP_FLAG];
  const byName = new Map(all.map((flag) => [flag.name, flag]));
  const byShort = new Map(all.filter((flag) => flag.short).map((flag) => [flag.short!, flag]));
  const raw = new Map<string, string | boolean>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = long ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    let key = eq === -1 ? body : body.slice(0, eq);
    let inline: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    let flag = long ? byName.get(key) : byShort.get(key);
    let negated = false;
    if (!flag && long && key.startsWith('no-') && byName.get(key.slice(3))?.kind === 'boolean') {
      flag = byName.get(key.slice(3));
      key = key.slice(3);
      negated = true;
    }
    if (!flag) throw new CliError(`unknown flag ${arg.split('=')[0]}`, EXIT.usage);
    if (flag.kind === 'boolean') {
      if (inline !== undefined) {
        if (!/^(true|false|1|0|yes|no|on|off)$/i.test(inline)) throw new CliError(`--${flag.name} takes no value, or true/false`, EXIT.usage);
        raw.set(flag.name, negated !== /^(true|1|yes|on)$/i.test(inline));
      } else raw.set(flag.name, !negated);
      continue;
    }
    if (negated) throw new CliError(`unknown flag ${arg}`, EXIT.usage);
    if (inline === undefined) {
      inline = argv[++i];
      if (inline === undefined) throw new CliError(`--${flag.name} needs a value`, EXIT.usage);
    }
    raw.set(flag.name, inline);
  }
  const values: FlagValues = {};
  for (const flag of all) {
    const given = raw.get(flag.name);
    const fromEnv = flag.env ? env[flag.env]?.trim() : undefined;
    const source = given !== undefined ? `--${flag.name}` : flag.env ?? '';
    const value = given ?? (fromEnv ? fromEnv : undefined);
    values[flag.name] = value === undefined ? flag.default : convert(flag, value, source);
  }
  return { values, positionals };
}

function convert(flag: FlagSpec, value: string | boolean, source: string): string | number | boolean {
  if (typeof value === 'boolean') return value;
  switch (flag.kind) {
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(value)) return true;
      if (/^(false|0|no|off)$/i.test(value)) return false;
      throw new CliError(`${source}: expected true or false, got ${JSON.stringify(value)}`, EXIT.usage);
    case 'string':
      return value;
    case 'number':
    case 'integer': {
      const number = Number(value);
      const integer = flag.kind === 'integer';
      const inRange = (flag.min === undefined || number >= flag.min) && (flag.max === undefined || number <= flag.max);
      if (value === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number)) || !inRange) {
        const range = flag.min !== undefined && flag.max !== undefined ? ` from ${flag.min} to ${flag.max}` : flag.min !== undefined ? ` of at least ${flag.min}` : '';
        throw new CliError(`${source}: expected ${integer ? 'an integer' : 'a number'}${range}, got ${JSON.stringify(value)}`, EXIT.usage);
      }
      return number;
    }
  }
}

/** The `--help` text of a command. */
export function helpText(command: CommandSpec): string {
  const rows = [...command.flags, HELP_FLAG].map((flag) => {
    const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.kind === 'boolean' ? '' : ` ${flag.valueName ?? flag.kind.toUpperCase()}`}`;
    const notes: string[] = [];
    if (flag.default !== undefined && flag.default !== false) notes.push(`default ${flag.default}`);
    if (flag.env) notes.push(`env ${flag.env}`);
    return { names, text: `${flag.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}` };
  });
  const width = Math.max(...rows.map((row) => row.names.length)) + 2;
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  lines.push('', 'Flags:', ...rows.map((row) => `  ${row.names.padEnd(width)}${row.text}`));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  return `${lines.join('\n')}\n`;
}
