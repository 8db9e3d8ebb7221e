import { describe, expect, it } from 'vitest';
import { LruKeys } from '../../src/lib/lru-keys.ts';

type Op = ['touch' | 'delete', string] | ['clear'];

function run(ops: Op[]): LruKeys {
  const lru = new LruKeys();
  for (const op of ops) {
    if (op[0] === 'clear') lru.clear();
    else if (op[0] === 'touch') lru.touch(op[1]);
    else lru.delete(op[1]);
  }
  return lru;
}

describe('LruKeys', () => {
  it.each<[string, Op[], string | undefined, number]>([
    ['an empty set has no oldest key', [], undefined, 0],
    ['one key is its own oldest', [['touch', 'a']], 'a', 1],
    ['the first key touched is the oldest', [['touch', 'a'], ['touch', 'b'], ['touch', 'c']], 'a', 3],
    ['touching a key again makes it the newest', [['touch', 'a'], ['touch', 'b'], ['touch', 'a']], 'b', 2],
    ['touching the newest key again changes nothing', [['touch', 'a'], ['touch', 'b'], ['touch', 'b']], 'a', 2],
    ['deleting the oldest promotes the next', [['touch', 'a'], ['touch', 'b'], ['delete', 'a']], 'b', 1],
    ['deleting an unknown key is harmless', [['touch', 'a'], ['delete', 'zzz']], 'a', 1],
    ['a deleted key comes back as the newest', [['touch', 'a'], ['touch', 'b'], ['delete', 'a'], ['touch', 'a']], 'b', 2],
    ['clear forgets everything', [['touch', 'a'], ['touch', 'b'], ['clear']], undefined, 0],
    ['keys touched after clear start afresh', [['touch', 'a'], ['clear'], ['touch', 'b'], ['touch', 'a']], 'b', 2],
  ])('%s', (_why, ops, oldest, size) => {
    const lru = run(ops);
    expect(lru.oldest()).toBe(oldest);
    expect(lru.size).toBe(size);
  });

  it('treats keys that look alike as different keys', () => {
    const lru = run([['touch', '1'], ['touch', ' 1'], ['touch', '__proto__'], ['touch', 'constructor']]);
    expect(lru.size).toBe(4);
    expect(lru.oldest()).toBe('1');
    lru.delete('1');
    lru.delete(' 1');
    expect(lru.oldest()).toBe('__proto__');
  });

  it('gives keys back in least-recently-used order when drained from the oldest', () => {
    const lru = run([['touch', 'a'], ['touch', 'b'], ['touch', 'c'], ['touch', 'a'], ['touch', 'd'], ['touch', 'b']]);
    const drained: string[] = [];
    for (let key = lru.oldest(); key !== undefined; key = lru.oldest()) {
      drained.push(key);
      lru.delete(key);
    }
    expect(drained).toEqual(['c', 'a', 'd', 'b']);
  });

  it('touches in constant time: 100,000 keys and 300,000 touches stay fast', () => {
    const lru = new LruKeys();
    for (let i = 0; i < 100_000; i++) lru.touch(`k${i}`);
    const started = performance.now();
    for (let i = 0; i < 300_000; i++) lru.touch(`k${(i * 7919) % 100_000}`);
    const oldestStarted = performance.now();
    for (let i = 0; i < 1_000; i++) lru.oldest();
    // Generous bounds for a busy CI box: a linear-time touch or oldest would take minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(performance.now() - oldestStarted).toBeLessThan(1_000);
    expect(lru.size).toBe(100_000);
  });
});
