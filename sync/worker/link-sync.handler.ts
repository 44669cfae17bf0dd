/**
 * One sync job: bring an opportunity and its referral in step (docs/DESIGN.md 5). Triggers are hints:
 * the job re-reads both records, finds or creates the missing side idempotently (look up before
 * create, so a crash between "create" and "write back the id" never duplicates), merges against the
 * stored base, writes only what changed with If-Match, and stores the new base. The echo of our own
 * write therefore costs two reads and no write.
 *
 * This file keeps what is the job's, not a story's: the pair locks, the rounds after a write race,
 * and the give-up. Finding the pair is pair-finder.ts; each story has its module (README.md).
 */
import type { Job } from "../store";
import type { JobHandler, JobOutcome } from "../queue/worker-pool";
import { CustomerAccounts } from "./customer-accounts";
import { importReferral } from "./import-referral.story";
import { InMemoryPairLocks, type PairLocks } from "../cluster/pair-locks";
import { mergePair } from "./merge-pair.story";
import { writeError } from "./opportunity-columns";
import { findPair, pairLockKeys, resolveLink, type PrefetchedRecords } from "./pair-finder";
import { shareOpportunity } from "./share-opportunity.story";
import { storyContext, type LinkSyncDependencies, type StoryContext } from "./story-context";
import { AwaitedWriteTimeError, WriteRaceError, isWriteRace } from "./sync-errors";
import { describeSyncError } from "./sync-error-message";

export type { LinkSyncDependencies } from "./story-context";
export type { PrefetchedRecords } from "./pair-finder";

const MAX_RACE_ROUNDS = 3;

/** A round's end: the job's outcome, or the keys of pair records it found unlocked. */
type RoundsResult = { readonly kind: "done"; readonly outcome: JobOutcome } | { readonly kind: "restart"; readonly keys: readonly string[] };

export class LinkSyncHandler implements JobHandler {
  /**
   * One pair, one job at a time. The queue runs one job per link key, but a pair is reached under
   * several keys (the referral's webhook before the link existed, the opportunity's after; Microsoft's
   * side of the engagement): two jobs merging the same pair at once interleave their reads and writes
   * so that one commits a base from a read that predates the other's write, and the next merge takes
   * that write for a fresh edit. Keyed by each record id of the pair (`opportunity:…`, `referral:…`).
   */
  private readonly pairLock: PairLocks;
  private readonly ctx: StoryContext;
  private readonly accounts: CustomerAccounts;

  constructor(private readonly deps: LinkSyncDependencies) {
    // Shared with the other instances when the store is PostgreSQL (sync/cluster); else this process's.
    this.pairLock = deps.pairLocks ?? new InMemoryPairLocks();
    this.ctx = storyContext(deps);
    this.accounts = new CustomerAccounts(deps);
  }

  /** `prefetched`: records the caller already read (the backfill's list page), used on the first round only. */
  async run(job: Job, prefetched: PrefetchedRecords = {}): Promise<JobOutcome> {
    const link = await resolveLink(this.deps.store, job);
    let pair = new Set(pairLockKeys(link?.opportunityId ?? job.opportunityId, link?.referralId ?? job.referralId));
    for (;;) {
      const held = pair;
      const result = await this.whileHolding([...held], () => this.runRounds(job, held, prefetched));
      if (result.kind === "done") return result.outcome;
      // The job found a record of the pair it did not hold: take that one too, and start over.
      pair = new Set([...pair, ...result.keys]);
    }
  }

  /** Holds the pair lock of every key, taken in sorted order so that two jobs never wait on each other. */
  private whileHolding<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    return [...keys].sort().reduceRight<() => Promise<T>>((inner, key) => () => this.pairLock.run(key, inner), work)();
  }

  private async runRounds(job: Job, held: ReadonlySet<string>, prefetched: PrefetchedRecords): Promise<RoundsResult> {
    let awaitWriteTimes = true;
    for (let round = 1; ; round++) {
      try {
        return await this.syncOnce(job, held, awaitWriteTimes, round === 1 ? prefetched : {});
      } catch (error) {
        if (error instanceof AwaitedWriteTimeError) {
          awaitWriteTimes = false; // once per job: a webhook that never comes (lost) must not stall the pair
          continue;
        }
        if (!isWriteRace(error)) throw error;
        if (round >= MAX_RACE_ROUNDS) throw new WriteRaceError(error);
        this.deps.logger.debug({ linkKey: job.linkKey, round }, "write race, re-reading both sides");
      }
    }
  }

  private async syncOnce(job: Job, held: ReadonlySet<string>, awaitWriteTimes: boolean, prefetched: PrefetchedRecords): Promise<RoundsResult> {
    const search = await findPair(this.deps, job, held, prefetched);
    if (search.kind === "restart") return search;
    if (search.kind === "nothing") return { kind: "done", outcome: "skipped" };
    const { link, opportunity, referral, columnTimes, microsoftCrmId } = search.pair;
    const done = (outcome: JobOutcome): RoundsResult => ({ kind: "done", outcome });
    if (opportunity && referral) return done(await mergePair(this.ctx, opportunity, referral, link, { columnTimes, microsoftCrmId, awaitWriteTimes }));
    if (opportunity) return done(await shareOpportunity(this.ctx, opportunity, columnTimes));
    if (referral) return done(await importReferral(this.ctx, this.accounts, referral));
    return done("skipped");
  }

  /** Shows the reason on the record: ✔ becomes Error with pcc_syncerror, "Sync now" retries. */
  async onGiveUp(job: Job, error: unknown): Promise<void> {
    const link = await resolveLink(this.deps.store, job);
    const opportunityId = link?.opportunityId ?? job.opportunityId;
    if (!opportunityId) return;
    const opportunity = await this.deps.crm.getOpportunity(opportunityId);
    if (!opportunity) return;
    await writeError(this.ctx, opportunity, describeSyncError(error));
  }
}
