/**
 * `meshwatch <command>`: the one command-line entry (bin/meshwatch.js runs
 * it). Each command parses its flags (environment variables as fallbacks),
 * prints `--help`, reports progress on stderr and exits with a code from
 * exit-codes.ts.
 */
import { readFileSync } from 'node:fs';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import { helpText, parseFlags, type CommandSpec, type FlagValues } from './flags.ts';
import { RECORD, record } from './record.ts';
import { REPLAY, replay } from './replay.ts';
import { SERVE, serve } from './serve.ts';
import { SIMULATE, simulate } from './simulate.ts';

interface Command {
  spec: CommandSpec;
  run(values: FlagValues, positionals: string[]): Promise<ExitCode>;
}

const COMMANDS: Command[] = [
  { spec: SERVE, run: (values) => serve(values) },
  { spec: SIMULATE, run: (values) => simulate(values) },
  { spec: RECORD, run: (values) => record(values) },
  { spec: REPLAY, run: (values, positionals) => replay(values, positionals) },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.spec.name.length)) + 2;
  return [
    'Usage: meshwatch <command> [flags]',
    '',
    'A live dashboard for a mesh of services: the gateway, and the tools that feed it.',
    '',
    'Commands:',
    ...COMMANDS.map(({ spec }) => `  ${spec.name.padEnd(width)}${spec.summary}`),
    '',
    'Run `meshwatch <command> --help` for its flags. Flags may also be set by environment variables (named in each help).',
    '',
    'Exit codes: 0 done · 1 failed · 2 bad configuration · 64 bad command line · 65 bad input data ·',
    '            66 input file unreadable · 69 gateway/Redis/port unavailable · 73 cannot write output · 77 refused (token, project)',
    '',
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((command) => command.spec.name === rest[0]) : undefined;
    process.stdout.write(topic ? helpText(topic.spec) : overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`meshwatch ${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.spec.name === name);
  try {
    if (!command) throw new CliError(`unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}`, EXIT.usage);
    // Before the flags are parsed: help must work whatever else is wrong (a bad variable in the environment).
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(helpText(command.spec));
      return EXIT.ok;
    }
    const { values, positionals } = parseFlags(command.spec.flags, rest);
    return await command.run(values, positionals);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`meshwatch${command ? ` ${command.spec.name}` : ''}: ${error.message}\n`);
      if (error.exitCode === EXIT.usage) process.stderr.write(`Run \`meshwatch ${command ? `${command.spec.name} ` : ''}--help\` for usage.\n`);
      return error.exitCode;
    }
    process.stderr.write(`meshwatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failure;
  }
}
