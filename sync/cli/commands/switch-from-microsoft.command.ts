/**
 * `cosell switch-from-microsoft [--apply] [--turn-off-microsoft-flows] [--qualify-leads] [--microsoft-flows-checked]`: takes over
 * from Microsoft's co-sell connector without a duplicate, a lost link or two engines on one record.
 * A dry run by default: it prints what it found and what --apply would do (sync/switch/).
 * Dataverse is read and changed as the admin identity (DATAVERSE_ADMIN_*, sync/cli/admin-identity.ts):
 * it reads metadata and solution rows and turns flows off, which the service's own role may not; the
 * store, Partner Center and a lead's import (--qualify-leads) go through the service as usual.
 */
import type { Command } from "commander";
import { OpportunityColumns, Tables } from "../../../entities";
import { DataverseError } from "../../dataverse/dataverse-error";
import type { Config } from "../../service/config";
import { partnerCenterTokens, referralLinkFor, WEBHOOKS_SCOPE } from "../../service/sync-service";
import { WebhookRegistrationClient } from "../../partner-center/webhook-registration-client";
import { CrmGateway } from "../../worker/crm-gateway";
import { discoverMicrosoftConnector } from "../../switch/microsoft-connector-discovery";
import { applySwitch, MicrosoftFlowsNotFoundError, MicrosoftFlowsOnError, type SwitchEvent } from "../../switch/switch-apply";
import { buildSwitchPlan, FLOW_TRIGGER_PATH, ReferralCheckError } from "../../switch/switch-plan";
import { formatNextStep, formatPlan, formatResult } from "../../switch/switch-report";
import { loadSyncMapping } from "../../server";
import { loadCliConfig } from "../cli-config";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { createAdminDataverseClient } from "../admin-identity";
import { withService } from "../service-session";

export interface SwitchCommandOptions {
  config: Config;
  io: CliIo;
  apply?: boolean;
  turnOffMicrosoftFlows?: boolean;
  qualifyLeads?: boolean;
  /** The admin checked in Power Automate that none of Microsoft's flows runs (when the switch finds none). */
  microsoftFlowsChecked?: boolean;
  /** This backend's public base URL (default PUBLIC_BASE_URL): where Partner Center's webhooks go after the switch. */
  url?: string;
  /** Told of each step of --apply (tests use it to stop a run half-way, as a crash would). */
  onEvent?: (event: SwitchEvent) => void;
}

/** Reading solution rows and metadata and turning flows off need more than the sync's own role. */
function adminAdvice(error: unknown): never {
  if (error instanceof DataverseError && error.status === 403) {
    throw new CliError(
      `Dataverse refused: ${error.message}\nThe switch reads solution rows and metadata and turns flows off: give the admin identity (DATAVERSE_ADMIN_CLIENT_ID) the System Customizer or System Administrator role. Nothing was changed.`,
      ExitCode.failed,
      { cause: error },
    );
  }
  throw error;
}

function flowsNotFoundAdvice(solutionNames: readonly string[]): string {
  return [
    `Refused: Microsoft's connector is installed (${solutionNames.join(", ")}) but none of its cloud flows was found among its solutions' components, so the switch cannot tell whether they still run. Nothing was changed.`,
    "Check in Power Automate (Solutions → Default Solution → Cloud flows, and My flows) for flows named \"Partner Center Referrals…\" or triggered by Partner Center's webhooks, and turn them off;",
    "check too that Partner Center's webhook registration (printed above) does not point at one of them. Then run again with --microsoft-flows-checked.",
  ].join("\n");
}

function describeEvent(event: SwitchEvent): string {
  switch (event.kind) {
    case "flow-off":
      return `  turned off flow "${event.flow.name}"`;
    case "registration":
      return `  Partner Center webhooks → ${event.url} (was ${event.previous ?? "nothing"})`;
    case "link-stored":
      return `  link stored: opportunity ${event.link.record.id} ⇄ referral ${event.link.referral.id}`;
    case "adopted":
      return `  ✔ adopted "${event.link.adoption.strippedName ?? event.link.record.name}"`;
    case "lead-imported":
      return `  referral ${event.lead.referral.id} of lead "${event.lead.record.name}" brought in as opportunity ${event.opportunityId}`;
    case "lead-qualified":
      return `  ✔ lead "${event.lead.record.name}" qualified into opportunity ${event.opportunityId}`;
  }
}

