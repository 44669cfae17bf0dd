/**
 * `cosell`, the admin's command line for the sync backend (DESIGN.md 6). Each command lives in
 * commands/ and prints through CliIo; this file wires them up and turns failures into a message and
 * an exit code (0 done, 1 failed, 2 wrong usage), never a stack trace for a problem the admin can fix.
 */
import { Command, CommanderError } from "commander";
import { CliError, ExitCode, processIo, type CliIo, type CommandContext } from "./cli-io";
import { registerBackfillCommand } from "./commands/backfill.command";
import { registerServeCommand } from "./commands/serve.command";

export function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command("cosell")
    .description("Partner Center co-sell connector for Dynamics 365: the sync backend and its admin tasks")
    .showHelpAfterError("(run `cosell --help` for the commands)")
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .exitOverride();
  registerServeCommand(program, context);
  registerBackfillCommand(program, context);
  return program;
}

/** Runs the command line; resolves to the exit code (the caller exits with it). */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const context: CommandContext = { io, exitCode: ExitCode.ok };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander already printed the problem.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      io.err(error.message);
      return error.exitCode;
    }
    io.err(`cosell: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return ExitCode.failed;
  }
}
