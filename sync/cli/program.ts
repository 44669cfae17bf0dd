/**
 * `cosell`, the admin's command line for the sync backend (DESIGN.md 6). Each command lives in
 * commands/ and prints through CliIo; this file wires them up and turns failures into a message and
 * an exit code (0 done, 1 failed, 2 wrong usage), never a stack trace for a problem the admin can fix.
 */
import { Command, CommanderError } from "commander";
import { CliError, ExitCode, processIo, type CliIo, type CommandContext } from "./cli-io";
import { DataverseError } from "../dataverse/dataverse-error";
import { MappingConfigError } from "../engine";
import { PartnerCenterError } from "../partner-center/partner-center-error";
import { ConfigError } from "../service/config";
import { StartupError } from "../server";
import { registerBackfillCommand } from "./commands/backfill.command";
import { registerDoctorCommand } from "./commands/doctor.command";
import { registerLoginCommand } from "./commands/login.command";
import { registerRegisterWebhooksCommand } from "./commands/register-webhooks.command";
import { registerSandboxCommand } from "./commands/sandbox.command";
import { registerServeCommand } from "./commands/serve.command";
import { registerSolutionCommand } from "./commands/solution-build.command";
import { registerSyncCommand } from "./commands/sync.command";
import { signInProblem } from "./doctor/doctor-checks";

export function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command("cosell")
    .description("Partner Center co-sell connector for Dynamics 365: the sync backend and its admin tasks")
    .showHelpAfterError("(run `cosell --help` for the commands)")
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .exitOverride();
  registerServeCommand(program, context);
  registerSandboxCommand(program, context);
  registerSyncCommand(program, context);
  registerBackfillCommand(program, context);
  registerRegisterWebhooksCommand(program, context);
  registerLoginCommand(program, context);
  registerDoctorCommand(program, context);
  registerSolutionCommand(program, context);
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
    // These already say what to fix; a stack trace would only bury it.
    if (error instanceof ConfigError || error instanceof MappingConfigError || error instanceof StartupError) {
      io.err(error.message);
      return ExitCode.failed;
    }
    const signIn = signInProblem(error);
    if (signIn) {
      io.err(/cosell login/.test(signIn.message) ? signIn.message : `${signIn.message}\nRun \`cosell login\` with a Partner Center Referrals admin account.`);
      return ExitCode.failed;
    }
    if (error instanceof DataverseError || error instanceof PartnerCenterError) {
      const service = error instanceof DataverseError ? "Dataverse" : "Partner Center";
      io.err(`${service} answered ${error.status || "nothing"}: ${error.message}\nRun \`cosell doctor\` to see which setting or sign-in to fix.`);
      return ExitCode.failed;
    }
    io.err(`cosell: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return ExitCode.failed;
  }
}
