/**
 * SyncStore on SQLite (better-sqlite3 12: 13 crashes on Node 20). The default store of a single
 * service instance, one file in the working folder.
 *
 * Pragmas and why:
 * - journal_mode=WAL: webhook handlers read (dedupe, link lookups) while a worker writes; WAL lets
 *   readers go on during a write and keeps commits to one sequential append.
 * - synchronous=FULL: we answer a webhook 202 only after its job is committed, and the sender will
 *   not deliver it again. With NORMAL a power cut can lose the last commits in WAL mode (the file
 *   stays consistent, but the acknowledged job is gone until reconcile finds it). Our write rate is
 *   a few commits per second, so an fsync per commit is cheap insurance.
 * - busy_timeout: a second process (the CLI's `sync`, a backfill) waits for the lock instead of failing.
 * Every mutating method runs in a BEGIN IMMEDIATE transaction: it takes the write lock up front, so
 * two processes can never claim the same job between a SELECT and an UPDATE.
 */
import Database from "better-sqlite3";
import type { AuditEntry } from "../engine/audit-trail";
import type { LinkFieldClocks } from "../engine/field-clock";
import { MappedFieldsSchema, type MappedFields } from "../engine/mapped-fields";
import { migrate } from "./migration-runner";
import { mergeReasons, readFieldClocks, readPendingPush, toJob, toLink, type JobRow, type LinkRow } from "./store-rows";
import { LinkConflictError, StaleBaseError, StoreError } from "./store-errors";
import type {
  AcceptEventResult,
  BaseSnapshot,
  ClaimOptions,
  EnqueueResult,
  Job,
  JobRequest,
  JobState,
  LinkRecord,
  LinkUpdate,
  ProcessedEvent,
  ReferralNotification,
  RetryOptions,
  StoredAuditEntry,
  SyncCommit,
  SyncStore,
} from "./sync-store";
import { REFERRAL_CHANGES_KEPT } from "./sync-store";

export interface SqliteSyncStoreOptions {
  /** File path, or ":memory:" for tests that do not need durability. */
  readonly path: string;
  /** Claims after which a job whose worker died goes to dead-letter instead of being retried. */
  readonly maxAttempts?: number;
  /** Injected clock (epoch ms) so tests can move time past a lease. */
  readonly clock?: () => number;
}

export class SqliteSyncStore implements SyncStore {
  private readonly db: Database.Database;
  private readonly clock: () => number;
  private readonly maxAttempts: number;

