/**
 * A new stream identity: a gateway process's, a shared project's (Redis), a
 * gateway's id among its peers. Time first, so ids read in the order they
 * were made; random after, so two made in the same millisecond differ.
 */
import { randomBytes } from 'node:crypto';

export function newEpoch(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}
