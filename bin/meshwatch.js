#!/usr/bin/env node
// The `meshwatch` command. The project is TypeScript run by tsx (no compile step):
// register its loader, then hand over to the CLI, and exit with its code
// (a command that has finished may still hold a timer or a socket of a library).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/server/cli/main.ts');
process.exit(await runCli(process.argv.slice(2)));
