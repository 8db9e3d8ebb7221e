/** The fan-out bench's printed tables: every case, then meshwatch's ratios to socket.io within each group. */
import type { CaseResult } from './fanout-run.ts';

function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'n/a';
}

function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return 'n/a';
  // Latencies are whole milliseconds: a 0 ms socket.io p50 is "under 1 ms", so the ratio is a floor.
  if (b === 0) return a === 0 ? '1.00×' : `> ${a}×`;
  return `${(a / b).toFixed(2)}×`;
}

function printTable(header: string[], rows: string[][], rightAligned: (column: number) => boolean): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (rightAligned(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

function notes(result: CaseResult): string {
  const parts: string[] = [];
  // Past the cap the system is not keeping up: its latency is then about cap / throughput, not a steady state.
  if (result.heldBack > 0) parts.push(`overloaded: ${count(result.heldBack)} held back at ${count(result.maxInFlight)} in flight`);
  const lost = Object.entries(result.lostClients);
  if (lost.length > 0) parts.push(`lost clients: ${lost.map(([why, n]) => `${n} ${why}`).join(', ')}`);
  if (result.gateway) {
    const { slowConsumersDegraded, slowConsumersClosed } = result.gateway;
    if (slowConsumersDegraded > 0) parts.push(`${slowConsumersDegraded} degraded`);
    if (slowConsumersClosed > 0) parts.push(`${slowConsumersClosed} closed 4409`);
  }
  if (result.rejected > 0) parts.push(`${result.rejected} rejected`);
  return parts.join('; ');
}

export function printResults(results: readonly CaseResult[]): void {
  console.log('Fan-out to one project: msg/s are envelopes per second (delivered: summed over all clients); latency publish → client receipt in ms;');
  console.log('missing/dups: seqs never received (less those coalesced) / received twice, summed over clients since they joined; coalesced: stats');
  console.log('messages the gateway dropped for a later value, for slow readers (its own count); CPU in cores (this machine has 2): server = this');
  console.log('process (the server under test and the publisher), clients = the 2 worker processes. Delivered counts what arrived in the window.');
  console.log('');
  printTable(
    ['case', 'clients', 'offered', 'published msg/s', 'delivered msg/s', 'per client msg/s', 'frames/s', 'p50 ms', 'p99 ms', 'max ms', 'missing/dups', 'coalesced', 'server CPU', 'clients CPU', 'notes'],
    results.map((result) => [
      result.label,
      count(result.clients),
      result.offered.kind === 'rate' ? count(result.offered.perSecond) : 'max',
      count(result.publishedPerSecond),
      count(result.deliveredPerSecond),
      count(result.deliveredPerSecond / result.clients),
      count(result.framesPerSecond),
      ms(result.p50Ms),
      ms(result.p99Ms),
      ms(result.maxMs),
      `${count(result.missing)}/${count(result.duplicates)}`,
      result.gateway ? count(result.gateway.messagesCoalesced) : '-',
      result.serverCores.toFixed(2),
      result.clientCores.toFixed(2),
      notes(result),
    ]),
    (column) => column >= 1 && column <= 13,
  );

  const rows: string[][] = [];
  const groups = [...new Set(results.map((result) => result.group))];
  for (const group of groups) {
    const inGroup = results.filter((result) => result.group === group);
    // Each meshwatch case against each socket.io case; and two gateways behind Redis against one gateway fed the same way (HTTP).
    const pairs: [CaseResult, CaseResult][] = [];
    // The in-process publisher against socket.io (both publish in the server's process); the others against their own baseline.
    for (const meshwatch of inGroup.filter((result) => result.label === 'meshwatch')) {
      for (const other of inGroup.filter((result) => result.system === 'socketio')) pairs.push([meshwatch, other]);
    }
    const oneGateway = inGroup.find((result) => result.label === 'meshwatch via HTTP publish');
    for (const scaled of inGroup.filter((result) => result.label.includes('+ Redis'))) if (oneGateway) pairs.push([scaled, oneGateway]);
    for (const [meshwatch, other] of pairs) {
      {
        rows.push([
          group,
          `${shortName(meshwatch)} / ${shortName(other)}`,
          ratio(meshwatch.deliveredPerSecond, other.deliveredPerSecond),
          ratio(meshwatch.p50Ms, other.p50Ms),
          ratio(meshwatch.p99Ms, other.p99Ms),
          [meshwatch, other].filter((result) => result.heldBack > 0).map(overloadNote).join('; '),
        ]);
      }
    }
  }
  if (rows.length === 0) return;
  console.log('');
  console.log('Ratios meshwatch / socket.io, and 2 gateways + Redis / 1 gateway (delivered: higher favours the first; latency: lower favours the first).');
  console.log('Where a side was overloaded its latency is that of the fewer messages it published, so compare delivered first.');
  console.log('');
  printTable(['group', 'cases', 'delivered msg/s', 'p50', 'p99', 'overloaded'], rows, (column) => column >= 2 && column <= 4);
}

/** The label without its parenthesis: "socket.io batched (array per …)" → "socket.io batched". */
function shortName(result: CaseResult): string {
  return result.label.replace(/ \(.*\)$/, '');
}

function overloadNote(result: CaseResult): string {
  const offered = result.offered.kind === 'rate' ? count(result.offered.perSecond) : 'max';
  return `${shortName(result)} published ${count(result.publishedPerSecond)} of ${offered} msg/s`;
}
