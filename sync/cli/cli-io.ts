/**
 * Where a command writes. Commands never call console or process.exit themselves: they print through
 * this and return an exit code, so tests run them in-process and read exactly what an admin would see.
 */
export interface CliIo {
  /** Results: what the command was asked to produce (stdout). */
  out(line: string): void;
  /** Problems and what to do about them (stderr). */
  err(line: string): void;
  /** Progress drawn in place; only when stderr is a terminal. */
  readonly progressStream: NodeJS.WriteStream | null;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progressStream: process.stderr.isTTY ? process.stderr : null,
};

/** Exit codes of `cosell`: 0 done, 1 something failed (the message says what), 2 wrong usage. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** What a command gets: where to print, and where to leave its exit code. */
export interface CommandContext {
  readonly io: CliIo;
  exitCode: number;
}

/** A failure whose message is complete advice for the admin: printed as is, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
  }
}
