/** `cosell backfill`: import every existing Partner Center referral, with a progress bar and a summary. */
import { setFlagsFromString } from "node:v8";
import { Option, type Command } from "commander";
import type { Config } from "../../service/config";
import { DEFAULT_BACKFILL_CONCURRENCY, runBackfill, type BackfillSummary } from "../backfill";
import { loadCliConfig } from "../cli-config";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { createProgressLine } from "../progress-line";
import { PageLookupGateway } from "../backfill-lookups";
import { cliLogger, loadRunningConfiguration, withService } from "../service-session";
import { loadSyncMapping } from "../../server";
import { createLinkSyncHandler } from "../../service/sync-service";
import { SqliteSyncStore } from "../../store";

export interface BackfillCommandOptions {
  config: Config;
  io: CliIo;
  concurrency?: number;
  evenIfPaused?: boolean;
}

function counts(summary: Readonly<BackfillSummary>): string {
  return `created ${summary.created} · linked ${summary.linked} · updated ${summary.updated} · in sync ${summary.inSync} · failed ${summary.failed.length}`;
}

export function formatBackfillSummary(summary: BackfillSummary): string[] {
  const row = (label: string, count: number, what: string) => `  ${label.padEnd(16)}${String(count).padStart(6)}  ${what}`;
  const lines = [
    `Backfill finished: ${summary.total} referral${summary.total === 1 ? "" : "s"} in Partner Center, ${(summary.elapsedMs / 1000).toFixed(1)} s.`,
    row("created", summary.created, "new opportunities (with account and contacts) from referrals"),
    row("linked", summary.linked, "opportunities that already existed, now linked to their referral"),
    row("updated", summary.updated, "already linked; changes since the last sync applied"),
    row("already in sync", summary.inSync, "already linked and identical on both sides: skipped"),
  ];
  if (summary.notImported > 0) lines.push(row("not imported", summary.notImported, "Microsoft's side of an engagement (your own referral stands for it), or closed as Error in Partner Center"));
  lines.push(row("failed", summary.failed.length, summary.failed.length === 0 ? "" : "see below"));
  for (const failure of summary.failed) lines.push(`    ✘ ${failure.referralId}${failure.name ? ` "${failure.name}"` : ""}: ${failure.reason}`);
  if (summary.failed.length > 0) lines.push("Run `cosell backfill` again once the cause is fixed: what already succeeded is not created twice.");
  return lines;
}

/**
 * Old space may grow by this much over the live heap before the next full GC (V8's default goes up
 * to 300%). The backfill's live heap is small (~45 MB: the modules and two pages of referrals) but it
 * allocates about a gigabyte of short-lived HTTP objects; those still in flight (50+ ms per call)
 * outlive young-generation GCs and pile up in old space, so with the default the process peaked near
 * 340 MB RSS for 2,000 referrals, 4/5 of it garbage; at 50% it stays near 220 MB for a few more
 * incremental full GCs (~30 ms each, no slower overall). It caps nothing (no out-of-memory risk, unlike
 * --max-old-space-size) and is set in this command's process only: `cosell serve` keeps V8's defaults.
 * Setting it at run time is fine: V8 reads it afresh whenever it sizes the heap after a full GC (it
 * changes no code or heap layout, the flags Node warns about changing late).
 */
const BACKFILL_HEAP_GROWING_PERCENT = 50;

/**
 * A backfill outlives any service protection lockout: it waits out a spent quota (up to the whole
 * 5-minute window and a little more) instead of failing referrals that the next minute would import.
 */
export const BACKFILL_DATAVERSE_TRANSPORT = { maxRetryAfterMs: 330_000, maxThrottleRetries: 20 } as const;

export async function backfillCommand(options: BackfillCommandOptions): Promise<number> {
  const { io } = options;
  setFlagsFromString(`--heap-growing-percent=${BACKFILL_HEAP_GROWING_PERCENT}`);
  const logger = cliLogger(options.config);
  const mapping = await loadSyncMapping(options.config);
  const summary = await withService(options.config, async (service) => {
    // One fsync per commit is for acknowledged webhooks; see deferFsyncToCheckpoints.
    if (service.store instanceof SqliteSyncStore) service.store.deferFsyncToCheckpoints();
    // The mapping rows and the conflict policy `serve` runs with, so imported deals land in the columns the admin chose.
    await loadRunningConfiguration(service, { command: "backfill", evenIfPaused: options.evenIfPaused });
    // The service's handler, over a gateway that looks up accounts and contacts a page at a time.
    const dataverse = new PageLookupGateway(service.dataverse, (table) => service.mapping.columnsOf(table));
    const handler = createLinkSyncHandler(options.config, {
      store: service.store, crm: dataverse, referrals: service.referrals, logger, mapping, mappingWatcher: service.mapping, settings: service.settings,
    });
    const progress = createProgressLine(io, "backfill");
    let shown: { done: number; summary: Readonly<BackfillSummary> } | null = null;
    // A spent quota stops every request for minutes: the admin sees why nothing moves.
    const waitingNotice = setInterval(() => {
      const held = service.dataverse.transport.limiter.heldForMs();
      if (held > 0 && shown) progress.update(shown.done, shown.summary.total, `${counts(shown.summary)} · waiting ${Math.ceil(held / 1000)} s: Dataverse's service protection limit for this user is spent`);
    }, 1000);
    try {
      return await runBackfill({
        referrals: service.referrals,
        store: service.store,
        dataverse,
        handler,
        concurrency: options.concurrency,
        // Listing goes on while referrals are imported: the total shown is what was listed so far.
        onProgress: (current, done) => {
          shown = { done, summary: current };
          progress.update(done, current.total, counts(current));
        },
      });
    } finally {
      clearInterval(waitingNotice);
      progress.finish();
    }
  }, logger, { dataverseTransport: BACKFILL_DATAVERSE_TRANSPORT, mapping });
  for (const line of formatBackfillSummary(summary)) io.out(line);
  return summary.failed.length > 0 ? ExitCode.failed : ExitCode.ok;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 256) throw new CliError(`--concurrency must be a whole number from 1 to 256, not "${value}".`, ExitCode.usage);
  return parsed;
}

export function registerBackfillCommand(program: Command, context: CommandContext): void {
  program
    .command("backfill")
    .description("import every existing Partner Center referral into Dynamics 365 (safe to run again: nothing is created twice)")
    .addOption(new Option("-c, --concurrency <n>", "referrals synced at the same time").default(DEFAULT_BACKFILL_CONCURRENCY).argParser(positiveInteger))
    .option("--even-if-paused", "import even though Co-sell settings has the sync paused")
    .action(async (options: { concurrency: number; evenIfPaused?: boolean }) => {
      context.exitCode = await backfillCommand({ config: loadCliConfig(), io: context.io, concurrency: options.concurrency, evenIfPaused: options.evenIfPaused });
    });
}
