/**
 * The durable state of the sync service behind one narrow, promise-based interface, so that the
 * SQLite implementation (one instance, file in the working folder) can be joined by a PostgreSQL one
 * (several instances, docs/DESIGN.md 6) without touching the queue, workers or HTTP app. Every method is
 * one atomic unit of work; nothing hands out a transaction, because that would not survive the
 * change of database.
 *
 * Times: queue scheduling uses epoch milliseconds (numbers compare cheaply in SQL); audit entries
 * keep the engine's ISO strings.
 */
import type { AuditEntry } from "../engine/audit-trail";
import type { LinkFieldClocks } from "../engine/field-clock";
import type { MappedFields } from "../engine/mapped-fields";

/** Change times kept per referral: enough for the changes between two reads of a busy referral. */
export const REFERRAL_CHANGES_KEPT = 50;

/** One opportunity ⇄ referral pair. The key never changes once chosen (see link-keys.ts). */
export interface LinkRecord {
  readonly key: string;
  readonly opportunityId: string | null;
  readonly referralId: string | null;
  readonly accountId: string | null;
  /** When Microsoft's side of the co-sell engagement was created (null: not yet, or not a co-sell deal). */
  readonly microsoftInvitedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Fields to set on a link; undefined leaves a field as it is. */
export interface LinkUpdate {
  readonly key: string;
  readonly opportunityId?: string | null;
  readonly referralId?: string | null;
  readonly accountId?: string | null;
  readonly microsoftInvitedAt?: number | null;
}

export interface BaseSnapshot {
  readonly fields: MappedFields;
  /** Increases by one on every commit; commitSync can insist on the version it read. */
  readonly version: number;
  readonly savedAt: number;
  /** Fields a merge was writing to Partner Center when it last stopped short of its commit (notePendingPush). */
  readonly pendingPush?: Partial<MappedFields> | null;
}

export interface SyncCommit {
  /** The new base snapshot (MergeResult.base), stored only after both sides were written. */
  readonly base: MappedFields;
  readonly audit: readonly AuditEntry[];
  /** The base version the job read; a different stored version means another worker got there first. */
  readonly expectedVersion?: number | null;
}

export type JobState = "pending" | "running" | "dead";

/** Ask for a sync of one link. Triggers are hints: the job re-reads both records (docs/DESIGN.md 2). */
export interface JobRequest {
  readonly linkKey: string;
  readonly opportunityId?: string | null;
  readonly referralId?: string | null;
  /** Why: "dataverse:update", "partner-center:referral-updated", "sync-now", "reconcile"... */
  readonly reasons: readonly string[];
  /** Earliest run time, epoch ms; default now. */
  readonly runAt?: number;
}

export interface Job {
  readonly id: number;
  readonly linkKey: string;
  readonly opportunityId: string | null;
  readonly referralId: string | null;
  readonly reasons: readonly string[];
  readonly state: JobState;
  /** Claims so far, the current one included: a worker killed mid-job still used an attempt. */
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface EnqueueResult {
  readonly jobId: number;
  /** True when the request was merged into a job already waiting for the same link. */
  readonly coalesced: boolean;
}

export interface ClaimOptions {
  readonly workerId: string;
  /** How long the claim holds without extendLease; after it a crashed worker's job is retried. */
  readonly leaseMs: number;
}

export interface RetryOptions {
  readonly error: string;
  /** When to try again, epoch ms (backoff + jitter, or Retry-After, decided by the queue). */
  readonly runAt: number;
}

export interface ProcessedEvent {
  /** A delivery's stable id, e.g. "partner-center:<eventId>" or "dataverse:<correlation id>". */
  readonly key: string;
  /** How long to remember it; senders redeliver for hours, not weeks. */
  readonly ttlMs: number;
}

export interface AcceptEventResult {
  /** The event was seen before (and not yet expired): nothing was enqueued. */
  readonly duplicate: boolean;
  readonly enqueued: EnqueueResult | null;
}

export interface StoredAuditEntry extends AuditEntry {
  readonly id: number;
  readonly linkKey: string;
}

export interface ReferralNotification {
  readonly referralId: string;
  readonly opportunityId: string;
  readonly state: "sending" | "sent" | "failed";
  readonly attempts: number;
  readonly lastError: string | null;
  readonly updatedAt: number;
}

export interface SyncStore {
  // Links -------------------------------------------------------------------------------------------
  getLink(key: string): Promise<LinkRecord | null>;
  findLinkByOpportunityId(opportunityId: string): Promise<LinkRecord | null>;
  findLinkByReferralId(referralId: string): Promise<LinkRecord | null>;
  /** Creates or updates a link. Throws LinkConflictError if the opportunity or referral is linked elsewhere. */
  saveLink(update: LinkUpdate): Promise<LinkRecord>;
  /** "Stop syncing": removes the link and its base; the audit log stays. */
  deleteLink(key: string): Promise<void>;

