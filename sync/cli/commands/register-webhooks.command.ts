/**
 * `cosell register-webhooks`: points Dataverse (service endpoint + steps on opportunity Create,
 * Update, Win and Lose) and Partner Center (referral events) at this service's PUBLIC_BASE_URL. Idempotent: run it
 * again after moving the service or rotating DATAVERSE_WEBHOOK_KEY. Dataverse's side is changed by the
 * admin identity (the service's own role cannot register steps).
 */
import type { Command } from "commander";
import { OPPORTUNITY_TRIGGER_COLUMNS } from "../../dataverse/webhook-registration";
import { registerWebhooks, SERVICE_ENDPOINT_NAME } from "../../service/register-webhooks";
import type { Config } from "../../service/config";
import { partnerCenterTokens, WEBHOOKS_SCOPE } from "../../service/sync-service";
import { createAdminDataverseClient, explainAdminRefusal } from "../admin-identity";
import { loadCliConfig } from "../cli-config";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";

export async function registerWebhooksCommand(options: { config: Config; io: CliIo; url?: string }): Promise<number> {
  const { config, io } = options;
  const backendUrl = options.url ?? config.PUBLIC_BASE_URL;
  if (!backendUrl) {
    throw new CliError(
      "Where should the webhooks go? Set PUBLIC_BASE_URL to the HTTPS address Dataverse and Partner Center reach this service at (e.g. https://cosell.contoso.com), or pass --url.",
      ExitCode.usage,
    );
  }
  const base = backendUrl.replace(/\/+$/, "");
  const registered = await registerWebhooks({
    dataverse: createAdminDataverseClient(config, io.err),
    partnerCenterWebhooksUrl: config.PARTNER_CENTER_WEBHOOKS_API_URL,
    partnerCenterTokens: partnerCenterTokens(config, WEBHOOKS_SCOPE),
    backendUrl: base,
    webhookKey: config.DATAVERSE_WEBHOOK_KEY,
  }).catch((error: unknown) => {
    throw explainAdminRefusal(error);
  });
  io.out(`✔ Dataverse (${config.DATAVERSE_URL}):`);
  io.out(`    service endpoint "${SERVICE_ENDPOINT_NAME}" → ${base}/webhooks/dataverse (WebhookKey = DATAVERSE_WEBHOOK_KEY)  id ${registered.dataverse.serviceEndpointId}`);
  for (const [message, id] of Object.entries(registered.dataverse.stepIds)) {
    const filter = message === "Update" ? ` when one of ${OPPORTUNITY_TRIGGER_COLUMNS.length} columns changes (${OPPORTUNITY_TRIGGER_COLUMNS.join(", ")})` : "";
    io.out(`    step: opportunity ${message}, asynchronous, post-operation${filter}  id ${id}`);
  }
  io.out(`✔ Partner Center (${config.PARTNER_CENTER_WEBHOOKS_API_URL}):`);
  io.out(`    ${registered.partnerCenter.WebhookUrl}  events: ${registered.partnerCenter.WebhookEvents.join(", ")}`);
  io.out("Check with `cosell doctor`.");
  return ExitCode.ok;
}

export function registerRegisterWebhooksCommand(program: Command, context: CommandContext): void {
  program
    .command("register-webhooks")
    .description("register this service's webhooks in Dataverse (service endpoint + opportunity steps) and Partner Center (referral events)")
    .option("--url <publicBaseUrl>", "the service's public base URL (default: PUBLIC_BASE_URL)")
    .action(async (options: { url?: string }) => {
      context.exitCode = await registerWebhooksCommand({ config: loadCliConfig(), io: context.io, url: options.url });
    });
}
