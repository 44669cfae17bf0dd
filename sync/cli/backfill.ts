/**
 * The backfill of existing Partner Center referrals (`cosell backfill`): every referral goes through
 * the same job handler the workers run, so it is found-or-created exactly as a webhook would have
 * done it (look up before create: a second run, or a run after a crash, creates nothing twice).
 * What it adds is the bookkeeping an admin wants to read afterwards: which referrals became new
 * opportunities, which were linked to ones that already existed, which were already in sync and
 * which failed, and why.
 */
import type { Logger } from "pino";
import type { JobHandler } from "../queue/worker-pool";
import type { ReferralsClient } from "../partner-center/referrals-client";
import { MICROSOFT_ORGANIZATION_ID, type Referral } from "../partner-center/referral-types";
import { normalizeCompanyName } from "../engine";
import { decideRetry, type RetryPolicy } from "../queue/retry-policy";
import { referralLinkKey, type Job, type SyncStore } from "../store";
import { describeSyncError } from "../worker/sync-error-message";

export type BackfillResult = "created" | "linked" | "updated" | "inSync" | "notImported" | "failed";

export interface BackfillFailure {
  referralId: string;
  name: string;
  reason: string;
}

export interface BackfillSummary {
  total: number;
  /** A new opportunity (with account and contacts) was made from the referral. */
  created: number;
  /** An opportunity already carried the referral (or was the one it was shared from): now linked. */
  linked: number;
  /** Already linked; changes made since were applied. */
  updated: number;
  /** Already linked and identical on both sides: nothing written. */
  inSync: number;
  /** Nothing to import: Microsoft's side of an engagement (our own referral on it stands for the deal), or a referral gone meanwhile. */
  notImported: number;
  failed: BackfillFailure[];
  elapsedMs: number;
}

export interface BackfillDependencies {
  referrals: Pick<ReferralsClient, "list">;
  store: Pick<SyncStore, "findLinkByReferralId">;
  /** Whether an opportunity already carries the referral id (before the handler runs). */
  dataverse: { findOpportunityByReferralId(referralId: string): Promise<unknown> };
  handler: { run(job: Job, listed?: Referral): ReturnType<JobHandler["run"]> };
  logger?: Logger;
  /** Referrals run at the same time (default 16). */
  concurrency?: number;
  /** Throttling and outages are waited out per referral, as the workers do (default: 4 tries). */
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  onListed?: (count: number) => void;
  onProgress?: (summary: Readonly<BackfillSummary>, done: number) => void;
  clock?: () => number;
}

export const DEFAULT_BACKFILL_CONCURRENCY = 32;
const BACKFILL_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/** "Use Sync now" is advice for a seller on a record; the admin's remedy here is to run the backfill again. */
function reasonFor(error: unknown): string {
  return describeSyncError(error).replace(/\s*Use Sync now to try again\.\s*$/, "");
}

/**
 * Referrals of one customer run one after another: account matching looks up before it creates, but
 * two imports of the same customer at the same moment would both miss and create the account twice.
 * Different customers run in parallel.
 */
function customerKey(referral: Referral): string {
  const profile = referral.customerProfile;
  const name = normalizeCompanyName(profile?.name ?? null);
  return name ? `${name}|${profile?.address?.country ?? ""}` : `referral:${referral.id}`;
}

function syntheticJob(referral: Referral, now: number, attempt: number): Job {
  return {
    id: 0,
    linkKey: referralLinkKey(referral.id),
    opportunityId: null,
    referralId: referral.id,
    reasons: ["backfill"],
    state: "running",
    attempts: attempt,
    nextAttemptAt: now,
    lastError: null,
    leaseOwner: "backfill",
    leaseExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export async function runBackfill(deps: BackfillDependencies): Promise<BackfillSummary> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const all: Referral[] = [];
  // Oldest first: an admin reading the log sees the org's history in order.
  for await (const referral of deps.referrals.list({ orderBy: "createdDateTime asc" })) all.push(referral);
  deps.onListed?.(all.length);

  const summary: BackfillSummary = { total: all.length, created: 0, linked: 0, updated: 0, inSync: 0, notImported: 0, failed: [], elapsedMs: 0 };
  let done = 0;
  const record = (result: BackfillResult, referral: Referral, error?: unknown) => {
    if (result === "failed") summary.failed.push({ referralId: referral.id, name: referral.name ?? "", reason: reasonFor(error) });
    else summary[result]++;
    done++;
    deps.onProgress?.(summary, done);
  };

  const groups = new Map<string, Referral[]>();
  for (const referral of all) {
    if (referral.organizationId === MICROSOFT_ORGANIZATION_ID) {
      // Running it would sync our side of the engagement a second time, concurrently with our own referral.
      record("notImported", referral);
      continue;
    }
    const key = customerKey(referral);
    groups.set(key, [...(groups.get(key) ?? []), referral]);
  }

  const queue = [...groups.values()];
  const runOne = async (referral: Referral): Promise<void> => {
    try {
      record(await backfillOne(deps, referral, clock()), referral);
    } catch (error) {
      deps.logger?.warn({ err: error, referralId: referral.id }, "backfill of a referral failed");
      record("failed", referral, error);
    }
  };
  const lane = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const referral of group) await runOne(referral);
    }
  };
  const lanes = Math.max(1, Math.min(deps.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY, queue.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  summary.elapsedMs = clock() - started;
  return summary;
}

async function backfillOne(deps: BackfillDependencies, referral: Referral, now: number): Promise<Exclude<BackfillResult, "failed">> {
  // What existed before the first try decides the verdict, even if a later try finishes the job.
  const before = await deps.store.findLinkByReferralId(referral.id);
  const existing = before ? null : await deps.dataverse.findOpportunityByReferralId(referral.id);
  const outcome = await runWithRetries(deps, referral, now);
  if (before) return outcome === "synced" ? "updated" : "inSync";
  if (existing) return "linked";
  const after = await deps.store.findLinkByReferralId(referral.id);
  // Our own outgoing referral whose id never reached the opportunity: the handler found it by externalReferenceId.
  if (after?.opportunityId && referral.externalReferenceId && after.opportunityId.toLowerCase() === referral.externalReferenceId.toLowerCase()) return "linked";
  return after ? "created" : "notImported";
}

async function runWithRetries(deps: BackfillDependencies, referral: Referral, now: number) {
  const policy = deps.retryPolicy ?? BACKFILL_RETRY_POLICY;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      // The listed referral saves a GET per referral on the first try; a retry reads it afresh.
      return await deps.handler.run(syntheticJob(referral, now, attempt), attempt === 1 ? referral : undefined);
    } catch (error) {
      const decision = decideRetry(attempt, error, policy);
      if (decision.action === "give-up") throw error;
      deps.logger?.debug({ referralId: referral.id, attempt, delayMs: decision.delayMs }, "backfill retries a referral");
      await sleep(decision.delayMs);
    }
  }
}
