/**
 * Mints an HS256 token for a gateway started with MESHWATCH_JWT_SECRET, for
 * development and docs. Prints the token alone on stdout so it can be
 * captured: TOKEN=$(npx tsx scripts/mint-token.ts --sub alice --projects demo)
 */
import { parseArgs } from 'node:util';
import { MIN_SECRET_BYTES, mintToken } from '../src/server/auth.ts';

const USAGE = `Usage: MESHWATCH_JWT_SECRET=... npx tsx scripts/mint-token.ts --sub <user> --projects <ids> [--publish] [--expires <seconds>]

  --sub <user>          the token's subject (required)
  --projects <ids>      comma-separated project ids, or '*' for all (required)
  --publish             may also publish to those projects over HTTP (claim "publish": true)
  --expires <seconds>   lifetime in seconds (default 3600; 0 for a token that never expires)
  --help                print this and exit

MESHWATCH_JWT_ISSUER and MESHWATCH_JWT_AUDIENCE, when set, become the token's iss and aud.
`;

/** Exit codes: 0 ok, 1 minting failed, 2 bad usage or configuration. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: 'string' },
        projects: { type: 'string' },
        expires: { type: 'string' },
        publish: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const projects = values.projects?.trim() === '*' ? '*' : (values.projects ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  const expires = Number(values.expires ?? 3600);
  if (!values.sub || (projects !== '*' && projects.length === 0) || !Number.isInteger(expires) || expires < 0) {
    process.stderr.write(`--sub, --projects and a whole number of --expires seconds are needed\n\n${USAGE}`);
    return 2;
  }
  const secret = env.MESHWATCH_JWT_SECRET;
  if (!secret) {
    process.stderr.write('MESHWATCH_JWT_SECRET is not set; it must be the secret the gateway verifies with\n');
    return 2;
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    process.stderr.write(`MESHWATCH_JWT_SECRET is too short; it must be at least ${MIN_SECRET_BYTES} bytes\n`);
    return 2;
  }

  try {
    const token = await mintToken(secret, {
      sub: values.sub,
      projects,
      ...(values.publish && { publish: true }),
      ...(expires > 0 && { expiresInS: expires }),
      ...(env.MESHWATCH_JWT_ISSUER?.trim() && { issuer: env.MESHWATCH_JWT_ISSUER.trim() }),
      ...(env.MESHWATCH_JWT_AUDIENCE?.trim() && { audience: env.MESHWATCH_JWT_AUDIENCE.trim() }),
    });
    process.stdout.write(`${token}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2), process.env);
