/**
 * What `simulate` and `replay` share: a publisher to the gateway's HTTP
 * endpoint, a check that the gateway is there before starting, and the
 * refusals that should end the command (a token or project the gateway will
 * never accept) rather than be retried forever.
 */
import { createPublisher, type Publisher, type PublishFailure } from '../../publisher/publisher.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { httpBaseUrl } from './common-flags.ts';

export interface Feed {
  publisher: Publisher;
  /** Set once the gateway refused the token or the project: the command should stop with it. */
  fatal(): CliError | null;
  /** Refusals of single messages (bad payloads, caps), counted and shown, not fatal. */
  refusals(): number;
}

/** Answers that will not change by retrying: the command stops with EXIT.noPermission. */
const FATAL_STATUSES = new Set([401, 403, 404]);

export function openFeed(options: { url: string; project: string; token?: string; onRefused?: (failure: PublishFailure) => void }): Feed {
  let fatal: CliError | null = null;
  let refused = 0;
  const publisher = createPublisher({
    url: httpBaseUrl(options.url),
    project: options.project,
    token: options.token || undefined,
    onError: (failure) => {
      if (failure.status !== null && FATAL_STATUSES.has(failure.status)) {
        fatal ??= new CliError(`the gateway refused to publish to ${options.project}: ${failure.status} ${failure.error}`, EXIT.noPermission);
      }
      refused += failure.payloads.length;
      options.onRefused?.(failure);
    },
  });
  return { publisher, fatal: () => fatal, refusals: () => refused };
}

/** Fails with EXIT.unavailable unless the gateway answers `GET /healthz`. */
export async function checkGateway(url: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const health = new URL('/healthz', httpBaseUrl(url)).href;
  try {
    const response = await fetchImpl(health, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    // 503 while it shuts down; anything but an answer from a gateway is not one.
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new CliError(`cannot reach the gateway at ${health}: ${error instanceof Error ? error.message : String(error)}`, EXIT.unavailable);
  }
}

/** Resolves on the first SIGINT or SIGTERM (a second one exits at once), and gives the signal's name. */
export function untilSignal(): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  let resolve!: (signal: NodeJS.Signals) => void;
  const promise = new Promise<NodeJS.Signals>((r) => (resolve = r));
  let seen = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (seen) process.exit(EXIT.failure);
    seen = true;
    resolve(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    promise,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Resolves with the signal's name, or with what `check` (polled every 100 ms) first returns that is not null. */
export function firstOf(signal: Promise<NodeJS.Signals>, check: () => string | null): Promise<string> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const outcome = check();
      if (outcome === null) return;
      clearInterval(poll);
      resolve(outcome);
    }, 100);
    void signal.then((name) => {
      clearInterval(poll);
      resolve(name);
    });
  });
}
