/** The typed methods: the payload each one makes, and the TypeError a bad call gets instead. */
import { describe, expect, it } from 'vitest';
import { groupSeries, ownershipFrom } from '../../src/features/dashboard/group-series.ts';
import { inferUnit } from '../../src/lib/units.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { MAX_TRACKED_CONTAINERS } from '../../src/publisher/docker-stats.ts';
import { createEmitters, stepProgress, type Emitters } from '../../src/publisher/emitters.ts';
import { createPublisher } from '../../src/publisher/publisher.ts';
import { checkPayloads } from '../../src/publisher/validate.ts';

const NOW = 1_700_000_000_000;

function capture(): { emit: Emitters; sent: Payload[] } {
  const sent: Payload[] = [];
  const emit = createEmitters((payloads) => sent.push(...checkPayloads(payloads)), () => NOW);
  return { emit, sent };
}

const node = { id: 'db', label: 'Postgres', kind: 'postgres', status: 'healthy' } as const;

describe('the typed methods', () => {
  it.each<[string, (emit: Emitters) => void, Payload]>([
    ['upsertNode', (e) => e.upsertNode(node), { type: 'node-upsert', node }],
    ['setStatus', (e) => e.setStatus('db', 'down'), { type: 'node-status', id: 'db', status: 'down' }],
    ['emitServiceStatus', (e) => e.emitServiceStatus('db', 'starting'), { type: 'node-status', id: 'db', status: 'starting' }],
    ['deleteNode', (e) => e.deleteNode('db'), { type: 'node-delete', id: 'db' }],
    ['upsertEdge', (e) => e.upsertEdge({ id: 'a->b', source: 'a', target: 'b' }), { type: 'edge-upsert', edge: { id: 'a->b', source: 'a', target: 'b' } }],
    ['edgeStats', (e) => e.edgeStats('a->b', { rps: 3, errorRate: 0.5, p95Ms: 9 }), { type: 'edge-stats', id: 'a->b', stats: { rps: 3, errorRate: 0.5, p95Ms: 9 } }],
    ['deleteEdge', (e) => e.deleteEdge('a->b'), { type: 'edge-delete', id: 'a->b' }],
    ['event', (e) => e.event('disk full', 'error'), { type: 'event', message: 'disk full', severity: 'error' }],
    ['event about a node', (e) => e.event('disk full', 'warn', 'db'), { type: 'event', message: 'disk full', severity: 'warn', nodeId: 'db' }],
    ['log', (e) => e.log('db', 'ready\nlistening'), { type: 'log-chunk', nodeId: 'db', text: 'ready\nlistening' }],
    ['emitLogStream with a level', (e) => e.emitLogStream('db', 'oops', 'error'), { type: 'log-chunk', nodeId: 'db', text: 'oops', level: 'error' }],
    ['point of a value now', (e) => e.point('db.tps', 412), { type: 'chart-point', series: 'db.tps', value: { t: NOW, y: 412 } }],
    ['point at its own time, of a node', (e) => e.point('db.tps', { t: 5, y: 1 }, 'db'), { type: 'chart-point', series: 'db.tps', value: { t: 5, y: 1 }, nodeId: 'db' }],
    [
      'progress',
      (e) => e.progress({ id: 'crawl', label: 'Crawl', percent: 40, status: 'running' }),
      { type: 'progress', progress: { id: 'crawl', label: 'Crawl', percent: 40, status: 'running' } },
    ],
    [
      'emitBuildProgress',
      (e) => e.emitBuildProgress('web', 2, 6, 'Generating docker-compose'),
      { type: 'progress', progress: { id: 'build:web', label: 'Build web · Generating docker-compose', percent: 33.3, status: 'running', step: 2, steps: 6 } },
    ],
    [
      'emitBuildProgress at the last step',
      (e) => e.emitBuildProgress('web', 6, 6),
      { type: 'progress', progress: { id: 'build:web', label: 'Build web', percent: 100, status: 'complete', step: 6, steps: 6 } },
    ],
    [
      'emitDeployProgress that failed',
      (e) => e.emitDeployProgress('production', 1, 3, 'Pushing', 'failed'),
      { type: 'progress', progress: { id: 'deploy:production', label: 'Deploy production · Pushing', percent: 33.3, status: 'failed', step: 1, steps: 3 } },
    ],
    ['publish', (e) => e.publish({ type: 'node-delete', id: 'x' }), { type: 'node-delete', id: 'x' }],
  ])('%s', (_name, call, expected) => {
    const { emit, sent } = capture();
    call(emit);
    expect(sent).toEqual([expected]);
  });

  it('publishes an array whole, in order', () => {
    const { emit, sent } = capture();
    const payloads: Payload[] = [{ type: 'node-delete', id: 'a' }, { type: 'edge-delete', id: 'b' }];
    emit.publish(payloads);
    expect(sent).toEqual(payloads);
  });

  it('strips keys the protocol does not know, as the gateway would', () => {
    const { emit, sent } = capture();
    emit.upsertNode({ ...node, extra: 'x' } as never);
    expect(sent).toEqual([{ type: 'node-upsert', node }]);
  });

  it('cuts a step helper label that would be too long rather than refusing it', () => {
    const progress = stepProgress('build', 'web', 1, 2, 'x'.repeat(500));
    expect(progress.label).toHaveLength(200);
    expect(progress.label.endsWith('…')).toBe(true);
  });
});

