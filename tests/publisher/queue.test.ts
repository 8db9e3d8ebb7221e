import { describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { PayloadQueue, utf8Length, type QueuedPayload } from '../../src/publisher/queue.ts';

let nextId = 0;
function entry(message: string): QueuedPayload {
  const payload: Payload = { type: 'event', message, severity: 'info' };
  const json = JSON.stringify(payload);
  return { id: nextId++, json, bytes: utf8Length(json) };
}
const messages = (entries: readonly QueuedPayload[]) => entries.map((e) => (JSON.parse(e.json) as { message: string }).message);

describe('utf8Length', () => {
  it.each(['', 'ascii', 'é', '€', '😀', 'a😀b€é', '\ud800 lone high surrogate', 'lone low \udc00', '\ud800'])('matches TextEncoder for %j', (text) => {
    expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });
});

describe('the payload queue', () => {
  it('takes the oldest first, at most maxCount at a time', () => {
    const queue = new PayloadQueue(100);
    for (const m of ['a', 'b', 'c', 'd', 'e']) queue.push(entry(m));
    expect(messages(queue.take(2, Infinity))).toEqual(['a', 'b']);
    expect(messages(queue.take(10, Infinity))).toEqual(['c', 'd', 'e']);
    expect(queue.size).toBe(0);
    expect(queue.bytes).toBe(0);
  });

  it('takes no more than fit in maxBytes, with one separator each, but always one', () => {
    const queue = new PayloadQueue(100);
    const first = entry('x'.repeat(100));
    queue.push(first);
    queue.push(entry('y'.repeat(100)));
    expect(queue.take(10, first.bytes)).toHaveLength(1); // alone it does not fit with its separator, but goes anyway
    expect(queue.take(10, 10)).toHaveLength(1);
    const small = [entry('a'), entry('b'), entry('c')];
    for (const e of small) queue.push(e);
    expect(queue.take(10, small[0]!.bytes + small[1]!.bytes + 2)).toHaveLength(2);
  });

  it('drops the oldest past its cap and says how many', () => {
    const queue = new PayloadQueue(3);
    expect([1, 2, 3].map((i) => queue.push(entry(`m${i}`)))).toEqual([0, 0, 0]);
    expect(queue.push(entry('m4'))).toBe(1);
    expect(queue.push(entry('m5'))).toBe(1);
    expect(queue.size).toBe(3);
    expect(messages(queue.take(10, Infinity))).toEqual(['m3', 'm4', 'm5']);
  });

  it('stays bounded and in order through many pushes and takes', () => {
    const queue = new PayloadQueue(1_000);
    let dropped = 0;
    for (let i = 0; i < 10_000; i++) dropped += queue.push(entry(String(i)));
    expect(dropped).toBe(9_000);
    const taken = messages(queue.take(Infinity, Infinity));
    expect(taken).toEqual(Array.from({ length: 1_000 }, (_, i) => String(9_000 + i)));
    expect(queue.bytes).toBe(0);
  });

  it('puts taken payloads back in front, in order', () => {
    const queue = new PayloadQueue(10);
    for (const m of ['a', 'b', 'c', 'd']) queue.push(entry(m));
    const taken = queue.take(2, Infinity);
    queue.push(entry('e'));
    queue.putBack(taken);
    expect(queue.peek()).toBe(taken[0]);
    expect(messages(queue.take(10, Infinity))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('drops the oldest past its byte cap and says how many, but keeps the newest even when it alone is larger', () => {
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    const queue = new PayloadQueue(100, a.bytes * 2);
    expect([a, b].map((e) => queue.push(e))).toEqual([0, 0]);
    expect(queue.push(c)).toBe(1);
    expect(queue.bytes).toBe(b.bytes + c.bytes);
    expect(queue.push(entry('x'.repeat(100)))).toBe(2);
    expect(queue.size).toBe(1);
    expect(messages(queue.take(10, Infinity))).toEqual(['x'.repeat(100)]);
  });

  it('budgets framing bytes for the body as a whole when taking', () => {
    const queue = new PayloadQueue(100);
    const [a, b] = [entry('a'), entry('b')];
    queue.push(a);
    queue.push(b);
    const both = a.bytes + 1 + b.bytes + 1;
    expect(queue.take(10, both, 1)).toHaveLength(1);
    expect(queue.take(10, both, 1)).toHaveLength(1);
    queue.push(entry('a'));
    queue.push(entry('b'));
    expect(queue.take(10, both + 1, 1)).toHaveLength(2);
  });

  it('keeps its byte count as payloads come and go', () => {
    const queue = new PayloadQueue(2);
    const [a, b, c] = [entry('a'), entry('bb'), entry('ccc')];
    queue.push(a);
    queue.push(b);
    queue.push(c); // drops a
    expect(queue.bytes).toBe(b.bytes + c.bytes);
    expect(queue.clear()).toBe(2);
    expect(queue.bytes).toBe(0);
  });
});
