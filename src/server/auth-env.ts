/**
 * Gateway auth settings from the environment. Unlike the other settings
 * (src/server/env.ts), a bad value here throws: falling back to a default
 * would silently open or lock the gateway, so it refuses to start instead.
 *
 *   MESHWATCH_JWT_SECRET      HS256/384/512 shared secret, at least 32 bytes
 *   MESHWATCH_JWT_PUBLIC_KEY  PEM SPKI public key text, or a path to a PEM file (if it does not start with '-----')
 *   MESHWATCH_JWT_ALG         algorithm of the public key (default: inferred from the key)
 *   MESHWATCH_JWT_ISSUER      required `iss` claim (default: not checked)
 *   MESHWATCH_JWT_AUDIENCE    required `aud` claim (default: not checked)
 *
 * An empty variable counts as unset.
 */
import { readFileSync } from 'node:fs';
import { MIN_SECRET_BYTES, type AuthConfig } from './auth.ts';

type Env = Record<string, string | undefined>;

/** The auth configuration, or null (tokens not required) when neither a secret nor a public key is set. */
export function authConfigFromEnv(env: Env = process.env): AuthConfig | null {
  // A secret is used byte for byte, so it is not trimmed; the other values are.
  const secret = env.MESHWATCH_JWT_SECRET || undefined;
  const publicKeySetting = env.MESHWATCH_JWT_PUBLIC_KEY?.trim() || undefined;
  if (secret === undefined && publicKeySetting === undefined) return null;
  if (secret !== undefined && publicKeySetting !== undefined) {
    throw new Error('MESHWATCH_JWT_SECRET and MESHWATCH_JWT_PUBLIC_KEY are both set; set only one');
  }

  const config: AuthConfig = {};
  if (secret !== undefined) {
    const bytes = Buffer.byteLength(secret, 'utf8');
    if (bytes < MIN_SECRET_BYTES) {
      throw new Error(`MESHWATCH_JWT_SECRET is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES} bytes (try: openssl rand -base64 48)`);
    }
    config.secret = secret;
  } else {
    config.publicKey = publicKeyFrom(publicKeySetting!);
  }
  const algorithm = env.MESHWATCH_JWT_ALG?.trim();
  const issuer = env.MESHWATCH_JWT_ISSUER?.trim();
  const audience = env.MESHWATCH_JWT_AUDIENCE?.trim();
  if (algorithm) config.algorithm = algorithm;
  if (issuer) config.issuer = issuer;
  if (audience) config.audience = audience;
  return config;
}

function publicKeyFrom(setting: string): string {
  // Env files often carry a PEM on one line with literal `\n`s.
  if (setting.startsWith('-----')) return setting.includes('\n') ? setting : setting.replaceAll('\\n', '\n');
  let text: string;
  try {
    text = readFileSync(setting, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new Error(`MESHWATCH_JWT_PUBLIC_KEY: cannot read the key file ${JSON.stringify(setting)} (${code})`);
  }
  if (!text.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new Error(`MESHWATCH_JWT_PUBLIC_KEY: the file ${JSON.stringify(setting)} holds no "-----BEGIN PUBLIC KEY-----" PEM`);
  }
  return text.trim();
}
