import { describe, expect, it } from 'vitest';
import {
  describeGroupForSpeech,
  describeNodeForSpeech,
  speakErrors,
  speakLatency,
  speakRate,
} from '../../../src/features/topology/speech.ts';

const fetcher = { id: 'fetcher-03', label: 'Fetcher 03', kind: 'fetcher', status: 'degraded' } as const;

describe('speech for a node', () => {
  it.each([
    ['names the node, its kind, status and traffic', fetcher, { rps: 120, errorRate: 0.04, p95Ms: 87 },
      'Fetcher 03, fetcher, degraded, 120 requests per second, 4 percent errors, p95 latency 87 milliseconds'],
    ['says nothing of numbers without metrics', fetcher, null, 'Fetcher 03, fetcher, degraded'],
    ['leaves out errors and latency at zero', { ...fetcher, status: 'healthy' }, { rps: 3, errorRate: 0, p95Ms: 0 },
      'Fetcher 03, fetcher, healthy, 3 requests per second'],
    ['falls back to the id when the label is blank', { ...fetcher, label: '  ' }, null, 'fetcher-03, fetcher, degraded'],
    ['skips a kind that only repeats the name', { id: 'pg', label: 'Postgres', kind: 'postgres', status: 'down' }, null,
      'Postgres, down'],
  ] as const)('%s', (_, node, metrics, expected) => {
    expect(describeNodeForSpeech(node, metrics)).toBe(expected);
  });
});

describe('speech for numbers', () => {
  it.each([
    [0, '0 requests per second'],
    [1, '1 request per second'],
    [0.5, '0.5 requests per second'],
    [120.4, '120 requests per second'],
    [1_000, '1 thousand requests per second'],
    [1_234, '1.2 thousand requests per second'],
    [45_600, '46 thousand requests per second'],
    [3_000_000, '3 million requests per second'],
  ])('says %d rps as "%s"', (rps, expected) => {
    expect(speakRate(rps)).toBe(expected);
  });

  it.each([
    [0, undefined],
    [0.0001, 'under 0.1 percent errors'],
    [0.004, '0.4 percent errors'],
    [0.04, '4 percent errors'],
    [0.155, '16 percent errors'],
    [1, '100 percent errors'],
  ])('says an error rate of %d as "%s"', (rate, expected) => {
    expect(speakErrors(rate)).toBe(expected);
  });

  it.each([
    [0, undefined],
    [87.4, 'p95 latency 87 milliseconds'],
    [1_000, 'p95 latency 1 second'],
    [1_500, 'p95 latency 1.5 seconds'],
    [12_000, 'p95 latency 12 seconds'],
  ])('says a p95 of %d ms as "%s"', (ms, expected) => {
    expect(speakLatency(ms)).toBe(expected);
  });
});

describe('speech for a group', () => {
  it('counts its nodes by status, sums its traffic and says whether it is collapsed', () => {
    expect(
      describeGroupForSpeech('fetchers', 48, { healthy: 45, degraded: 3 }, { rps: 2_400, errorRate: 0.01, p95Ms: 0 }, true),
    ).toBe('fetchers, group of 48 nodes, 45 healthy, 3 degraded, 2.4 thousand requests per second, 1 percent errors, collapsed');
  });

  it.each([
    ['one node, expanded', 1, { down: 1 }, false as boolean | undefined, 'parsers, group of 1 node, 1 down, expanded'],
    ['statuses in a fixed order, zeros skipped, no state when none is given', 6,
      { unknown: 1, down: 2, healthy: 3, degraded: 0 }, undefined, 'parsers, group of 6 nodes, 3 healthy, 2 down, 1 unknown'],
  ])('%s', (_, count, statusCounts, collapsed, expected) => {
    expect(describeGroupForSpeech('parsers', count, statusCounts, null, collapsed)).toBe(expected);
  });
});
