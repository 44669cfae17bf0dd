/**
 * Catch-up for whatever a webhook missed (docs/DESIGN.md 2): Dataverse change tracking (a delta link
 * kept as a watermark) and Partner Center referrals in updatedDateTime order since the last
 * watermark. Each change only enqueues a job: the job re-reads both sides, so a change seen twice
 * costs reads, never a duplicate or a write.
 *
 * Dataverse never redelivers a webhook answered 4xx/500 or sent while we were down, so its delta
 * pass also runs on its own, short timer (catchUp): with nothing changed it is one request. A delta
 * token the org no longer accepts (older than ExpireChangeTrackingInDays) is dropped for a full read.
 */
import type { Logger } from "pino";
import { OpportunityColumns as C } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { DataverseError } from "../dataverse/dataverse-error";
import type { ReferralsClient } from "../partner-center/referrals-client";
import type { SyncStore } from "../store";
import type { SyncTrigger } from "../http/app";

export const WATERMARKS = {
  dataverseDelta: "dataverse:opportunity-delta-link",
  partnerCenterUpdated: "partner-center:referral-updated-since",
} as const;

export interface ReconcileResult {
  opportunities: number;
  referrals: number;
}

export interface ReconcilerDependencies {
  store: SyncStore;
  dataverse: DataverseClient;
  referrals: ReferralsClient;
  /** `duplicate`: the same change (record and version) was enqueued before, by a webhook or a pass. */
  enqueue: (trigger: SyncTrigger) => Promise<{ duplicate: boolean }>;
  logger: Logger;
  clock?: () => Date;
  /** Told after each Dataverse catch-up that finished (the heartbeat reports the last one). */
  onCatchUpFinished?: () => void;
}

/** Referrals updated in the last moments before the watermark are read again: clocks differ a little. */
const OVERLAP_MS = 60_000;

export class Reconciler {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<ReconcileResult> | null = null;
  /** The Dataverse delta pass in progress: the catch-up timer and a full pass share it. */
  private dataversePass: Promise<number> | null = null;

  constructor(private readonly deps: ReconcilerDependencies) {}

  /** One pass over both sides. Concurrent calls share the pass in progress. */
  reconcile(): Promise<ReconcileResult> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Only the Dataverse delta pass: opportunities changed since the last pass (the webhooks Dataverse lost). */
  catchUp(): Promise<number> {
    this.dataversePass ??= this.dataverseChanges().then((count) => {
      this.deps.onCatchUpFinished?.();
      return count;
    }).finally(() => {
      this.dataversePass = null;
    });
    return this.dataversePass;
  }

  /** Full passes every `intervalMs`; the Dataverse catch-up every `catchUpIntervalMs` in between. */
  start(intervalMs: number, catchUpIntervalMs?: number): void {
    this.stop();
    const every = (ms: number, run: () => Promise<unknown>, what: string) => {
      const timer = setInterval(() => {
        run().catch((error) => this.deps.logger.warn({ err: error }, `${what} failed; next pass retries`));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(intervalMs, () => this.reconcile(), "reconcile pass");
    if (catchUpIntervalMs !== undefined && catchUpIntervalMs < intervalMs) {
      every(catchUpIntervalMs, async () => {
        const opportunities = await this.catchUp();
        if (opportunities > 0) this.deps.logger.info({ opportunities }, "catch-up enqueued opportunity changes no webhook brought");
      }, "catch-up pass");
    }
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  private async pass(): Promise<ReconcileResult> {
    const opportunities = await this.catchUp();
    const referrals = await this.partnerCenterChanges();
    if (opportunities + referrals > 0) this.deps.logger.info({ opportunities, referrals }, "reconcile enqueued missed changes");
    return { opportunities, referrals };
  }

  private async dataverseChanges(): Promise<number> {
    const deltaLink = (await this.deps.store.getWatermark(WATERMARKS.dataverseDelta)) ?? undefined;
    try {
      return await this.readChanges(deltaLink);
    } catch (error) {
      // The org refuses an old delta token (400): read everything again and start a new one.
      if (!deltaLink || !(error instanceof DataverseError) || error.status !== 400) throw explainNoTracking(error);
      this.deps.logger.warn({ err: error }, "the saved Dataverse delta token was refused (expired?): reading every opportunity again");
      return this.readChanges(undefined).catch((retryError: unknown) => {
        throw explainNoTracking(retryError);
      });
    }
  }

  private async readChanges(deltaLink: string | undefined): Promise<number> {
    const { store, dataverse, enqueue } = this.deps;
    let count = 0;
    let nextDelta: string | undefined;
    for await (const page of dataverse.opportunityChanges(deltaLink)) {
      for (const row of page.changed) {
        const values = row.values as Record<string, unknown>;
        // Only opportunities that sync (or did: a referral id) can need work.
        if (values[C.syncWithPartnerCenter] !== true && !values[C.referralIdentifier]) continue;
        const { duplicate } = await enqueue({ source: "dataverse", kind: "opportunity", id: row.id, deliveryKey: `reconcile:dataverse:${row.id}:${row.etag}` });
        if (!duplicate) count++;
      }
      if (page.deltaLink) nextDelta = page.deltaLink;
    }
    // Saved only after every change was enqueued: a crash mid-pass repeats the pass, loses nothing.
    if (nextDelta) await store.setWatermark(WATERMARKS.dataverseDelta, nextDelta);
    return count;
  }

  private async partnerCenterChanges(): Promise<number> {
    const { store, referrals, enqueue } = this.deps;
    const now = (this.deps.clock?.() ?? new Date()).toISOString();
    const since = await store.getWatermark(WATERMARKS.partnerCenterUpdated);
    if (!since) {
      // First run: existing referrals are the backfill's job (`cosell backfill`); start watching now.
      await store.setWatermark(WATERMARKS.partnerCenterUpdated, now);
      return 0;
    }
    const from = new Date(Date.parse(since) - OVERLAP_MS).toISOString();
    let count = 0;
    let newest = since;
    for await (const referral of referrals.updatedSince(from)) {
      // The overlap lists the last minute's referrals again on every pass: a version already
      // enqueued is a duplicate delivery (no job) and is not counted as missed.
      const { duplicate } = await enqueue({
        source: "partner-center",
        kind: "referral",
        id: referral.id,
        deliveryKey: `reconcile:partner-center:${referral.id}:${referral.eTag}`,
      });
      if (!duplicate) count++;
      if (referral.updatedDateTime && referral.updatedDateTime > newest) newest = referral.updatedDateTime;
    }
    await store.setWatermark(WATERMARKS.partnerCenterUpdated, newest);
    return count;
  }
}

/** Change tracking switched off on opportunity is an admin's fix: say which. */
function explainNoTracking(error: unknown): unknown {
  if (error instanceof DataverseError && /not enabled for change tracking/i.test(error.message)) {
    return new DataverseError(
      `${error.message} Reconcile needs it: an admin turns on "Track changes" for the Opportunity table (Power Apps › Tables › Opportunity › Properties › Advanced options).`,
      { status: error.status, code: error.code, cause: error },
    );
  }
  return error;
}
