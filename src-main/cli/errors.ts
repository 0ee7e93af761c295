/** Exit codes of the safekeep command (documented in README). */
export const EXIT = {
  ok: 0,
  /** Some instances failed or timed out (commit). */
  failures: 1,
  /** Bad arguments, unreadable folders, port in use, connection errors. */
  usage: 2,
  /** Not finished yet (no final answer in time, or stopped by Ctrl-C): run `safekeep resume` later. */
  unfinished: 3,
  /** An unexpected internal error (a bug): the message and stack are printed. */
  internal: 4,
} as const;

/** An error the CLI reports in one line and exits with. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, message);
}
