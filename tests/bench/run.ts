/**
 * `npm run bench`: the store bench, then the gateway bench if it is there,
 * printed as one table with the machine it ran on. Figures are printed, not
 * asserted; the process exits non-zero only if a bench throws (including a
 * bench's own consistency checks).
 *
 * `BENCH_SECONDS=<n>` changes how long each case runs (default 2).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchStoreThroughput, REFERENCE_NAME, type BenchResult } from './store-throughput.ts';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 2);

function isResult(value: unknown): value is BenchResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BenchResult).name === 'string' &&
    typeof (value as BenchResult).messagesPerSecond === 'number'
  );
}

/** The gateway bench is written separately; run it when it exists, say why when it does not. */
async function gatewayResults(): Promise<{ rows: BenchResult[]; note?: string }> {
  const file = join(here, 'gateway-throughput.ts');
  if (!existsSync(file)) return { rows: [], note: 'gateway bench skipped: tests/bench/gateway-throughput.ts does not exist yet' };
  // A computed specifier: the type checker must not require a module that may not exist yet.
  const specifier = pathToFileURL(file).href;
  const module = (await import(specifier)) as { benchGatewayThroughput?: (options?: { seconds?: number }) => unknown };
  if (typeof module.benchGatewayThroughput !== 'function') {
    return { rows: [], note: 'gateway bench skipped: tests/bench/gateway-throughput.ts exports no benchGatewayThroughput()' };
  }
  const output = await module.benchGatewayThroughput({ seconds });
  const rows = Array.isArray(output) ? output : [output];
  if (!rows.every(isResult)) throw new Error(`benchGatewayThroughput() returned something other than results: ${JSON.stringify(output)?.slice(0, 200)}`);
  return { rows };
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function printTable(rows: BenchResult[], reference: number | undefined): void {
  const table = rows.map((row) => [
    row.name,
    formatRate(row.messagesPerSecond),
    reference !== undefined && row.name.startsWith('store:') ? `${(row.messagesPerSecond / reference).toFixed(2)}×` : '',
    row.detail ?? '',
  ]);
  const header = ['name', 'messages/s', 'vs reference (store)', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `meshwatch bench — node ${process.version}, ${platform()} ${arch()}, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${seconds} s per case`,
  );
  console.log('');

  const rows = benchStoreThroughput({ seconds });
  const gateway = await gatewayResults();
  rows.push(...gateway.rows);

  printTable(rows, rows.find((row) => row.name === REFERENCE_NAME)?.messagesPerSecond);
  if (gateway.note) console.log(`\n${gateway.note}`);
}

main().then(
  // Exit explicitly: a bench that leaves a socket or timer behind must not hang CI.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
