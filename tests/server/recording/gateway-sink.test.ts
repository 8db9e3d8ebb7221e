import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../../src/protocol/messages.ts';
import { Gateway } from '../../../src/server/gateway.ts';
import { gatewaySink, PublishRefusedError } from '../../../src/server/recording/gateway-sink.ts';
import { replayRecording } from '../../../src/server/recording/replay.ts';
import type { PublishAllOutcome } from '../../../src/server/room.ts';

const gateways: Gateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
});

const event: Payload = { type: 'event', severity: 'info', message: 'hi' };

describe('the gateway sink', () => {
  it('publishes each group as one run, stamped with contiguous seqs', async () => {
    const gateway = new Gateway();
    gateways.push(gateway);
    const sink = gatewaySink(gateway, 'p');
    await sink([event, event]);
    await sink([event]);
    expect(gateway.room('p')!.seq).toBe(3);
  });

  it('throws the refusal, and the replay stops with it, when a group passes a topology cap', async () => {
    const gateway = new Gateway({ stateLimits: { maxNodes: 5 } });
    gateways.push(gateway);
    const source = fileURLToPath(new URL('../../fixtures/recordings/outage.ndjson', import.meta.url));
    const replay = replayRecording({ source, sink: gatewaySink(gateway, 'small'), speed: 'max' });
    await expect(replay).rejects.toBeInstanceOf(PublishRefusedError);
    await expect(replay).rejects.toMatchObject({ code: 'node-limit', message: expect.stringContaining('project small') });
    // All or nothing: the refused group left no trace.
    expect(gateway.room('small')?.seq ?? 0).toBe(0);
  });

  it('awaits an answer that comes later, and uses submit where a gateway has it', async () => {
    const calls: string[] = [];
    const later = (count: number): Promise<PublishAllOutcome> => Promise.resolve({ ok: true, count, seq: count });
    await gatewaySink({ publishAll: async (_p, payloads) => (calls.push('publishAll'), later(payloads.length)) }, 'p')([event]);
    await gatewaySink(
      { publishAll: (_p, payloads) => (calls.push('publishAll'), { ok: true, count: payloads.length, seq: 1 }), submit: async (_p, payloads) => (calls.push('submit'), later(payloads.length)) },
      'p',
    )([event]);
    const refusing = gatewaySink({ publishAll: async () => ({ ok: false, code: 'too-many-projects', reason: 'gateway already holds 1000 watched projects' }) }, 'p');
    await expect(refusing([event])).rejects.toMatchObject({ code: 'too-many-projects', message: expect.stringContaining('1000 watched projects') });
    expect(calls).toEqual(['publishAll', 'submit']);
  });
});
