/**
 * `npm start` (and `tsx src/server/main.ts`): `meshwatch serve`, configured
 * by environment variables or flags (see cli/serve.ts and README's
 * Configuration): the built app, the gateway on `/ws`, the publish endpoint,
 * `/healthz` and `/metrics` on one port.
 */
import { runCli } from './cli/main.ts';

process.exit(await runCli(['serve', ...process.argv.slice(2)]));