describe('bad calls', () => {
  it.each<[string, (emit: Emitters) => void, RegExp]>([
    ['a node without a kind', (e) => e.upsertNode({ ...node, kind: '' }), /node\.kind/],
    ['an unknown status', (e) => e.setStatus('db', 'sleepy' as never), /'node-status' payload: status/],
    ['an empty id', (e) => e.deleteNode(''), /payload: id: /],
    ['an error rate over 1', (e) => e.edgeStats('e', { rps: 1, errorRate: 2, p95Ms: 1 }), /stats\.errorRate/],
    ['an unknown severity', (e) => e.event('x', 'loud' as never), /severity/],
    ['a log text over 16 KiB', (e) => e.log('db', 'x'.repeat(16_385)), /text/],
    ['a NaN point', (e) => e.point('s', Number.NaN), /value\.y/],
    ['an infinite point time', (e) => e.point('s', { t: Infinity, y: 1 }), /value\.t/],
    ['a step past the total', (e) => e.emitBuildProgress('web', 7, 6), /percent/],
    ['a total of zero', (e) => e.emitDeployProgress('prod', 0, 0), /progress\.steps/],
    ['NaN docker stats', (e) => e.emitDockerStats('api', { cpu: Number.NaN, memory: 1 }), /finite/],
    ['docker stats of a node id too long for its series names', (e) => e.emitDockerStats('n'.repeat(120), { cpu: 1, memory: 1 }), /payload at index 0: series: /],
    ['an unknown payload type', (e) => e.publish({ type: 'reboot' } as never), /'reboot' payload/],
    ['not an object', (e) => e.publish(null as never), /invalid payload: \(payload\): /],
  ])('throws a TypeError for %s', (_name, call, message) => {
    const { emit, sent } = capture();
    expect(() => call(emit)).toThrow(TypeError);
    expect(() => call(emit)).toThrow(message);
    expect(sent).toEqual([]);
  });

  it('queues nothing of an array with one bad payload', () => {
    const { emit, sent } = capture();
    expect(() => emit.publish([{ type: 'node-delete', id: 'a' }, { type: 'node-delete', id: '' }])).toThrow(/at index 1/);
    expect(sent).toEqual([]);
  });

  it('never lets a bad call reach the publisher queue', async () => {
    const publisher = createPublisher({ url: 'http://127.0.0.1:1', project: 'p', fetch: () => Promise.reject(new Error('unused')) });
    expect(() => publisher.event('x', 'loud' as never)).toThrow(TypeError);
    expect(publisher.stats()).toMatchObject({ queued: 0, dropped: 0 });
    await publisher.close();
  });
});

