/**
 * What `meshwatch` exits with, so scripts and supervisors can tell a typo
 * from an outage (the numbers are the BSD sysexits ones where one fits).
 */
export const EXIT = {
  /** Done, or stopped by Ctrl-C / SIGTERM after a clean shutdown. */
  ok: 0,
  /** Failed while running: a crash, a shutdown that did not finish, a publisher that gave up. */
  failure: 1,
  /** A bad configuration that must not be run with (e.g. an unusable token key). */
  badConfig: 2,
  /** Bad command line: unknown command or flag, a value out of range. */
  usage: 64,
  /** The input is not what it should be: a recording with no valid message, a file that is not a recording. */
  dataError: 65,
  /** An input file cannot be read. */
  noInput: 66,
  /** Something needed is unreachable: the gateway, Redis, the port to listen on. */
  unavailable: 69,
  /** An output file cannot be written. */
  cannotCreate: 73,
  /** The gateway refused the token or the project (401, 403, 404; close codes 4401, 4403, 4404). */
  noPermission: 77,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that carries the exit code it means. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
