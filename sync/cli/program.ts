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

type RegisterCommand = (program: Command, context: CommandContext) => void;

/**
 * Every command's module, in the order help lists them, loaded when needed: only the command being
 * run, or all of them for help and mistyped commands. So `cosell backfill` loads neither the HTTP
 * server, the sandboxes nor the solution packer (~20 MB less resident memory for its whole run).
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<RegisterCommand>])[] = [
  ["serve", async () => (await import("./commands/serve.command")).registerServeCommand],
  ["sandbox", async () => (await import("./commands/sandbox.command")).registerSandboxCommand],
  ["sync", async () => (await import("./commands/sync.command")).registerSyncCommand],
  ["backfill", async () => (await import("./commands/backfill.command")).registerBackfillCommand],
  ["setup", async () => (await import("./commands/setup.command")).registerSetupCommand],
  ["register-webhooks", async () => (await import("./commands/register-webhooks.command")).registerRegisterWebhooksCommand],
  ["switch-from-microsoft", async () => (await import("./commands/switch-from-microsoft.command")).registerSwitchFromMicrosoftCommand],
  ["login", async () => (await import("./commands/login.command")).registerLoginCommand],
  ["doctor", async () => (await import("./commands/doctor.command")).registerDoctorCommand],
  ["store", async () => (await import("./commands/store.command")).registerStoreCommand],
  ["solution", async () => (await import("./commands/solution-build.command")).registerSolutionCommand],
];

/** The program with `commandName`'s command, or with every command when it names none of them. */
export async function buildProgram(context: CommandContext, commandName?: string): Promise<Command> {
  const { io } = context;
  const program = new Command("cosell")
    .description("Partner Center co-sell connector for Dynamics 365: the sync backend and its admin tasks")
    .showHelpAfterError("(run `cosell --help` for the commands)")
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .exitOverride();
  const named = COMMANDS.filter(([name]) => name === commandName);
  for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program, context);
  return program;
}

/** Runs the command line; resolves to the exit code (the caller exits with it). */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const context: CommandContext = { io, exitCode: ExitCode.ok };
  const program = await buildProgram(context, argv[0]);
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
    // Loaded on failure only: both modules pull in the HTTP server.
    const [{ StartupError }, { signInProblem }] = await Promise.all([import("../server"), import("./doctor/doctor-checks")]);
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