describe('docker stats', () => {
  it('makes a point per stat, owned by the node, and rates from the second report of network counters', () => {
    const { emit, sent } = capture();
    emit.emitDockerStats('api', { cpu: 12.5, memory: 64 * 1024 * 1024, memoryPercent: 25, network: { rx: 1_000, tx: 500 }, t: 10_000 });
    expect(sent.map((p) => p.type === 'chart-point' && [p.series, p.value.y, p.nodeId])).toEqual([
      ['api:docker/cpu_pct', 12.5, 'api'],
      ['api:docker/memory_pct', 25, 'api'],
      ['api:docker/memory_bytes', 64 * 1024 * 1024, 'api'],
    ]);
    sent.length = 0;
    emit.emitDockerStats('api', { cpu: 10, memory: 1, network: { rx: 3_000, tx: 1_500 }, t: 12_000 });
    expect(sent.map((p) => p.type === 'chart-point' && [p.series, p.value.y, p.value.t])).toEqual([
      ['api:docker/cpu_pct', 10, 12_000],
      ['api:docker/memory_bytes', 1, 12_000],
      ['api:docker/net/rx_bytes_per_s', 1_000, 12_000],
      ['api:docker/net/tx_bytes_per_s', 500, 12_000],
    ]);
  });

  it('sends no rate after the counters went back (a restarted container), and stamps points now by default', () => {
    const { emit, sent } = capture();
    emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 5_000, tx: 5_000 }, t: 1_000 });
    emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 10, tx: 10 }, t: 2_000 });
    emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 20, tx: 30 } });
    const rates = sent.filter((p) => p.type === 'chart-point' && p.series.includes('/net/'));
    expect(rates.map((p) => p.type === 'chart-point' && [p.value.t, p.value.y])).toEqual([
      [NOW, 10 / ((NOW - 2_000) / 1_000)],
      [NOW, 20 / ((NOW - 2_000) / 1_000)],
    ]);
  });

  it('measures a rate from the last published report only, not from one the publisher refused', () => {
    let closed = true;
    const sent: Payload[] = [];
    const emit = createEmitters((payloads) => {
      if (closed) throw new Error('meshwatch publisher: closed');
      sent.push(...checkPayloads(payloads));
    }, () => NOW);
    expect(() => emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 1_000, tx: 1_000 }, t: 1_000 })).toThrow(/closed/);
    closed = false;
    emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 3_000, tx: 2_000 }, t: 2_000 }); // the first published: no rate yet
    emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 5_000, tx: 2_500 }, t: 4_000 });
    const rates = sent.filter((p) => p.type === 'chart-point' && p.series.includes('/net/'));
    expect(rates.map((p) => p.type === 'chart-point' && [p.series, p.value.t, p.value.y])).toEqual([
      ['api:docker/net/rx_bytes_per_s', 4_000, 1_000],
      ['api:docker/net/tx_bytes_per_s', 4_000, 250],
    ]);
  });

  it('forgets a deleted node, and keeps no more than a bounded number of containers', () => {
    const { emit, sent } = capture();
    emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 0, tx: 0 }, t: 1_000 });
    emit.deleteNode('api');
    emit.emitDockerStats('api', { cpu: 1, memory: 1, network: { rx: 10, tx: 10 }, t: 2_000 });
    expect(sent.some((p) => p.type === 'chart-point' && p.series.includes('/net/'))).toBe(false);

    for (let i = 0; i <= MAX_TRACKED_CONTAINERS; i++) emit.emitDockerStats(`c${i}`, { cpu: 1, memory: 1, network: { rx: 0, tx: 0 }, t: 1 });
    sent.length = 0;
    emit.emitDockerStats('c0', { cpu: 1, memory: 1, network: { rx: 10, tx: 10 }, t: 2 }); // the least recently reported: forgotten
    emit.emitDockerStats(`c${MAX_TRACKED_CONTAINERS}`, { cpu: 1, memory: 1, network: { rx: 10, tx: 10 }, t: 2 });
    expect(sent.filter((p) => p.type === 'chart-point' && p.series.includes('/net/')).map((p) => p.type === 'chart-point' && p.nodeId)).toEqual([
      `c${MAX_TRACKED_CONTAINERS}`,
      `c${MAX_TRACKED_CONTAINERS}`,
    ]);
  });

  it('names series so that the dashboard groups each container into a usage panel and a network panel, with units it can tell', () => {
    const { emit, sent } = capture();
    for (const id of ['api', 'worker']) {
      emit.emitDockerStats(id, { cpu: 1, memory: 1, memoryPercent: 1, network: { rx: 0, tx: 0 }, t: 1 });
      emit.emitDockerStats(id, { cpu: 1, memory: 1, memoryPercent: 1, network: { rx: 0, tx: 0 }, t: 2 });
    }
    const points = sent.filter((p) => p.type === 'chart-point');
    const byNode: Record<string, string[]> = {};
    for (const p of points) (byNode[p.nodeId!] ??= []).includes(p.series) || byNode[p.nodeId!]!.push(p.series);
    const panels = groupSeries(
      points.map((p) => p.series),
      ownershipFrom(byNode, new Map([['api', 'containers'], ['worker', 'containers']])),
    );
    const summary = panels.map((panel) => [panel.title, panel.lines.map((line) => `${line.label}:${inferUnit(line.series).kind}`)]);
    expect(summary).toEqual([
      ['api:docker', ['cpu_pct:percent', 'memory_bytes:bytes', 'memory_pct:percent']],
      ['api:docker/net', ['rx_bytes_per_s:byte-rate', 'tx_bytes_per_s:byte-rate']],
      ['worker:docker', ['cpu_pct:percent', 'memory_bytes:bytes', 'memory_pct:percent']],
      ['worker:docker/net', ['rx_bytes_per_s:byte-rate', 'tx_bytes_per_s:byte-rate']],
    ]);
  });
});
