/** @module The CLI's one error type: a message for the user and the exit code that goes with it. */

export const ExitCode = { ok: 0, failed: 1, badInput: 2, unavailable: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.badInput,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
