/** Flags shared by the commands that talk to a running gateway. */
import { DEFAULT_PROJECT } from '../../protocol/mesh.ts';
import type { FlagSpec } from './flags.ts';

export const GATEWAY_URL_FLAG: FlagSpec = {
  name: 'url',
  short: 'u',
  kind: 'string',
  env: 'MESHWATCH_URL',
  default: 'http://127.0.0.1:8080',
  valueName: 'URL',
  description: "the gateway's base URL (http, https, ws or wss)",
};

export const PROJECT_FLAG: FlagSpec = {
  name: 'project',
  short: 'p',
  kind: 'string',
  env: 'MESHWATCH_PROJECT',
  default: DEFAULT_PROJECT,
  valueName: 'ID',
  description: 'the project',
};

export const TOKEN_FLAG: FlagSpec = {
  name: 'token',
  kind: 'string',
  env: 'MESHWATCH_TOKEN',
  valueName: 'JWT',
  description: 'bearer token, when the gateway has token auth on (prefer the variable: flags show in `ps`)',
};

/** The gateway's HTTP base URL from a `--url` that may be given as ws(s)://. */
export function httpBaseUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//i, 'http$1://');
}
