import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../src/server/cli/exit-codes.ts';
import { helpText, parseFlags, type FlagSpec } from '../../../src/server/cli/flags.ts';

const FLAGS: FlagSpec[] = [
  { name: 'port', short: 'P', kind: 'integer', env: 'PORT', default: 8080, min: 0, max: 65_535, description: 'port' },
  { name: 'rate', kind: 'number', env: 'RATE', default: 150, min: 0, description: 'rate' },
  { name: 'sim', kind: 'boolean', env: 'SIM', default: true, description: 'simulate' },
  { name: 'loop', short: 'l', kind: 'boolean', default: false, description: 'loop' },
  { name: 'out', short: 'o', kind: 'string', valueName: 'FILE', description: 'output' },
];

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.usage);
    return (error as CliError).message;
  }
  throw new Error('expected a usage error');
}

describe('parseFlags', () => {
  it('takes defaults, then the environment, then the command line', () => {
    expect(parseFlags(FLAGS, [], {}).values).toMatchObject({ port: 8080, rate: 150, sim: true, loop: false, out: undefined });
    expect(parseFlags(FLAGS, [], { PORT: '9000', SIM: 'off' }).values).toMatchObject({ port: 9000, sim: false });
    expect(parseFlags(FLAGS, ['--port', '7000', '--sim'], { PORT: '9000', SIM: 'off' }).values).toMatchObject({ port: 7000, sim: true });
  });

  it('reads --name value, --name=value, short flags, --no-<flag>, and positionals around them', () => {
    const { values, positionals } = parseFlags(FLAGS, ['a.ndjson', '-P', '1', '--rate=2.5', '--no-sim', '-l', '-o', 'x', '--', '--not-a-flag'], {});
    expect(values).toMatchObject({ port: 1, rate: 2.5, sim: false, loop: true, out: 'x' });
    expect(positionals).toEqual(['a.ndjson', '--not-a-flag']);
    expect(parseFlags(FLAGS, ['--loop=false', '-'], {})).toEqual(expect.objectContaining({ positionals: ['-'] }));
  });

  it('refuses unknown flags, missing values and values out of range, naming the flag or variable', () => {
    expect(usageError(() => parseFlags(FLAGS, ['--bogus'], {}))).toBe('unknown flag --bogus');
    expect(usageError(() => parseFlags(FLAGS, ['--no-port'], {}))).toBe('unknown flag --no-port');
    expect(usageError(() => parseFlags(FLAGS, ['--out'], {}))).toBe('--out needs a value');
    expect(usageError(() => parseFlags(FLAGS, ['--port', '70000'], {}))).toContain('--port: expected an integer from 0 to 65535');
    expect(usageError(() => parseFlags(FLAGS, ['--port', '1.5'], {}))).toContain('expected an integer');
    expect(usageError(() => parseFlags(FLAGS, ['--rate', 'fast'], {}))).toContain('--rate: expected a number of at least 0, got "fast"');
    expect(usageError(() => parseFlags(FLAGS, [], { PORT: 'eighty' }))).toContain('PORT: expected an integer');
    expect(usageError(() => parseFlags(FLAGS, [], { SIM: 'maybe' }))).toContain('SIM: expected true or false');
    expect(usageError(() => parseFlags(FLAGS, ['--loop=perhaps'], {}))).toContain('--loop takes no value');
  });

  it('ignores blank environment values, and a hostile value is only ever a value', () => {
    expect(parseFlags(FLAGS, [], { PORT: '  ' }).values.port).toBe(8080);
    expect(parseFlags(FLAGS, ['--out', '__proto__'], {}).values.out).toBe('__proto__');
    expect(Object.getPrototypeOf(parseFlags(FLAGS, ['--out=constructor'], {}).values)).toBe(Object.prototype);
  });
});

describe('helpText', () => {
  it('lists every flag with its value name, default and variable, and the help flag', () => {
    const text = helpText({ name: 'x', summary: 'Does x.', usage: 'meshwatch x [flags]', flags: FLAGS, examples: ['meshwatch x -P 1'] });
    expect(text).toContain('Usage: meshwatch x [flags]');
    expect(text).toMatch(/-P, --port INTEGER\s+port \(default 8080; env PORT\)/);
    expect(text).toMatch(/--sim\s+simulate \(default true; env SIM\)/);
    expect(text).toMatch(/-o, --out FILE\s+output\n/);
    expect(text).toMatch(/-h, --help\s+show this help and exit/);
    expect(text).toContain('Examples:\n  meshwatch x -P 1');
  });
});
