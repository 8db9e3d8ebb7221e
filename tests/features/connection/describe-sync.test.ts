import { describe, expect, it } from 'vitest';
import { describeStreamHealth, describeSync } from '../../../src/features/connection/describe-sync.ts';
import type { SyncInfo } from '../../../src/store/realtime.ts';

const at = 1_700_000_000_000;

describe('describeSync', () => {
  it.each<[string, SyncInfo | null, string | null]>([
    ['nothing before the first connect', null, null],
    ['a resume with missed messages', { mode: 'replay', replayed: 120, at }, 'resumed · 120 missed messages replayed'],
    ['a resume with one missed message', { mode: 'replay', replayed: 1, at }, 'resumed · 1 missed message replayed'],
    ['a resume that missed nothing', { mode: 'replay', replayed: 0, at }, 'resumed · nothing missed'],
    ['a resume that does not count', { mode: 'replay', at }, 'resumed · nothing missed'],
    ['nothing for a first connect', { mode: 'snapshot', reason: 'new', at }, null],
    ['a gateway restart', { mode: 'snapshot', reason: 'epoch-changed', at }, 'fresh snapshot · gateway restarted'],
    ['a gap older than the replay buffer', { mode: 'snapshot', reason: 'gap-too-old', at }, 'fresh snapshot · gap too old to replay'],
    ['a gap the client saw', { mode: 'snapshot', reason: 'client-requested', at }, 'fresh snapshot · gap detected'],
    ['a client ahead of the stream', { mode: 'snapshot', reason: 'ahead', at }, 'fresh snapshot · gateway is behind this page'],
    ['a project reset', { mode: 'snapshot', reason: 'reset', at }, 'project started over'],
    ['a snapshot with no reason', { mode: 'snapshot', at }, 'fresh snapshot'],
  ])('says %s', (_why, sync, expected) => {
    expect(describeSync(sync)).toBe(expected);
  });
});

describe('describeStreamHealth', () => {
  it.each<[string, Parameters<typeof describeStreamHealth>[0], string[]]>([
    ['nothing for a healthy first connect', { sync: { mode: 'snapshot', reason: 'new', at }, coalesced: 0, gaps: 0 }, []],
    [
      'the last catch-up',
      { sync: { mode: 'replay', replayed: 3, at }, coalesced: 0, gaps: 0 },
      ['last catch-up: resumed · 3 missed messages replayed'],
    ],
    ['what a slow link cost', { sync: null, coalesced: 412, gaps: 0 }, ['412 stats coalesced on a slow link']],
    [
      'gaps, with the rest',
      { sync: { mode: 'snapshot', reason: 'client-requested', at }, coalesced: 5, gaps: 1 },
      [
        'last catch-up: fresh snapshot · gap detected',
        '5 stats coalesced on a slow link',
        '1 gap in the stream, each answered by a fresh snapshot',
      ],
    ],
    ['gaps in the plural', { sync: null, coalesced: 0, gaps: 2 }, ['2 gaps in the stream, each answered by a fresh snapshot']],
  ])('lists %s', (_why, stream, expected) => {
    expect(describeStreamHealth(stream)).toEqual(expected);
  });
});