  private constructor(db: Database.Database, options: SqliteSyncStoreOptions) {
    this.db = db;
    this.clock = options.clock ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  /** Opens (creating if needed) and migrates the database. */
  static open(options: SqliteSyncStoreOptions): SqliteSyncStore {
    let db: Database.Database;
    try {
      db = new Database(options.path);
    } catch (cause) {
      throw new StoreError(`Cannot open the sync database at ${options.path}: ${(cause as Error).message}`, { cause });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      migrate(db, undefined, options.clock);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteSyncStore(db, options);
  }

  /**
   * For a bulk import on this connection (`cosell backfill`): commits stop waiting for an fsync each
   * (synchronous=NORMAL; WAL is synced at checkpoints). Only this connection changes: a `cosell serve`
   * on the same file keeps FULL. Why the trade is right there and not for webhooks: the backfill
   * acknowledges nothing to a sender; a killed process still loses nothing (WAL), and a power cut can
   * lose only the last commits, which the next run rebuilds (the opportunity carries its referral id,
   * so it is found and linked again rather than created twice). 10,000 referrals are 20,000 commits:
   * one fsync each blocked the event loop for a quarter of the run on a busy disk.
   */
  deferFsyncToCheckpoints(): void {
    this.db.pragma("synchronous = NORMAL");
  }

  /** For tests and diagnostics (e.g. `cosell doctor` printing the schema version). */
  get database(): Database.Database {
    return this.db;
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // Links -------------------------------------------------------------------------------------------

  async getLink(key: string): Promise<LinkRecord | null> {
    const row = this.db.prepare("SELECT * FROM links WHERE link_key = ?").get(key) as LinkRow | undefined;
    return row ? toLink(row) : null;
  }

  async findLinkByOpportunityId(opportunityId: string): Promise<LinkRecord | null> {
    const row = this.db.prepare("SELECT * FROM links WHERE opportunity_id = ?").get(opportunityId) as LinkRow | undefined;
    return row ? toLink(row) : null;
  }

  async findLinkByReferralId(referralId: string): Promise<LinkRecord | null> {
    const row = this.db.prepare("SELECT * FROM links WHERE referral_id = ?").get(referralId) as LinkRow | undefined;
    return row ? toLink(row) : null;
  }

  async saveLink(update: LinkUpdate): Promise<LinkRecord> {
    const now = this.clock();
    try {
      return this.tx(() => {
        const existing = this.db.prepare("SELECT * FROM links WHERE link_key = ?").get(update.key) as LinkRow | undefined;
        const row: LinkRow = {
          link_key: update.key,
          opportunity_id: update.opportunityId !== undefined ? update.opportunityId : (existing?.opportunity_id ?? null),
          referral_id: update.referralId !== undefined ? update.referralId : (existing?.referral_id ?? null),
          account_id: update.accountId !== undefined ? update.accountId : (existing?.account_id ?? null),
          microsoft_invited_at: update.microsoftInvitedAt !== undefined ? update.microsoftInvitedAt : (existing?.microsoft_invited_at ?? null),
          created_at: existing?.created_at ?? now,
          updated_at: now,
        };
        this.db
          .prepare(
            `INSERT INTO links (link_key, opportunity_id, referral_id, account_id, microsoft_invited_at, created_at, updated_at)
             VALUES (@link_key, @opportunity_id, @referral_id, @account_id, @microsoft_invited_at, @created_at, @updated_at)
             ON CONFLICT(link_key) DO UPDATE SET opportunity_id = excluded.opportunity_id,
               referral_id = excluded.referral_id, account_id = excluded.account_id,
               microsoft_invited_at = excluded.microsoft_invited_at, updated_at = excluded.updated_at`,
          )
          .run(row);
        return toLink(row);
      });
    } catch (cause) {
      if (cause instanceof Error && /UNIQUE constraint failed: links\.(opportunity_id|referral_id)/.test(cause.message)) {
        const which = cause.message.includes("opportunity_id") ? `opportunity ${update.opportunityId}` : `referral ${update.referralId}`;
        throw new LinkConflictError(update.key, `The ${which} is already linked to another record; not linking it twice`, { cause });
      }
      throw cause;
    }
  }

  async deleteLink(key: string): Promise<void> {
    this.tx(() => this.db.prepare("DELETE FROM links WHERE link_key = ?").run(key));
  }

  // Base + audit ------------------------------------------------------------------------------------

  async getBase(linkKey: string): Promise<BaseSnapshot | null> {
    const row = this.db.prepare("SELECT fields_json, version, saved_at, pending_push_json FROM base_snapshots WHERE link_key = ?").get(linkKey) as
      | { fields_json: string; version: number; saved_at: number; pending_push_json: string | null }
      | undefined;
    if (!row) return null;
    let fields: MappedFields;
    try {
      fields = MappedFieldsSchema.parse(JSON.parse(row.fields_json));
    } catch (cause) {
      throw new StoreError(`The base snapshot of ${linkKey} is unreadable`, { cause });
    }
    return { fields, version: row.version, savedAt: row.saved_at, pendingPush: readPendingPush(row.pending_push_json) };
  }

  async notePendingPush(linkKey: string, expectedVersion: number, push: Partial<MappedFields>): Promise<void> {
    this.tx(() => {
      const changed = this.db
        .prepare("UPDATE base_snapshots SET pending_push_json = ? WHERE link_key = ? AND version = ?")
        .run(JSON.stringify(push), linkKey, expectedVersion).changes;
      if (changed === 0) {
        const current = this.db.prepare("SELECT version FROM base_snapshots WHERE link_key = ?").get(linkKey) as { version: number } | undefined;
        throw new StaleBaseError(linkKey, expectedVersion, current?.version ?? null);
      }
    });
  }

  async updateFieldClocks(linkKey: string, update: (current: LinkFieldClocks | null) => LinkFieldClocks): Promise<LinkFieldClocks> {
    return this.tx(() => {
      const row = this.db.prepare("SELECT clocks_json FROM field_clocks WHERE link_key = ?").get(linkKey) as { clocks_json: string } | undefined;
      const next = update(row ? readFieldClocks(row.clocks_json) : null);
      const linked = this.db.prepare("SELECT 1 FROM links WHERE link_key = ?").get(linkKey);
      if (linked) {
        this.db
          .prepare(
            `INSERT INTO field_clocks (link_key, clocks_json, saved_at) VALUES (?, ?, ?)
             ON CONFLICT(link_key) DO UPDATE SET clocks_json = excluded.clocks_json, saved_at = excluded.saved_at`,
          )
          .run(linkKey, JSON.stringify(next), this.clock());
      }
      return next;
    });
  }

  async recordColumnChanges(opportunityId: string, columns: readonly string[], at: number): Promise<void> {
    const upsert = this.db.prepare(
      `INSERT INTO column_changes (opportunity_id, column_name, changed_at) VALUES (?, ?, ?)
       ON CONFLICT(opportunity_id, column_name) DO UPDATE SET changed_at = MAX(changed_at, excluded.changed_at)`,
    );
    const id = opportunityId.toLowerCase();
    this.tx(() => {
      for (const column of columns) upsert.run(id, column, at);
    });
  }

  async columnChangeTimes(opportunityId: string): Promise<Record<string, number>> {
    const rows = this.db.prepare("SELECT column_name, changed_at FROM column_changes WHERE opportunity_id = ?").all(opportunityId.toLowerCase()) as {
      column_name: string;
      changed_at: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.column_name, row.changed_at]));
  }

  async claimReferralNotification(referralId: string, opportunityId: string): Promise<boolean> {
    const now = this.clock();
    return this.tx(() => {
      const inserted = this.db
        .prepare(
          `INSERT INTO referral_notifications (referral_id, opportunity_id, state, created_at, updated_at)
           VALUES (?, ?, 'sending', ?, ?) ON CONFLICT(referral_id) DO NOTHING`,
        )
        .run(referralId, opportunityId, now, now);
      return inserted.changes === 1;
    });
  }

  async finishReferralNotification(referralId: string, outcome: { state: "sent" | "failed"; attempts: number; error?: string }): Promise<void> {
    this.tx(() =>
      this.db
        .prepare("UPDATE referral_notifications SET state = ?, attempts = ?, last_error = ?, updated_at = ? WHERE referral_id = ?")
        .run(outcome.state, outcome.attempts, outcome.error ?? null, this.clock(), referralId),
    );
  }

  async getReferralNotification(referralId: string): Promise<ReferralNotification | null> {
    const row = this.db.prepare("SELECT * FROM referral_notifications WHERE referral_id = ?").get(referralId) as
      | { referral_id: string; opportunity_id: string; state: ReferralNotification["state"]; attempts: number; last_error: string | null; updated_at: number }
      | undefined;
    if (!row) return null;
    return {
      referralId: row.referral_id,
      opportunityId: row.opportunity_id,
      state: row.state,
      attempts: row.attempts,
      lastError: row.last_error,
      updatedAt: row.updated_at,
    };
  }

  async recordReferralChange(referralId: string, at: number, ours: boolean): Promise<void> {
    this.tx(() => {
      this.db
        .prepare(
          `INSERT INTO referral_changes (referral_id, changed_at, ours) VALUES (?, ?, ?)
           ON CONFLICT(referral_id, changed_at) DO UPDATE SET ours = MAX(ours, excluded.ours)`,
        )
        .run(referralId, at, ours ? 1 : 0);
      this.db
        .prepare(
          `DELETE FROM referral_changes WHERE referral_id = ? AND changed_at < (
             SELECT changed_at FROM referral_changes WHERE referral_id = ? ORDER BY changed_at DESC LIMIT 1 OFFSET ?)`,
        )
        .run(referralId, referralId, REFERRAL_CHANGES_KEPT - 1);
    });
  }

  async referralChangeTimes(referralId: string): Promise<number[]> {
    const rows = this.db.prepare("SELECT changed_at FROM referral_changes WHERE referral_id = ? AND ours = 0 ORDER BY changed_at").all(referralId) as {
      changed_at: number;
    }[];
    return rows.map((row) => row.changed_at);
  }

  async commitSync(linkKey: string, commit: SyncCommit): Promise<BaseSnapshot> {
    const now = this.clock();
    return this.tx(() => {
      const current = this.db.prepare("SELECT version FROM base_snapshots WHERE link_key = ?").get(linkKey) as
        | { version: number }
        | undefined;
      const actual = current?.version ?? null;
      if (commit.expectedVersion !== undefined && commit.expectedVersion !== actual) {
        throw new StaleBaseError(linkKey, commit.expectedVersion, actual);
      }
      const version = (actual ?? 0) + 1;
      try {
        this.db
          .prepare(
            `INSERT INTO base_snapshots (link_key, fields_json, version, saved_at, pending_push_json) VALUES (?, ?, ?, ?, NULL)
             ON CONFLICT(link_key) DO UPDATE SET fields_json = excluded.fields_json, version = excluded.version,
               saved_at = excluded.saved_at, pending_push_json = NULL`,
          )
          .run(linkKey, JSON.stringify(commit.base), version, now);
      } catch (cause) {
        if (cause instanceof Error && /FOREIGN KEY/.test(cause.message)) {
          throw new StoreError(`No link ${linkKey}: save the link before its base snapshot`, { cause });
        }
        throw cause;
      }
      this.insertAudit(linkKey, commit.audit);
      return { fields: commit.base, version, savedAt: now };
    });
  }

  private insertAudit(linkKey: string, entries: readonly AuditEntry[]): void {
    const insert = this.db.prepare("INSERT INTO audit_log (link_key, at, direction, action, detail) VALUES (?, ?, ?, ?, ?)");
    // Stored oldest first so that id order is time order; entries of one merge share a timestamp.
    for (const e of [...entries].reverse()) insert.run(linkKey, e.at, e.direction, e.action, e.detail);
  }

  async appendAudit(linkKey: string, entries: readonly AuditEntry[]): Promise<void> {
    this.tx(() => this.insertAudit(linkKey, entries));
  }

  async listAudit(linkKey: string, limit = 1000): Promise<StoredAuditEntry[]> {
    const rows = this.db
      .prepare("SELECT id, link_key, at, direction, action, detail FROM audit_log WHERE link_key = ? ORDER BY id DESC LIMIT ?")
      .all(linkKey, limit) as { id: number; link_key: string; at: string; direction: AuditEntry["direction"]; action: AuditEntry["action"]; detail: string }[];
    return rows.map((r) => ({ id: r.id, linkKey: r.link_key, at: r.at, direction: r.direction, action: r.action, detail: r.detail }));
  }

  // Jobs --------------------------------------------------------------------------------------------

  private pendingFor(linkKey: string): JobRow | undefined {
    return this.db.prepare("SELECT * FROM jobs WHERE link_key = ? AND state = 'pending'").get(linkKey) as JobRow | undefined;
  }

  private enqueueInTx(request: JobRequest, now: number): EnqueueResult {
    const runAt = request.runAt ?? now;
    const pending = this.pendingFor(request.linkKey);
    if (pending) {
      // A job waiting after a failure keeps its backoff time (it may honour Retry-After); a fresh
      // one runs at the earlier of the two times. It re-reads both records anyway.
      const next = pending.attempts > 0 ? pending.next_attempt_at : Math.min(pending.next_attempt_at, runAt);
      this.db
        .prepare(
          `UPDATE jobs SET reasons_json = ?, opportunity_id = COALESCE(?, opportunity_id), referral_id = COALESCE(?, referral_id),
             next_attempt_at = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          JSON.stringify(mergeReasons(JSON.parse(pending.reasons_json) as string[], request.reasons)),
          request.opportunityId ?? null,
          request.referralId ?? null,
          next,
          now,
          pending.id,
        );
      return { jobId: pending.id, coalesced: true };
    }
    const result = this.db
      .prepare(
        `INSERT INTO jobs (link_key, opportunity_id, referral_id, reasons_json, state, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
      )
      .run(
        request.linkKey,
        request.opportunityId ?? null,
        request.referralId ?? null,
        JSON.stringify(mergeReasons([], request.reasons)),
        runAt,
        now,
        now,
      );
    return { jobId: Number(result.lastInsertRowid), coalesced: false };
  }

  async enqueue(request: JobRequest): Promise<EnqueueResult> {
    const now = this.clock();
    return this.tx(() => this.enqueueInTx(request, now));
  }

  /**
   * Moves jobs whose worker's lease ran out back to pending (merged into a pending job of the same
   * link, if one was queued meanwhile), or to dead once they used every attempt: a job that kills
   * its worker every time must not kill every worker forever.
   */
  private recoverExpiredLeases(now: number): void {
    const expired = this.db
      .prepare("SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at <= ?")
      .all(now) as JobRow[];
    for (const job of expired) this.recoverAbandoned(job, `the worker stopped before finishing (lease expired, attempt ${job.attempts})`, now);
  }

  /** A job whose worker is gone: due again now, or dead once it used every attempt. */
  private recoverAbandoned(job: JobRow, reason: string, now: number): void {
    if (job.attempts >= this.maxAttempts) {
      this.db
        .prepare("UPDATE jobs SET state = 'dead', last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?")
        .run(job.last_error ? `${reason}; before that: ${job.last_error}` : reason, now, job.id);
      return;
    }
    this.requeue(job, { error: reason, runAt: now }, now);
  }

  async recoverLeasesOf(isGone: (workerId: string) => boolean): Promise<number> {
    const now = this.clock();
    return this.tx(() => {
      const running = this.db.prepare("SELECT * FROM jobs WHERE state = 'running'").all() as JobRow[];
      const abandoned = running.filter((job) => job.lease_owner !== null && isGone(job.lease_owner));
      for (const job of abandoned) this.recoverAbandoned(job, `the backend process stopped before finishing (attempt ${job.attempts})`, now);
      return abandoned.length;
    });
  }

  /** Back to pending, or folded into the link's pending job (keeping the higher attempt count). */
  private requeue(job: JobRow, options: RetryOptions, now: number): void {
    const pending = this.pendingFor(job.link_key);
    if (pending) {
      this.db
        .prepare(
          `UPDATE jobs SET reasons_json = ?, attempts = MAX(attempts, ?), next_attempt_at = MAX(next_attempt_at, ?),
             last_error = ?, opportunity_id = COALESCE(opportunity_id, ?), referral_id = COALESCE(referral_id, ?),
             updated_at = ? WHERE id = ?`,
        )
        .run(
          JSON.stringify(mergeReasons(JSON.parse(job.reasons_json) as string[], JSON.parse(pending.reasons_json) as string[])),
          job.attempts,
          options.runAt,
          options.error,
          job.opportunity_id,
          job.referral_id,
          now,
          pending.id,
        );
      this.db.prepare("DELETE FROM jobs WHERE id = ?").run(job.id);
      return;
    }
    this.db
      .prepare(
        `UPDATE jobs SET state = 'pending', next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL,
           updated_at = ? WHERE id = ?`,
      )
      .run(options.runAt, options.error, now, job.id);
  }

  async claimNext(options: ClaimOptions): Promise<Job | null> {
    const now = this.clock();
    return this.tx(() => {
      this.recoverExpiredLeases(now);
      const row = this.db
        .prepare(
          `SELECT * FROM jobs j WHERE j.state = 'pending' AND j.next_attempt_at <= ?
             AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.link_key = j.link_key AND r.state = 'running')
           ORDER BY j.next_attempt_at, j.id LIMIT 1`,
        )
        .get(now) as JobRow | undefined;
      if (!row) return null;
      this.db
        .prepare(
          `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?, updated_at = ?
           WHERE id = ?`,
        )
        .run(options.workerId, now + options.leaseMs, now, row.id);
      return toJob(this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(row.id) as JobRow);
    });
  }

  private runningJob(jobId: number, workerId: string): JobRow | undefined {
    return this.db.prepare("SELECT * FROM jobs WHERE id = ? AND state = 'running' AND lease_owner = ?").get(jobId, workerId) as
      | JobRow
      | undefined;
  }

  async extendLease(jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    return this.tx(() => {
      const result = this.db
        .prepare("UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ? AND lease_expires_at > ?")
        .run(now + leaseMs, now, jobId, workerId, now);
      return result.changes === 1;
    });
  }

  async complete(jobId: number, workerId: string): Promise<boolean> {
    return this.tx(() => {
      const job = this.runningJob(jobId, workerId);
      if (!job) return false;
      this.db.prepare("DELETE FROM jobs WHERE id = ?").run(jobId);
      this.db.prepare("DELETE FROM jobs WHERE link_key = ? AND state = 'dead'").run(job.link_key);
      return true;
    });
  }

  async retryLater(jobId: number, workerId: string, options: RetryOptions): Promise<boolean> {
    const now = this.clock();
    return this.tx(() => {
      const job = this.runningJob(jobId, workerId);
      if (!job) return false;
      this.requeue(job, options, now);
      return true;
    });
  }

  async deadLetter(jobId: number, workerId: string, error: string): Promise<boolean> {
    const now = this.clock();
    return this.tx(() => {
      const result = this.db
        .prepare(
          `UPDATE jobs SET state = 'dead', last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
           WHERE id = ? AND state = 'running' AND lease_owner = ?`,
        )
        .run(error, now, jobId, workerId);
      return result.changes === 1;
    });
  }

  async getJob(jobId: number): Promise<Job | null> {
    const row = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(jobId) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  async listJobs(filter: { state?: JobState; linkKey?: string } = {}): Promise<Job[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE (@state IS NULL OR state = @state) AND (@linkKey IS NULL OR link_key = @linkKey)
         ORDER BY next_attempt_at, id`,
      )
      .all({ state: filter.state ?? null, linkKey: filter.linkKey ?? null }) as JobRow[];
    return rows.map(toJob);
  }

  async countJobs(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { pending: 0, running: 0, dead: 0 };
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as { state: JobState; n: number }[];
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  // Events ------------------------------------------------------------------------------------------

  async acceptEvent(event: ProcessedEvent, job: JobRequest | null): Promise<AcceptEventResult> {
    const now = this.clock();
    return this.tx(() => {
      const seen = this.db.prepare("SELECT expires_at FROM processed_events WHERE event_key = ?").get(event.key) as
        | { expires_at: number }
        | undefined;
      if (seen && seen.expires_at > now) return { duplicate: true, enqueued: null };
      this.db
        .prepare(
          `INSERT INTO processed_events (event_key, received_at, expires_at) VALUES (?, ?, ?)
           ON CONFLICT(event_key) DO UPDATE SET received_at = excluded.received_at, expires_at = excluded.expires_at`,
        )
        .run(event.key, now, now + event.ttlMs);
      return { duplicate: false, enqueued: job ? this.enqueueInTx(job, now) : null };
    });
  }

  async purgeExpiredEvents(): Promise<number> {
    const now = this.clock();
    return this.tx(() => this.db.prepare("DELETE FROM processed_events WHERE expires_at <= ?").run(now).changes);
  }

  // Watermarks --------------------------------------------------------------------------------------

  async getWatermark(name: string): Promise<string | null> {
    const row = this.db.prepare("SELECT value FROM watermarks WHERE name = ?").get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    const now = this.clock();
    this.tx(() =>
      this.db
        .prepare(
          `INSERT INTO watermarks (name, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        )
        .run(name, value, now),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export function openSqliteSyncStore(options: SqliteSyncStoreOptions): SyncStore {
  return SqliteSyncStore.open(options);
}
