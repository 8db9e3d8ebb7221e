/**
 * A replay sink that publishes into a gateway in this process: one
 * all-or-nothing run per group, so a group past a topology cap is refused
 * whole and the replay stops with the gateway's reason.
 */
import type { Payload } from '../../protocol/messages.ts';
import type { PublishAllOutcome, PublishRefusalCode } from '../room.ts';
import type { ReplaySink } from './replay.ts';

/**
 * What the sink needs of a gateway. `submit` (publishing on a gateway that
 * shares its projects through Redis as well as on one that does not) is used
 * when there is one; else `publishAll`, whose answer may come now or later.
 */
export interface PublishAllTarget {
  publishAll(projectId: string, payloads: readonly Payload[]): PublishAllOutcome | Promise<PublishAllOutcome>;
  submit?(projectId: string, payloads: readonly Payload[]): Promise<PublishAllOutcome>;
}

/** The gateway refused a group: nothing of it was published. */
export class PublishRefusedError extends Error {
  constructor(
    readonly code: PublishRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'PublishRefusedError';
  }
}

/** Publishes a run into `projectId`, the way that works for this gateway. */
export function publishRun(gateway: PublishAllTarget, projectId: string, payloads: readonly Payload[]): Promise<PublishAllOutcome> {
  return Promise.resolve(gateway.submit ? gateway.submit(projectId, payloads) : gateway.publishAll(projectId, payloads));
}

export function gatewaySink(gateway: PublishAllTarget, projectId: string): ReplaySink {
  return async (payloads) => {
    const outcome = await publishRun(gateway, projectId, payloads);
    if (!outcome.ok) {
      throw new PublishRefusedError(outcome.code, `gateway refused ${payloads.length} payloads for project ${projectId}: ${outcome.reason}`);
    }
  };
}
