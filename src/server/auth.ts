/**
 * Optional token auth for the gateway: signed JWTs (HS* with a shared secret,
 * or RS256/ES256/EdDSA/... with a PEM public key) naming a user and the
 * projects they may watch. With no configuration the gateway stays open and
 * everyone is `anonymous` with access to every project.
 *
 * Tokens are hostile input: `verify` bounds their length, never throws, and
 * reports failures with short fixed messages (never jose's text, which can
 * echo header fields, and never a stack).
 */
import { errors, importSPKI, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export interface AuthConfig {
  /** HS256/HS384/HS512 shared secret (utf-8 string, at least 32 bytes or refuse to start: throw a clear Error). */
  secret?: string;
  /** Or a PEM SPKI public key ("-----BEGIN PUBLIC KEY-----"), for RS256/ES256/EdDSA etc. */
  publicKey?: string;
  /**
   * Algorithm for the public key; default: inferred — try in order RS256, ES256, EdDSA via jose.importSPKI until one works.
   * With a secret it may name one of HS256/HS384/HS512 to allow only that one.
   */
  algorithm?: string;
  issuer?: string;
  audience?: string;
  /** Clock tolerance in seconds for exp/nbf. Default 5. */
  clockToleranceS?: number;
}

export interface Identity {
  /** The token's `sub` (required claim; a token without a string `sub` of 1..128 chars is invalid). */
  user: string;
  /** Projects the token allows: '*' for all, else the set of project ids. From claim `projects`. A token without `projects` allows none. */
  projects: '*' | ReadonlySet<string>;
  /** exp in ms since the epoch, or null when the token has no exp. */
  expiresAt: number | null;
  /** Claim `publish: true`: the token may also feed its projects over HTTP, not only watch them. */
  canPublish: boolean;
}

export type VerifyResult =
  | { ok: true; identity: Identity }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired'; message: string };

export interface Authenticator {
  /** Whether tokens are required at all. */
  readonly required: boolean;
  /** Never throws, never rejects. `token` may be undefined or any string; an empty string counts as missing. */
  verify(token: string | undefined): Promise<VerifyResult>;
}

/** A shorter HMAC secret is guessable offline from any one token (RFC 7518 §3.2 asks for at least the hash size). */
export const MIN_SECRET_BYTES = 32;
/** Longer tokens are refused before any parsing, so a hostile client cannot make the gateway decode megabytes. */
export const MAX_TOKEN_LENGTH = 8192;
/** Bounds on the claims, so one token cannot make a huge identity. */
export const CLAIM_LIMITS = { idLength: 128, projects: 1000 } as const;
export const DEFAULT_CLOCK_TOLERANCE_S = 5;

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
/** Tried in this order when a public key comes without an algorithm. */
const INFERRED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const MAX_MESSAGE_LENGTH = 120;

const ANONYMOUS: Identity = Object.freeze({ user: 'anonymous', projects: '*', expiresAt: null, canPublish: true });

/** Builds the authenticator once at startup; rejects with a clear Error on a bad configuration. */
export async function createAuthenticator(config: AuthConfig | null): Promise<Authenticator> {
  if (!config || (config.secret === undefined && config.publicKey === undefined)) {
    return { required: false, verify: async () => ({ ok: true, identity: ANONYMOUS }) };
  }
  const { key, algorithms } = await resolveKey(config);
  const options = {
    algorithms,
    clockTolerance: config.clockToleranceS ?? DEFAULT_CLOCK_TOLERANCE_S,
    ...(config.issuer !== undefined && { issuer: config.issuer }),
    ...(config.audience !== undefined && { audience: config.audience }),
  };

  return {
    required: true,
    async verify(token) {
      if (token === undefined || token === null || token === '') return fail('missing', 'no token');
      if (typeof token !== 'string') return fail('invalid', 'token is not a string');
      if (token.length > MAX_TOKEN_LENGTH) return fail('invalid', 'token too long');
      try {
        const { payload } = await jwtVerify(token, key, options);
        return identityFrom(payload);
      } catch (error) {
        return failureFrom(error);
      }
    },
  };
}

/** Whether the identity may watch the project. */
export function canAccess(identity: Identity, projectId: string): boolean {
  return identity.projects === '*' || identity.projects.has(projectId);
}

/** A signed HS256 token, for tests, the dev mint script and docs. Without `expiresInS` the token never expires. */
export async function mintToken(
  secret: string,
  claims: { sub: string; projects: '*' | string[]; publish?: boolean; expiresInS?: number; issuer?: string; audience?: string },
): Promise<string> {
  const jwt = new SignJWT({ projects: claims.projects, ...(claims.publish ? { publish: true } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt();
  if (claims.expiresInS !== undefined) {
    if (!Number.isFinite(claims.expiresInS)) throw new Error('mintToken: expiresInS must be a finite number of seconds');
    jwt.setExpirationTime(Math.floor(Date.now() / 1000 + claims.expiresInS));
  }
  if (claims.issuer !== undefined) jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt.setAudience(claims.audience);
  return jwt.sign(secretBytes(secret, 'mintToken'));
}

async function resolveKey(config: AuthConfig): Promise<{ key: Uint8Array | CryptoKey; algorithms: string[] }> {
  if (config.secret !== undefined && config.publicKey !== undefined) {
    throw new Error('auth: configure either a secret or a public key, not both');
  }
  if (config.secret !== undefined) {
    const { algorithm } = config;
    if (algorithm !== undefined && !HMAC_ALGORITHMS.includes(algorithm)) {
      throw new Error(`auth: algorithm ${JSON.stringify(algorithm)} cannot be used with a secret; use one of ${HMAC_ALGORITHMS.join(', ')}`);
    }
    return { key: secretBytes(config.secret, 'auth'), algorithms: algorithm ? [algorithm] : HMAC_ALGORITHMS };
  }
  const pem = config.publicKey!.trim();
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) {
    throw new Error('auth: the public key must be a PEM SPKI key starting with "-----BEGIN PUBLIC KEY-----"');
  }
  const candidates = config.algorithm ? [config.algorithm] : INFERRED_ALGORITHMS;
  for (const algorithm of candidates) {
    try {
      return { key: await importSPKI(pem, algorithm), algorithms: [algorithm] };
    } catch {
      // Not this key type; try the next candidate.
    }
  }
  throw new Error(
    config.algorithm
      ? `auth: the public key cannot be used with algorithm ${JSON.stringify(config.algorithm)}`
      : `auth: the public key is not usable as ${INFERRED_ALGORITHMS.join(', ')}; set the algorithm explicitly`,
  );
}

function secretBytes(secret: string, who: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`${who}: the secret is ${bytes.length} bytes; it must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return bytes;
}

/** jose checked the signature and the registered claims; these are ours. */
function identityFrom(payload: JWTPayload): VerifyResult {
  const { sub, exp } = payload;
  if (!isId(sub)) return fail('invalid', `"sub" must be a string of 1 to ${CLAIM_LIMITS.idLength} characters`);
  const projects = projectsFrom(payload.projects);
  if (!projects) {
    return fail('invalid', `"projects" must be "*" or an array of at most ${CLAIM_LIMITS.projects} project ids`);
  }
  return {
    ok: true,
    identity: { user: sub, projects, expiresAt: typeof exp === 'number' ? exp * 1000 : null, canPublish: payload.publish === true },
  };
}

function projectsFrom(claim: unknown): Identity['projects'] | null {
  if (claim === undefined) return new Set();
  if (claim === '*') return '*';
  if (!Array.isArray(claim) || claim.length > CLAIM_LIMITS.projects || !claim.every(isId)) return null;
  return new Set(claim);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= CLAIM_LIMITS.idLength;
}

function failureFrom(error: unknown): VerifyResult {
  if (!(error instanceof errors.JOSEError)) return fail('invalid', 'invalid token');
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return fail('expired', 'token expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      // `claim` names a registered claim chosen by jose, not by the token; kept short anyway.
      const claim = (error as errors.JWTClaimValidationFailed).claim.replace(/[^\w-]/g, '').slice(0, 16);
      return fail('invalid', `"${claim}" claim check failed`);
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return fail('invalid', 'signature verification failed');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return fail('invalid', 'algorithm not allowed');
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return fail('invalid', 'malformed token');
    default:
      return fail('invalid', 'invalid token');
  }
}

function fail(reason: 'missing' | 'invalid' | 'expired', message: string): VerifyResult {
  return { ok: false, reason, message: message.slice(0, MAX_MESSAGE_LENGTH) };
}
