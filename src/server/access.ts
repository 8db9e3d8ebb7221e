/**
 * Who may watch what, and how many at once (DESIGN.md, "Limits"; seed 002's
 * 4401/4403 and connection limits): a token when auth is configured, access
 * to the project, a known project, and room under the per-user and
 * per-project connection limits. Each refusal is a close code the client acts on.
 */
import { CLOSE_CODES } from '../protocol/close-codes.ts';
import { canAccess, createAuthenticator, type AuthConfig, type Authenticator } from './auth.ts';
import type { ConnectionIdentity } from './connection.ts';

export interface AccessOptions {
  /** Token auth; null or absent: everyone is anonymous and may watch every known project. */
  auth?: AuthConfig | null;
  /** The projects that exist; others are closed with 4404. Absent: every project exists (publishers and the simulator create them). */
  projects?: readonly string[];
  maxConnectionsPerUser: number;
  maxConnectionsPerProject: number;
  /** How long a 4429 for a connection limit asks the client to wait. */
  retryAfterMs: number;
}

export type AccessRefusal = { ok: false; code: number; reason: string; retryAfterMs?: number };
export type AccessDecision = { ok: true; identity: ConnectionIdentity } | AccessRefusal;

/** Counts of refused connections by close code, for stats (publish checks are the publish endpoint's to count). */
export interface AccessCounters {
  unauthorized: number;
  forbidden: number;
  unknownProject: number;
  connectionLimit: number;
}

export class AccessControl {
  readonly authRequired: boolean;
  readonly counters: AccessCounters = { unauthorized: 0, forbidden: 0, unknownProject: 0, connectionLimit: 0 };
  private readonly authenticator: Promise<Authenticator>;
  private readonly projects: ReadonlySet<string> | null;
  private readonly perUser = new Map<string, number>();

  constructor(private readonly options: AccessOptions) {
    this.authRequired = Boolean(options.auth);
    this.authenticator = createAuthenticator(options.auth ?? null);
    // A bad key must surface at the first connection as a refusal, not as an unhandled rejection now.
    this.authenticator.catch(() => {});
    this.projects = options.projects ? new Set(options.projects) : null;
  }

  /**
   * Checks a token (undefined: none was sent) for `projectId`, in the order
   * that leaks least: who are you (4401), may you see it (4403), does it
   * exist (4404). With `publish`, the token must also carry the publish
   * claim (else 4403), and a refusal is not counted in `counters`: those
   * count WebSocket connections (`/metrics`' refused connections), and the
   * publish endpoint counts its own rejected requests. Never rejects.
   */
  async authorize(token: string | undefined, projectId: string, options: { publish?: boolean } = {}): Promise<AccessDecision> {
    const count = (field: keyof AccessCounters) => {
      if (!options.publish) this.counters[field]++;
    };
    let authenticator: Authenticator;
    try {
      authenticator = await this.authenticator;
    } catch {
      count('unauthorized');
      // The configuration error itself is the operator's (printed at start-up), not the client's to read.
      return { ok: false, code: CLOSE_CODES.internalError, reason: 'auth misconfigured on the gateway' };
    }
    const verified = await authenticator.verify(token);
    if (!verified.ok) {
      count('unauthorized');
      return { ok: false, code: CLOSE_CODES.unauthorized, reason: verified.reason === 'missing' ? 'token required' : `token ${verified.reason}` };
    }
    const { identity } = verified;
    if (!canAccess(identity, projectId)) {
      count('forbidden');
      return { ok: false, code: CLOSE_CODES.forbidden, reason: 'not allowed to see this project' };
    }
    // Feeding a project is more than watching it: the token must say so (claim `publish: true`).
    if (options.publish && !identity.canPublish) {
      return { ok: false, code: CLOSE_CODES.forbidden, reason: 'token may watch this project but not publish to it (no publish claim)' };
    }
    const unknown = this.checkKnown(projectId, { count: !options.publish });
    return unknown ?? { ok: true, identity: { user: this.authRequired ? identity.user : null, expiresAt: identity.expiresAt } };
  }

  /** 4404 for a project outside the configured list (counted unless `count: false`); null when it exists. */
  checkKnown(projectId: string, options: { count?: boolean } = {}): AccessRefusal | null {
    if (this.projects === null || this.projects.has(projectId)) return null;
    if (options.count ?? true) this.counters.unknownProject++;
    return { ok: false, code: CLOSE_CODES.unknownProject, reason: 'unknown project' };
  }

  /**
   * Takes a connection slot for `user` on a project that has `watching`
   * connections; release it with `release(user)`. 4429 when either limit is reached.
   */
  admit(user: string | null, watching: number): AccessRefusal | null {
    const { maxConnectionsPerUser, maxConnectionsPerProject, retryAfterMs } = this.options;
    if (watching >= maxConnectionsPerProject) {
      this.counters.connectionLimit++;
      return { ok: false, code: CLOSE_CODES.rateLimited, reason: 'too many connections to this project', retryAfterMs };
    }
    if (user !== null) {
      const held = this.perUser.get(user) ?? 0;
      if (held >= maxConnectionsPerUser) {
        this.counters.connectionLimit++;
        return { ok: false, code: CLOSE_CODES.rateLimited, reason: 'too many connections for this user', retryAfterMs };
      }
      this.perUser.set(user, held + 1);
    }
    return null;
  }

  /** Whether only the configured projects exist. */
  get restrictsProjects(): boolean {
    return this.projects !== null;
  }

  release(user: string | null): void {
    if (user === null) return;
    const held = (this.perUser.get(user) ?? 1) - 1;
    if (held <= 0) this.perUser.delete(user);
    else this.perUser.set(user, held);
  }
}
