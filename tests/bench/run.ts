/**
 * `npm run bench`: the store bench, then the simulator and gateway benches,
 * printed as one table with the machine it ran on. Figures are printed, not
 * asserted; the process exits non-zero only if a bench throws (including a
 * bench's own consistency checks).
 *
 * `BENCH_SECONDS=<n>` changes how long each case runs (default 2).
 */
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import { benchGatewayThroughput } from './gateway-throughput.ts';
import { benchStoreThroughput, REFERENCE_NAME, type BenchResult } from './store-throughput.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);

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
  rows.push(...(await benchGatewayThroughput({ seconds })));

  printTable(rows, rows.find((row) => row.name === REFERENCE_NAME)?.messagesPerSecond);
}

main().then(
  // Exit explicitly: a bench that leaves a socket or timer behind must not hang CI.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
