/**
 * `cosell setup`: the admin's one-time setup of the org, signed in as the admin identity: turns on
 * change tracking for Opportunity (the catch-up pass needs it), registers the webhooks of both sides
 * (as `cosell register-webhooks`), and checks that the service's own identity has the "Partner Center
 * Co-sell Sync Service" role. Idempotent; a refusal names the missing privilege.
 */
import type { Command } from "commander";
import { Tables } from "../../../entities";
import type { Config } from "../../service/config";
import { createDataverseClient } from "../../service/sync-service";
import { createAdminDataverseClient, explainAdminRefusal } from "../admin-identity";
import { loadCliConfig } from "../cli-config";
import { ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { missingServicePrivileges } from "../service-role-check";
import { registerWebhooksCommand } from "./register-webhooks.command";

const SERVICE_ROLE = "Partner Center Co-sell Sync Service";

export async function setupCommand(options: { config: Config; io: CliIo; url?: string }): Promise<number> {
  const { config, io } = options;
  const admin = createAdminDataverseClient(config, io.err);
  await admin.enableChangeTracking(Tables.opportunity.logicalName).catch((error: unknown) => {
    throw explainAdminRefusal(error);
  });
  io.out("✔ Change tracking: on for Opportunity (the catch-up pass finds what a lost webhook missed)");

  // Setup comes before the service runs (README step 4 before step 7): Partner Center's validation
  // event could not reach it yet, so it is left to register-webhooks once the service is up.
  const registered = await registerWebhooksCommand({ ...options, validationWaitMs: 0 });
  if (registered !== ExitCode.ok) return registered;

  const missing = await missingServicePrivileges(createDataverseClient(config));
  if (missing.length > 0) {
    io.out(`✘ Service role: the service's application user lacks ${missing.join(", ")}`);
    io.out(`    → assign it the "${SERVICE_ROLE}" security role (Power Platform admin center › Environments › Settings › Users › Application users), then run \`cosell setup\` again`);
    return ExitCode.failed;
  }
  io.out(`✔ Service role: the service's application user reads what the "${SERVICE_ROLE}" role grants`);
  return ExitCode.ok;
}

export function registerSetupCommand(program: Command, context: CommandContext): void {
  program
    .command("setup")
    .description("admin, once: turn on change tracking for Opportunity, register the webhooks, check the service's role (signs in as DATAVERSE_ADMIN_CLIENT_ID)")
    .option("--url <publicBaseUrl>", "the service's public base URL (default: PUBLIC_BASE_URL)")
    .action(async (options: { url?: string }) => {
      context.exitCode = await setupCommand({ config: loadCliConfig(), io: context.io, url: options.url });
    });
}