  // Base snapshots + audit ----------------------------------------------------------------------------
  getBase(linkKey: string): Promise<BaseSnapshot | null>;
  /** Stores the new base and its audit entries atomically. Throws StaleBaseError on a version mismatch. */
  commitSync(linkKey: string, commit: SyncCommit): Promise<BaseSnapshot>;
  appendAudit(linkKey: string, entries: readonly AuditEntry[]): Promise<void>;
  /** Notes the fields about to be written to Partner Center on the base of `expectedVersion` (StaleBaseError otherwise); the next commit clears them. */
  notePendingPush(linkKey: string, expectedVersion: number, push: Partial<MappedFields>): Promise<void>;
  /**
   * Reads the link's field clocks, applies `update` and stores the result, in one transaction (two
   * jobs of one pair can read the sides at the same time; neither may overwrite the other's newer
   * observation). Returns what was stored. No link: nothing stored, `update(null)` returned.
   */
  updateFieldClocks(linkKey: string, update: (current: LinkFieldClocks | null) => LinkFieldClocks): Promise<LinkFieldClocks>;
  /** Remembers that a write set these opportunity columns at `at` (keeps the latest time per column). */
  recordColumnChanges(opportunityId: string, columns: readonly string[], at: number): Promise<void>;
  /** The latest known write time per column of the opportunity (ms since the epoch). */
  columnChangeTimes(opportunityId: string): Promise<Record<string, number>>;
  /**
   * Remembers that the referral changed at `at` (a webhook event's time, or our own write's, marked
   * `ours`: that mark wins whichever comes first). Keeps the newest REFERRAL_CHANGES_KEPT per referral.
   */
  recordReferralChange(referralId: string, at: number, ours: boolean): Promise<void>;
  /** The referral's known change times that were not ours, oldest first (ms since the epoch). */
  referralChangeTimes(referralId: string): Promise<number[]>;
  /** Newest first. */
  listAudit(linkKey: string, limit?: number): Promise<StoredAuditEntry[]>;

  // Jobs --------------------------------------------------------------------------------------------
  /** Adds a job, or merges into the link's pending job if there is one (coalescing). */
  enqueue(request: JobRequest): Promise<EnqueueResult>;
  /**
   * Claims the next due job whose link has no running job, with a lease. Expired leases (a worker
   * that died) are recovered first: the job goes back to pending, or to dead when out of attempts.
   */
  claimNext(options: ClaimOptions): Promise<Job | null>;
  extendLease(jobId: number, workerId: string, leaseMs: number): Promise<boolean>;
  /**
   * Running jobs whose worker `isGone` says has stopped (a backend process killed mid-job) become due
   * at once instead of when their lease runs out; returns how many.
   */
  recoverLeasesOf(isGone: (workerId: string) => boolean): Promise<number>;
  /** Done: removes the job (and old dead jobs of the link, now resolved). False if the lease was lost. */
  complete(jobId: number, workerId: string): Promise<boolean>;
  retryLater(jobId: number, workerId: string, options: RetryOptions): Promise<boolean>;
  deadLetter(jobId: number, workerId: string, error: string): Promise<boolean>;
  getJob(jobId: number): Promise<Job | null>;
  listJobs(filter?: { state?: JobState; linkKey?: string }): Promise<Job[]>;
  countJobs(): Promise<Record<JobState, number>>;

  // Webhook dedupe ----------------------------------------------------------------------------------
  /** Records a delivery and enqueues its job in one step, unless it is a duplicate. */
  acceptEvent(event: ProcessedEvent, job: JobRequest | null): Promise<AcceptEventResult>;
  purgeExpiredEvents(): Promise<number>;

  // Referral notifications (Teams) ------------------------------------------------------------------
  /** Claims the one notification of a referral: true the first time, false ever after (it was sent or tried). */
  claimReferralNotification(referralId: string, opportunityId: string): Promise<boolean>;
  /** Records how the claimed notification ended. */
  finishReferralNotification(referralId: string, outcome: { state: "sent" | "failed"; attempts: number; error?: string }): Promise<void>;
  getReferralNotification(referralId: string): Promise<ReferralNotification | null>;

  // Watermarks (Dataverse delta link, Partner Center updatedDateTime) -------------------------------
  getWatermark(name: string): Promise<string | null>;
  setWatermark(name: string, value: string): Promise<void>;

  close(): Promise<void>;
}
