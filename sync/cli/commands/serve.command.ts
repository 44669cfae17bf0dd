/** `cosell serve`: the backend as a long-running process (sync/server.ts opens the port). */
import type { Command } from "commander";
import { serve } from "../../server";
import type { CommandContext } from "../cli-io";

export function registerServeCommand(program: Command, context: CommandContext): void {
  program
    .command("serve")
    .description("run the sync backend: webhooks, workers and the reconcile loop on HOST:PORT (configuration from the environment or .env)")
    .action(async () => {
      context.exitCode = await serve({ print: context.io.err });
    });
}