export async function switchFromMicrosoftCommand(options: SwitchCommandOptions): Promise<number> {
  const { config, io } = options;
  if (!options.apply && (options.turnOffMicrosoftFlows || options.qualifyLeads || options.microsoftFlowsChecked)) {
    throw new CliError("--turn-off-microsoft-flows, --qualify-leads and --microsoft-flows-checked only mean something with --apply (without it the command only shows the plan).", ExitCode.usage);
  }
  const publicBase = (options.url ?? config.PUBLIC_BASE_URL ?? "").replace(/\/+$/, "");
  const ourWebhookUrl = publicBase ? `${publicBase}/webhooks/partner-center` : null;
  // The mapping serve syncs with: the plan's "differs" and the adopted columns follow it.
  const mapping = await loadSyncMapping(config);
  return withService(config, async (service) => {
    const admin = createAdminDataverseClient(config, io.err);
    if (!(await admin.attributeNames(Tables.opportunity.logicalName)).includes(OpportunityColumns.referralIdentifier)) {
      throw new CliError(`Our solution is not installed in ${config.DATAVERSE_URL} (opportunity has no ${OpportunityColumns.referralIdentifier} column): import it first (README, "Install the solution"), then run this again. Nothing was changed.`);
    }
    const connector = await discoverMicrosoftConnector(admin).catch(adminAdvice);
    if (!connector) {
      throw new CliError(`Microsoft's co-sell connector is not installed in ${config.DATAVERSE_URL} (no solution whose unique name starts with "PartnerCenterReferra" and carries a referral id column on opportunity): nothing to switch.`);
    }
    const registrations = new WebhookRegistrationClient({ baseUrl: config.PARTNER_CENTER_WEBHOOKS_API_URL, tokenProvider: partnerCenterTokens(config, WEBHOOKS_SCOPE) });
    const crm = new CrmGateway(admin);
    const plan = await buildSwitchPlan(connector, {
      dataverse: admin, crm, referrals: service.referrals, store: service.store,
      referralLink: referralLinkFor(config), registration: await registrations.get(), ourWebhookUrl, mapping, at: new Date().toISOString(),
    }).catch((error: unknown) => {
      if (error instanceof ReferralCheckError) throw new CliError(error.message, ExitCode.failed, { cause: error });
      throw error;
    });
    for (const line of formatPlan(plan, config.DATAVERSE_URL)) io.out(line);
    if (plan.registration.owner === "other") {
      io.out("");
      io.out(`Partner Center's webhooks go to ${plan.registration.url}, which is neither Microsoft's flow nor this backend: the switch leaves it alone. Once you are sure that tool no longer needs them, run \`cosell register-webhooks\` to point them here.`);
      // A trigger URL of a flow we did not find: it may still be one of Microsoft's, under another id.
      if (FLOW_TRIGGER_PATH.test(plan.registration.url ?? "")) {
        io.out("It is a Logic App's or cloud flow's trigger that is none of the Microsoft connector's flows found. If it is Microsoft's after all (Power Automate → the flow → its trigger URL), turn that flow off and run `cosell register-webhooks` after the switch.");
      }
    }
    if (!options.apply) {
      for (const line of formatNextStep(plan)) io.out(line);
      return ExitCode.ok;
    }

    const needsUrl = plan.registration.owner === "microsoft-flow" || plan.registration.owner === "none";
    if (needsUrl && !ourWebhookUrl) {
      throw new CliError("Where should Partner Center's webhooks go after the switch? Set PUBLIC_BASE_URL to this service's HTTPS address, or pass --url. Nothing was changed.", ExitCode.usage);
    }
    io.out("");
    io.out("Applying:");
    try {
      const result = await applySwitch(plan, {
        turnOffMicrosoftFlows: options.turnOffMicrosoftFlows === true, qualifyLeads: options.qualifyLeads === true, microsoftFlowsChecked: options.microsoftFlowsChecked === true, ourWebhookUrl,
      }, {
        dataverse: admin, crm, store: service.store, registrations, handler: service.handler, now: () => new Date(),
        onEvent: (event) => {
          io.out(describeEvent(event));
          options.onEvent?.(event);
        },
      });
      for (const line of formatResult(result, plan)) io.out(line);
      if (plan.leads.length > 0 && !options.qualifyLeads) io.out(`${plan.leads.length} lead(s) left as they are (see "Leads" above).`);
      if (plan.conflicts.length > 0) io.out(`${plan.conflicts.length} conflict(s) not adopted (see "Conflicts" above).`);
      return result.failed.length > 0 ? ExitCode.failed : ExitCode.ok;
    } catch (error) {
      if (error instanceof MicrosoftFlowsNotFoundError) throw new CliError(flowsNotFoundAdvice(error.solutionNames));
      if (!(error instanceof MicrosoftFlowsOnError)) throw error;
      throw new CliError(
        [
          `Refused: ${error.flows.length} of Microsoft's cloud flows are on, and two connectors on the same records would sync every change twice. Nothing was changed.`,
          ...error.flows.map((flow) => `  on: ${flow.name}`),
          "Run again with --turn-off-microsoft-flows to turn them off (and take over Partner Center's webhooks), or turn them off in Power Automate first.",
        ].join("\n"),
      );
    }
  });
}

export function registerSwitchFromMicrosoftCommand(program: Command, context: CommandContext): void {
  program
    .command("switch-from-microsoft")
    .description("take over from Microsoft's co-sell connector: adopt its links without duplicates (a dry run unless --apply)")
    .option("--apply", "act on the plan (default: only print it)")
    .option("--turn-off-microsoft-flows", "with --apply: turn Microsoft's cloud flows off first and take over Partner Center's webhooks")
    .option("--qualify-leads", "with --apply: turn leads of Microsoft's referrals into opportunities that sync")
    .option("--microsoft-flows-checked", "with --apply, when the switch finds none of Microsoft's flows: you checked in Power Automate that none runs")
    .option("--url <publicBaseUrl>", "this service's public base URL for Partner Center's webhooks (default: PUBLIC_BASE_URL)")
    .action(async (options: { apply?: boolean; turnOffMicrosoftFlows?: boolean; qualifyLeads?: boolean; microsoftFlowsChecked?: boolean; url?: string }) => {
      context.exitCode = await switchFromMicrosoftCommand({ config: loadCliConfig(), io: context.io, ...options });
    });
}
