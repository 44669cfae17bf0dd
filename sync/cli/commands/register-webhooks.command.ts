/**
 * `cosell register-webhooks`: points Dataverse (service endpoint + steps on opportunity Create,
 * Update, Win and Lose) and Partner Center (referral events) at this service's PUBLIC_BASE_URL, then
 * runs Partner Center's validation event. Idempotent: run it again after rotating
 * DATAVERSE_WEBHOOK_KEY; after moving the service (or to take over from another tool) with --replace.
 * Dataverse's side is changed by the admin identity (the service's own role cannot register steps).
 */
import type { Command } from "commander";
import { OPPORTUNITY_TRIGGER_COLUMNS } from "../../dataverse/webhook-registration";
import {
  ForeignWebhookRegistrationError,
  describeWebhookHolder,
  registerWebhooks,
  SERVICE_ENDPOINT_NAME,
  type RegisteredWebhooks,
  type ValidationOutcome,
} from "../../service/register-webhooks";
import type { Config } from "../../service/config";
import { partnerCenterTokens, WEBHOOKS_SCOPE } from "../../service/sync-service";
import { createAdminDataverseClient, explainAdminRefusal } from "../admin-identity";
import { loadCliConfig } from "../cli-config";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";

export interface RegisterWebhooksCommandOptions {
  config: Config;
  io: CliIo;
  url?: string;
  /** Take over a Partner Center registration that points elsewhere. */
  replace?: boolean;
  /** How long to wait for the validation event's delivery (default 20 s). */
  validationWaitMs?: number;
}

export async function registerWebhooksCommand(options: RegisterWebhooksCommandOptions): Promise<number> {
  const { config, io } = options;
  const backendUrl = options.url ?? config.PUBLIC_BASE_URL;
  if (!backendUrl) {
    throw new CliError(
      "Where should the webhooks go? Set PUBLIC_BASE_URL to the HTTPS address Dataverse and Partner Center reach this service at (e.g. https://cosell.contoso.com), or pass --url.",
      ExitCode.usage,
    );
  }
  const base = backendUrl.replace(/\/+$/, "");
  let registered: RegisteredWebhooks;
  try {
    registered = await registerWebhooks({
      dataverse: createAdminDataverseClient(config, io.err),
      partnerCenterWebhooksUrl: config.PARTNER_CENTER_WEBHOOKS_API_URL,
      partnerCenterTokens: partnerCenterTokens(config, WEBHOOKS_SCOPE),
      backendUrl: base,
      webhookKey: config.DATAVERSE_WEBHOOK_KEY,
      replace: options.replace,
      validationWaitMs: options.validationWaitMs,
    });
  } catch (error) {
    if (error instanceof ForeignWebhookRegistrationError) throw new CliError(`✘ ${error.message}`, ExitCode.failed, { cause: error });
    throw explainAdminRefusal(error);
  }
  io.out(`✔ Dataverse (${config.DATAVERSE_URL}):`);
  io.out(`    service endpoint "${SERVICE_ENDPOINT_NAME}" → ${base}/webhooks/dataverse (WebhookKey = DATAVERSE_WEBHOOK_KEY)  id ${registered.dataverse.serviceEndpointId}`);
  for (const [message, id] of Object.entries(registered.dataverse.stepIds)) {
    const filter = message === "Update" ? ` when one of ${OPPORTUNITY_TRIGGER_COLUMNS.length} columns changes (${OPPORTUNITY_TRIGGER_COLUMNS.join(", ")})` : "";
    io.out(`    step: opportunity ${message}, asynchronous, post-operation${filter}  id ${id}`);
  }
  io.out(`✔ Partner Center (${config.PARTNER_CENTER_WEBHOOKS_API_URL}):`);
  io.out(`    ${registered.partnerCenter.WebhookUrl}  events: ${registered.partnerCenter.WebhookEvents.join(", ")}`);
  if (registered.replaced) io.out(`    took over the registration from ${registered.replaced} (${describeWebhookHolder(registered.replaced)}); it no longer receives Partner Center's events`);
  const validation = describeValidation(registered.validation);
  io.out(validation.line);
  io.out("Check with `cosell doctor`.");
  return validation.ok ? ExitCode.ok : ExitCode.failed;
}

function describeValidation(outcome: ValidationOutcome): { line: string; ok: boolean } {
  switch (outcome.kind) {
    case "delivered":
      return { line: `✔ Partner Center's validation event reached this service (responseCode ${outcome.responseCode}, systemError false)`, ok: true };
    case "failed":
      return {
        line:
          `✘ Partner Center's validation event did not reach this service (responseCode ${outcome.responseCode ?? "none"}, systemError ${outcome.systemError}` +
          `${outcome.message ? `: ${outcome.message}` : ""}).\n` +
          "    → make sure PUBLIC_BASE_URL is reachable from the internet over HTTPS and `cosell serve` is running, then run `cosell register-webhooks` again",
        ok: false,
      };
    case "pending":
      return { line: "⚠ Partner Center's validation event has not been delivered yet; `cosell doctor` shows the registration, the service's log shows the event when it arrives", ok: true };
    case "not-sent":
      return { line: `⚠ no validation event sent: ${outcome.reason}`, ok: true };
  }
}

export function registerRegisterWebhooksCommand(program: Command, context: CommandContext): void {
  program
    .command("register-webhooks")
    .description("register this service's webhooks in Dataverse (service endpoint + opportunity steps) and Partner Center (referral events), then run Partner Center's validation event")
    .option("--url <publicBaseUrl>", "the service's public base URL (default: PUBLIC_BASE_URL)")
    .option("--replace", "take over Partner Center's registration when it points elsewhere (Microsoft's connector, another tool): that receiver stops getting events")
    .action(async (options: { url?: string; replace?: boolean }) => {
      context.exitCode = await registerWebhooksCommand({ config: loadCliConfig(), io: context.io, url: options.url, replace: options.replace });
    });
}
