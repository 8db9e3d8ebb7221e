/**
 * The gateway's access options (token auth, origins, projects, connection
 * limits) from the environment, the same for `npm run dev` and `npm start`.
 */
import { authConfigFromEnv } from './auth-env.ts';
import { accessSettingsFromEnv } from './env.ts';
import type { GatewayOptions } from './gateway.ts';

export type GatewayAccessOptions = Pick<
  GatewayOptions,
  'allowedOrigins' | 'projects' | 'maxConnectionsPerUser' | 'maxConnectionsPerProject' | 'auth'
>;

/** Throws, with a message fit for the operator, when the auth settings are unusable (see authConfigFromEnv). */
export function gatewayAccessFromEnv(env: Record<string, string | undefined> = process.env): GatewayAccessOptions {
  const auth = authConfigFromEnv(env);
  const access = accessSettingsFromEnv(env);
  return {
    allowedOrigins: access.allowedOrigins,
    projects: access.projects,
    maxConnectionsPerUser: access.maxConnectionsPerUser,
    maxConnectionsPerProject: access.maxConnectionsPerProject,
    auth,
  };
}
