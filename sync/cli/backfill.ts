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
import { isMicrosoftSide, type Referral } from "../partner-center/referral-types";
import type { UnreadableReferral } from "../partner-center/referrals-client";
import { PartnerCenterError } from "../partner-center/partner-center-error";
import { normalizeCompanyName } from "../engine";
import { decideRetry, type RetryPolicy } from "../queue/retry-policy";
import { referralLinkKey, type Job, type SyncStore } from "../store";
import type { CrmGateway, CrmRow } from "../worker/crm-gateway";
import type { PrefetchedRecords } from "../worker/pair-finder";
import type { PageLookupGateway } from "./backfill-lookups";
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
  /**
   * Nothing to import: Microsoft's side of an engagement (our own referral on it stands for the deal),
   * a referral Partner Center closed as Error (a duplicate, a test, bad data), or one gone meanwhile.
   */
  notImported: number;
  failed: BackfillFailure[];
  elapsedMs: number;
}

export interface BackfillDependencies {
  referrals: Pick<ReferralsClient, "pages">;
  store: Pick<SyncStore, "findLinkByReferralId">;
  /**
   * The opportunities already carrying referral ids (one query per page of referrals, before the
   * handler runs) and, when the gateway can, the page's accounts and contacts (see PageLookupGateway).
   */
  dataverse: Pick<CrmGateway, "opportunitiesByReferralIds"> & Partial<Pick<PageLookupGateway, "prefetchPage">>;
  handler: { run(job: Job, prefetched?: PrefetchedRecords): ReturnType<JobHandler["run"]>; onGiveUp?: JobHandler["onGiveUp"] };
  logger?: Logger;
  /** Referrals run at the same time (default DEFAULT_BACKFILL_CONCURRENCY). */
  concurrency?: number;
  /** Throttling and outages are waited out per referral, as the workers do (default: 4 tries). */
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Once listing is over (the referrals are imported while later pages are still being listed). */
  onListed?: (count: number) => void;
  onProgress?: (summary: Readonly<BackfillSummary>, done: number) => void;
  clock?: () => number;
}

export const DEFAULT_BACKFILL_CONCURRENCY = 64;
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

