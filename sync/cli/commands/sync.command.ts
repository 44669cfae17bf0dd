/**
 * `cosell sync --opportunity ID | --referral ID`: one sync of one pair, now, in this process (the
 * same job handler the workers run), and what came of it as the seller would see it on the record.
 */
import { Option, type Command } from "commander";
import { OpportunityColumns as C, SYNC_STATUS_OPTIONS, SyncStatus } from "../../../entities";
import type { Config } from "../../service/config";
import { opportunityLinkKey, referralLinkKey, type Job } from "../../store";
import type { JobOutcome } from "../../queue/worker-pool";
import { CrmGateway } from "../../worker/crm-gateway";
import { describeSyncError } from "../../worker/sync-error-message";
import { loadCliConfig } from "../cli-config";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { loadRunningConfiguration, withService } from "../service-session";

export type SyncTarget = { kind: "opportunity"; id: string } | { kind: "referral"; id: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const OUTCOME_TEXT: Record<JobOutcome, string> = {
  synced: "synced: changes written",
  unchanged: "already in sync: nothing to write",
  skipped: "nothing to sync",
};

function statusLabel(value: unknown): string {
  return SYNC_STATUS_OPTIONS.find((option) => option.value === value)?.label[1033] ?? "Not synced";
}

export async function syncCommand(options: { config: Config; io: CliIo; target: SyncTarget; evenIfPaused?: boolean }): Promise<number> {
  const { io, target } = options;
  if (target.kind === "opportunity" && !GUID.test(target.id)) {
    throw new CliError(`--opportunity takes the opportunity's id (a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301), not "${target.id}".`, ExitCode.usage);
  }
  return withService(options.config, async (service) => {
    const { store, handler } = service;
    // The same mapping and settings as `serve` runs: the mapping rows, checked against the org.
    await loadRunningConfiguration(service, { command: "sync", evenIfPaused: options.evenIfPaused });
    const link = target.kind === "opportunity" ? await store.findLinkByOpportunityId(target.id) : await store.findLinkByReferralId(target.id);
    const now = Date.now();
    const job: Job = {
      id: 0,
      linkKey: link?.key ?? (target.kind === "opportunity" ? opportunityLinkKey(target.id) : referralLinkKey(target.id)),
      opportunityId: target.kind === "opportunity" ? target.id : null,
      referralId: target.kind === "referral" ? target.id : null,
      reasons: ["cli"],
      state: "running", attempts: 1, nextAttemptAt: now, lastError: null, leaseOwner: "cli", leaseExpiresAt: null, createdAt: now, updatedAt: now,
    };
    let outcome: JobOutcome;
    try {
      outcome = await handler.run(job);
    } catch (error) {
      io.err(`✘ ${target.kind} ${target.id}: not synced. ${describeSyncError(error)}`);
      return ExitCode.failed;
    }

    const after = target.kind === "opportunity" ? await store.findLinkByOpportunityId(target.id) : await store.findLinkByReferralId(target.id);
    const opportunityId = after?.opportunityId ?? (target.kind === "opportunity" ? target.id : null);
    const opportunity = opportunityId ? await new CrmGateway(service.dataverse).getOpportunity(opportunityId) : null;
    if (target.kind === "opportunity" && !opportunity) {
      throw new CliError(`No opportunity ${target.id} in ${options.config.DATAVERSE_URL}: check the id (it is in the record's address, id=...).`);
    }
    if (!opportunity) {
      throw new CliError(`Nothing to sync for referral ${target.id}: Partner Center has no such referral for this partner, or it is Microsoft's side of an engagement without one of ours.`);
    }
    const status = opportunity.record[C.syncStatus];
    const error = opportunity.record[C.syncError];
    const failed = status === SyncStatus.Error;
    io.out(`${failed ? "✘" : "✔"} ${target.kind} ${target.id}: ${failed ? "not synced" : OUTCOME_TEXT[outcome]}`);
    io.out(`  opportunity:  ${opportunity.id}`);
    io.out(`  referral:     ${(opportunity.record[C.referralIdentifier] as string | null) ?? "(none yet)"}`);
    io.out(`  sync status:  ${statusLabel(status)}${typeof error === "string" && error ? `: ${error}` : ""}`);
    if (outcome === "skipped" && !failed && opportunity.record[C.syncWithPartnerCenter] !== true) {
      io.out("  (\"Sync with Partner Center\" is off on this opportunity: turn it on to share it.)");
    }
    return failed ? ExitCode.failed : ExitCode.ok;
  });
}

export function registerSyncCommand(program: Command, context: CommandContext): void {
  program
    .command("sync")
    .description("sync one opportunity or referral now and print the outcome")
    .addOption(new Option("--opportunity <id>", "the Dynamics 365 opportunity id").conflicts("referral"))
    .addOption(new Option("--referral <id>", "the Partner Center referral id"))
    .option("--even-if-paused", "sync even though Co-sell settings has the sync paused")
    .action(async (options: { opportunity?: string; referral?: string; evenIfPaused?: boolean }) => {
      const target: SyncTarget | null = options.opportunity
        ? { kind: "opportunity", id: options.opportunity }
        : options.referral
          ? { kind: "referral", id: options.referral }
          : null;
      if (!target) throw new CliError("Say what to sync: `cosell sync --opportunity <id>` or `cosell sync --referral <id>`.", ExitCode.usage);
      context.exitCode = await syncCommand({ config: loadCliConfig(), io: context.io, target, evenIfPaused: options.evenIfPaused });
    });
}