function syntheticJob(referral: Pick<Referral, "id">, now: number, attempt: number, opportunityId: string | null = null): Job {
  return {
    id: 0,
    linkKey: referralLinkKey(referral.id),
    opportunityId,
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

/** A page of referrals with the opportunities that already carry them (looked up in one go). */
interface ListedPage {
  referrals: Referral[];
  /** Entries of the page the connector cannot read: each is a failure of its own. */
  unreadable: UnreadableReferral[];
  opportunities: Map<string, CrmRow>;
}

/** What the admin reads for a referral Partner Center sent in a shape we cannot read. */
function unreadableReason(entry: UnreadableReferral): string {
  return `Partner Center sent it in a shape this connector cannot read (${entry.reason}); the other referrals were imported. Report it with this text.`;
}

/**
 * Page by page, in listing order: while one page's referrals run, the next page is listed and its
 * opportunities looked up, so neither waits for the other and only about two pages are held in
 * memory at a time (never the whole org). Per referral, only counters and failure reasons are kept.
 */
export async function runBackfill(deps: BackfillDependencies): Promise<BackfillSummary> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const concurrency = Math.max(1, deps.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY);

  const summary: BackfillSummary = { total: 0, created: 0, linked: 0, updated: 0, inSync: 0, notImported: 0, failed: [], elapsedMs: 0 };
  let done = 0;
  const record = (result: BackfillResult, referral: Referral, error?: unknown) => {
    if (result === "failed") summary.failed.push({ referralId: referral.id, name: referral.name ?? "", reason: reasonFor(error) });
    else summary[result]++;
    done++;
    deps.onProgress?.(summary, done);
  };

  // Oldest first: an admin reading the log sees the org's history in order.
  const pages = deps.referrals.pages({ orderBy: "createdDateTime asc" })[Symbol.asyncIterator]();
  const seen = new Set<string>();
  const nextPage = async (): Promise<ListedPage | null> => {
    const result = await pages.next();
    if (result.done) return null;
    // A referral listed twice (pages shifting under concurrent writes) is run once: its second
    // lookup could predate the opportunity the first run created.
    const referrals = result.value.value.filter((referral) => !seen.has(referral.id));
    for (const referral of referrals) seen.add(referral.id);
    const unreadable = result.value.unreadable.filter((entry) => entry.id === null || !seen.has(entry.id));
    for (const entry of unreadable) if (entry.id) seen.add(entry.id);
    const toRun = referrals.filter((referral) => !isMicrosoftSide(referral));
    // An unreadable referral's opportunity (if one carries it) is told why it no longer syncs.
    const lookedUp = [...toRun.map((referral) => referral.id), ...unreadable.flatMap((entry) => (entry.id ? [entry.id] : []))];
    if (lookedUp.length === 0) return { referrals, unreadable, opportunities: new Map() };
    const [opportunities] = await Promise.all([
      deps.dataverse.opportunitiesByReferralIds(lookedUp),
      toRun.length > 0 ? deps.dataverse.prefetchPage?.(toRun) : undefined,
    ]);
    return { referrals, unreadable, opportunities };
  };

  const running = new Set<Promise<void>>();
  /** Referrals of one customer run one after another (see customerKey): the last one queued per customer. */
  const customerTails = new Map<string, Promise<void>>();
  const runOne = async (referral: Referral, existing: CrmRow | null): Promise<void> => {
    try {
      record(await backfillOne(deps, referral, existing, clock()), referral);
    } catch (error) {
      deps.logger?.warn({ err: error, referralId: referral.id }, "backfill of a referral failed");
      record("failed", referral, error);
      // The opportunity that carries it (if any) shows why, as a given-up sync does.
      await deps.handler.onGiveUp?.(syntheticJob(referral, clock(), 1, existing?.id ?? null), error).catch((caught: unknown) => {
        deps.logger?.warn({ err: caught, referralId: referral.id }, "could not show the backfill failure on its opportunity");
      });
    }
  };

  let ahead = nextPage();
  for (;;) {
    const page = await ahead;
    if (!page) break;
    ahead = nextPage();
    // Awaited at the top of the next round; until then a failed listing must not count as unhandled.
    ahead.catch(() => undefined);
    summary.total += page.referrals.length + page.unreadable.length;
    // Show the new total as soon as a page is listed, so the admin sees progress start at 0/N.
    deps.onProgress?.(summary, done);
    for (const entry of page.unreadable) {
      await reportUnreadable(deps, entry, entry.id ? (page.opportunities.get(entry.id.toLowerCase()) ?? null) : null, clock());
      summary.failed.push({ referralId: entry.id ?? "(no id)", name: entry.name ?? "", reason: unreadableReason(entry) });
      done++;
      deps.onProgress?.(summary, done);
    }
    for (const referral of page.referrals) {
      if (isMicrosoftSide(referral)) {
        // Running it would sync our side of the engagement a second time, concurrently with our own referral.
        record("notImported", referral);
        continue;
      }
      while (running.size >= concurrency) await Promise.race(running);
      const key = customerKey(referral);
      const existing = page.opportunities.get(referral.id.toLowerCase()) ?? null;
      const task = (customerTails.get(key) ?? Promise.resolve()).then(() => runOne(referral, existing));
      customerTails.set(key, task);
      running.add(task);
      void task.then(() => {
        running.delete(task);
        if (customerTails.get(key) === task) customerTails.delete(key);
      });
    }
  }
  deps.onListed?.(summary.total);
  await Promise.all(running);
  summary.elapsedMs = clock() - started;
  return summary;
}

/** Shows the reason on the opportunity that carries the referral, if one does (as a given-up sync would). */
async function reportUnreadable(deps: BackfillDependencies, entry: UnreadableReferral, opportunity: CrmRow | null, now: number): Promise<void> {
  if (!opportunity || !entry.id || !deps.handler.onGiveUp) return;
  const error = new PartnerCenterError(`Partner Center sent referral ${entry.id} in a shape this connector cannot read: ${entry.reason}`, {
    status: 200,
    code: "unreadableReferral",
    retryable: false,
  });
  try {
    await deps.handler.onGiveUp(syntheticJob({ id: entry.id }, now, 1, opportunity.id), error);
  } catch (caught) {
    deps.logger?.warn({ err: caught, referralId: entry.id }, "could not show the unreadable referral's reason on its opportunity");
  }
}

async function backfillOne(deps: BackfillDependencies, referral: Referral, existing: CrmRow | null, now: number): Promise<Exclude<BackfillResult, "failed">> {
  // What existed before the first try decides the verdict, even if a later try finishes the job.
  const before = await deps.store.findLinkByReferralId(referral.id);
  const outcome = await runWithRetries(deps, referral, before ? undefined : existing, now);
  if (before) return outcome === "synced" ? "updated" : "inSync";
  if (existing) return "linked";
  const after = await deps.store.findLinkByReferralId(referral.id);
  // Our own outgoing referral whose id never reached the opportunity: the handler found it by externalReferenceId.
  if (after?.opportunityId && referral.externalReferenceId && after.opportunityId.toLowerCase() === referral.externalReferenceId.toLowerCase()) return "linked";
  return after ? "created" : "notImported";
}

/** `existing`: the page's lookup of the opportunity carrying the referral (undefined: not looked up, the handler does). */
async function runWithRetries(deps: BackfillDependencies, referral: Referral, existing: CrmRow | null | undefined, now: number) {
  const policy = deps.retryPolicy ?? BACKFILL_RETRY_POLICY;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      // The listed referral and the page's opportunity lookup save a GET and a query per referral on
      // the first try; a retry reads both afresh.
      return await deps.handler.run(syntheticJob(referral, now, attempt), attempt === 1 ? { referral, opportunityOfReferral: existing } : {});
    } catch (error) {
      const decision = decideRetry(attempt, error, policy);
      if (decision.action === "give-up") throw error;
      deps.logger?.debug({ referralId: referral.id, attempt, delayMs: decision.delayMs }, "backfill retries a referral");
      await sleep(decision.delayMs);
    }
  }
}
