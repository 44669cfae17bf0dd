/**
 * SyncStore on PostgreSQL (node-postgres `pg`), for several service instances sharing one database
 * (STORE_URL=postgres://…). A faithful port of sqlite-sync.store.ts: same tables, same JSON, same
 * rules; where SQLite relied on its single writer (BEGIN IMMEDIATE), this relies on row locks,
 * upserts and per-link advisory locks, so concurrent callers in different processes stay correct.
 * Jobs live in postgres-job-queue.ts.
 *
 * The constructor does no I/O: the schema is migrated on first use (or by `ready()`, which
 * openSyncStore awaits), so the service can compose itself synchronously.
 */
import type pg from "pg";
import type { AuditEntry } from "../../engine/audit-trail";
import type { LinkFieldClocks } from "../../engine/field-clock";
import { MappedFieldsSchema, type MappedFields } from "../../engine/mapped-fields";
import { LinkConflictError, StaleBaseError, StoreError } from "../store-errors";
import { readFieldClocks, readPendingPush, toLink, type LinkRow } from "../store-rows";
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
} from "../sync-store";
import { REFERRAL_CHANGES_KEPT } from "../sync-store";
import { createPgPool, inTransaction, redactedUrl, sqlState, violatedConstraint } from "./pg-pool";
import { migratePostgres } from "./pg-migration-runner";
import { PostgresJobQueue } from "./postgres-job-queue";

export interface PostgresSyncStoreOptions {
  /** postgres://user:password@host:5432/database (add ?sslmode=require for Azure). */
  readonly url: string;
  /** Schema to keep the tables in (tests use a fresh one each); default: the server's search_path. */
  readonly schema?: string;
  readonly maxAttempts?: number;
  readonly clock?: () => number;
  /** Pool size; default 10. */
  readonly maxConnections?: number;
  /** Told when the server ends a connection (see createPgPool). */
  readonly onConnectionLost?: (error: Error) => void;
}

/** Serializes the link's clock updates and base commits across instances without blocking FK checks. */
const LOCK_LINK_ROW = "SELECT 1 FROM links WHERE link_key = $1 FOR NO KEY UPDATE";

export class PostgresSyncStore implements SyncStore {
  private readonly pool: pg.Pool;
  private readonly clock: () => number;
  private readonly jobs: PostgresJobQueue;
  private readonly migrated: Promise<void>;
  private closed = false;

  constructor(options: PostgresSyncStoreOptions) {
    this.pool = createPgPool({ url: options.url, schema: options.schema, max: options.maxConnections, onConnectionLost: options.onConnectionLost });
    this.clock = options.clock ?? Date.now;
    this.jobs = new PostgresJobQueue(() => this.db(), this.clock, options.maxAttempts ?? 8);
    this.migrated = migratePostgres(this.pool, { schema: options.schema, now: options.clock }).then(
      () => undefined,
      (cause: unknown) => {
        if (cause instanceof StoreError) throw cause;
        throw new StoreError(`Cannot open the sync database at ${redactedUrl(options.url)}: ${(cause as Error).message}`, { cause });
      },
    );
    // The failure is reported to every caller (and by ready()); it must not also crash the process as unhandled.
    this.migrated.catch(() => undefined);
  }

  /** Resolves once the schema is migrated; rejects with the reason the database cannot be used. */
  async ready(): Promise<this> {
    await this.migrated;
    return this;
  }

  /**
   * The connection pool, for the multi-instance code (sync/cluster: advisory pair locks, liveness)
   * and for tests. Not for store data: everything about links and jobs goes through the methods.
   */
  get pgPool(): pg.Pool {
    return this.pool;
  }

  private async db(): Promise<pg.Pool> {
    await this.migrated;
    return this.pool;
  }

  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(await this.db(), work);
  }

  // Links -------------------------------------------------------------------------------------------

  private async oneLink(where: string, value: string): Promise<LinkRecord | null> {
    const row = (await (await this.db()).query<LinkRow>(`SELECT * FROM links WHERE ${where}`, [value])).rows[0];
    return row ? toLink(row) : null;
  }

  async getLink(key: string): Promise<LinkRecord | null> {
    return this.oneLink("link_key = $1", key);
  }

  async findLinkByOpportunityId(opportunityId: string): Promise<LinkRecord | null> {
    return this.oneLink("lower(opportunity_id) = lower($1)", opportunityId);
  }

  async findLinkByReferralId(referralId: string): Promise<LinkRecord | null> {
    return this.oneLink("lower(referral_id) = lower($1)", referralId);
  }

  async saveLink(update: LinkUpdate): Promise<LinkRecord> {
    const now = this.clock();
    // One statement: a field left undefined keeps its stored value ($n::boolean says "set it").
    const given = (value: unknown) => value !== undefined;
    try {
      const row = (
        await (await this.db()).query<LinkRow>(
          `INSERT INTO links (link_key, opportunity_id, referral_id, account_id, microsoft_invited_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6)
           ON CONFLICT (link_key) DO UPDATE SET
             opportunity_id = CASE WHEN $7::boolean THEN excluded.opportunity_id ELSE links.opportunity_id END,
             referral_id = CASE WHEN $8::boolean THEN excluded.referral_id ELSE links.referral_id END,
             account_id = CASE WHEN $9::boolean THEN excluded.account_id ELSE links.account_id END,
             microsoft_invited_at = CASE WHEN $10::boolean THEN excluded.microsoft_invited_at ELSE links.microsoft_invited_at END,
             updated_at = excluded.updated_at
           RETURNING *`,
          [
            update.key,
            update.opportunityId ?? null,
            update.referralId ?? null,
            update.accountId ?? null,
            update.microsoftInvitedAt ?? null,
            now,
            given(update.opportunityId),
            given(update.referralId),
            given(update.accountId),
            given(update.microsoftInvitedAt),
          ],
        )
      ).rows[0]!;
      return toLink(row);
    } catch (cause) {
      const constraint = sqlState(cause) === "23505" ? violatedConstraint(cause) : null;
      if (constraint === "links_opportunity_id" || constraint === "links_referral_id") {
        const which = constraint === "links_opportunity_id" ? `opportunity ${update.opportunityId}` : `referral ${update.referralId}`;
        throw new LinkConflictError(update.key, `The ${which} is already linked to another record; not linking it twice`, { cause });
      }
      throw cause;
    }
  }

  async deleteLink(key: string): Promise<void> {
    await (await this.db()).query("DELETE FROM links WHERE link_key = $1", [key]);
  }

  // Base + audit ------------------------------------------------------------------------------------

  async getBase(linkKey: string): Promise<BaseSnapshot | null> {
    const row = (
      await (await this.db()).query<{ fields_json: string; version: number; saved_at: number; pending_push_json: string | null }>(
        "SELECT fields_json, version, saved_at, pending_push_json FROM base_snapshots WHERE link_key = $1",
        [linkKey],
      )
    ).rows[0];
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
    const db = await this.db();
    const changed = await db.query("UPDATE base_snapshots SET pending_push_json = $1 WHERE link_key = $2 AND version = $3", [
      JSON.stringify(push),
      linkKey,
      expectedVersion,
    ]);
    if (changed.rowCount === 0) {
      const current = (await db.query<{ version: number }>("SELECT version FROM base_snapshots WHERE link_key = $1", [linkKey])).rows[0];
      throw new StaleBaseError(linkKey, expectedVersion, current?.version ?? null);
    }
  }

  async updateFieldClocks(linkKey: string, update: (current: LinkFieldClocks | null) => LinkFieldClocks): Promise<LinkFieldClocks> {
    return this.tx(async (client) => {
      const linked = (await client.query(LOCK_LINK_ROW, [linkKey])).rowCount === 1;
      const row = (await client.query<{ clocks_json: string }>("SELECT clocks_json FROM field_clocks WHERE link_key = $1", [linkKey])).rows[0];
      const next = update(row ? readFieldClocks(row.clocks_json) : null);
      if (linked) {
        await client.query(
          `INSERT INTO field_clocks (link_key, clocks_json, saved_at) VALUES ($1, $2, $3)
           ON CONFLICT (link_key) DO UPDATE SET clocks_json = excluded.clocks_json, saved_at = excluded.saved_at`,
          [linkKey, JSON.stringify(next), this.clock()],
        );
      }
      return next;
    });
  }

  async recordColumnChanges(opportunityId: string, columns: readonly string[], at: number): Promise<void> {
    if (columns.length === 0) return;
    await (await this.db()).query(
      `INSERT INTO column_changes (opportunity_id, column_name, changed_at)
       SELECT $1, column_name, $3 FROM unnest($2::text[]) AS column_name
       ON CONFLICT (opportunity_id, column_name) DO UPDATE SET changed_at = GREATEST(column_changes.changed_at, excluded.changed_at)`,
      [opportunityId.toLowerCase(), [...new Set(columns)], at],
    );
  }

  async columnChangeTimes(opportunityId: string): Promise<Record<string, number>> {
    const rows = await (await this.db()).query<{ column_name: string; changed_at: number }>(
      "SELECT column_name, changed_at FROM column_changes WHERE opportunity_id = $1",
      [opportunityId.toLowerCase()],
    );
    return Object.fromEntries(rows.rows.map((row) => [row.column_name, row.changed_at]));
  }

  async claimReferralNotification(referralId: string, opportunityId: string): Promise<boolean> {
    const now = this.clock();
    const inserted = await (await this.db()).query(
      `INSERT INTO referral_notifications (referral_id, opportunity_id, state, created_at, updated_at)
       VALUES ($1, $2, 'sending', $3, $3) ON CONFLICT (referral_id) DO NOTHING`,
      [referralId, opportunityId, now],
    );
    return inserted.rowCount === 1;
  }

  async finishReferralNotification(referralId: string, outcome: { state: "sent" | "failed"; attempts: number; error?: string }): Promise<void> {
    await (await this.db()).query(
      "UPDATE referral_notifications SET state = $1, attempts = $2, last_error = $3, updated_at = $4 WHERE referral_id = $5",
      [outcome.state, outcome.attempts, outcome.error ?? null, this.clock(), referralId],
    );
  }

  async getReferralNotification(referralId: string): Promise<ReferralNotification | null> {
    const row = (
      await (await this.db()).query<{
        referral_id: string;
        opportunity_id: string;
        state: ReferralNotification["state"];
        attempts: number;
        last_error: string | null;
        updated_at: number;
      }>("SELECT * FROM referral_notifications WHERE referral_id = $1", [referralId])
    ).rows[0];
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
    await this.tx(async (client) => {
      // One writer per referral at a time, so the trim below keeps exactly the newest REFERRAL_CHANGES_KEPT.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('cosell:referral-changes:' || $1))", [referralId]);
      await client.query(
        `INSERT INTO referral_changes (referral_id, changed_at, ours) VALUES ($1, $2, $3)
         ON CONFLICT (referral_id, changed_at) DO UPDATE SET ours = referral_changes.ours OR excluded.ours`,
        [referralId, at, ours],
      );
      await client.query(
        `DELETE FROM referral_changes WHERE referral_id = $1 AND changed_at < (
           SELECT changed_at FROM referral_changes WHERE referral_id = $1 ORDER BY changed_at DESC LIMIT 1 OFFSET $2)`,
        [referralId, REFERRAL_CHANGES_KEPT - 1],
      );
    });
  }

  async referralChangeTimes(referralId: string): Promise<number[]> {
    const rows = await (await this.db()).query<{ changed_at: number }>(
      "SELECT changed_at FROM referral_changes WHERE referral_id = $1 AND NOT ours ORDER BY changed_at",
      [referralId],
    );
    return rows.rows.map((row) => row.changed_at);
  }

  async commitSync(linkKey: string, commit: SyncCommit): Promise<BaseSnapshot> {
    const now = this.clock();
    return this.tx(async (client) => {
      // The link row lock orders every commit of the link, across instances, before the version check.
      if ((await client.query(LOCK_LINK_ROW, [linkKey])).rowCount !== 1) {
        throw new StoreError(`No link ${linkKey}: save the link before its base snapshot`);
      }
      const current = (await client.query<{ version: number }>("SELECT version FROM base_snapshots WHERE link_key = $1", [linkKey])).rows[0];
      const actual = current?.version ?? null;
      if (commit.expectedVersion !== undefined && commit.expectedVersion !== actual) {
        throw new StaleBaseError(linkKey, commit.expectedVersion, actual);
      }
      const version = (actual ?? 0) + 1;
      await client.query(
        `INSERT INTO base_snapshots (link_key, fields_json, version, saved_at, pending_push_json) VALUES ($1, $2, $3, $4, NULL)
         ON CONFLICT (link_key) DO UPDATE SET fields_json = excluded.fields_json, version = excluded.version,
           saved_at = excluded.saved_at, pending_push_json = NULL`,
        [linkKey, JSON.stringify(commit.base), version, now],
      );
      await insertAudit(client, linkKey, commit.audit);
      return { fields: commit.base, version, savedAt: now };
    });
  }

  async appendAudit(linkKey: string, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.tx((client) => insertAudit(client, linkKey, entries));
  }

  async listAudit(linkKey: string, limit = 1000): Promise<StoredAuditEntry[]> {
    const rows = await (await this.db()).query<{ id: number; link_key: string; at: string; direction: AuditEntry["direction"]; action: AuditEntry["action"]; detail: string }>(
      "SELECT id, link_key, at, direction, action, detail FROM audit_log WHERE link_key = $1 ORDER BY id DESC LIMIT $2",
      [linkKey, limit],
    );
    return rows.rows.map((r) => ({ id: r.id, linkKey: r.link_key, at: r.at, direction: r.direction, action: r.action, detail: r.detail }));
  }

  // Jobs --------------------------------------------------------------------------------------------

  enqueue(request: JobRequest): Promise<EnqueueResult> {
    return this.jobs.enqueue(request);
  }
  claimNext(options: ClaimOptions): Promise<Job | null> {
    return this.jobs.claimNext(options);
  }
  extendLease(jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
    return this.jobs.extendLease(jobId, workerId, leaseMs);
  }
  recoverLeasesOf(isGone: (workerId: string) => boolean): Promise<number> {
    return this.jobs.recoverLeasesOf(isGone);
  }
  complete(jobId: number, workerId: string): Promise<boolean> {
    return this.jobs.complete(jobId, workerId);
  }
  retryLater(jobId: number, workerId: string, options: RetryOptions): Promise<boolean> {
    return this.jobs.retryLater(jobId, workerId, options);
  }
  deadLetter(jobId: number, workerId: string, error: string): Promise<boolean> {
    return this.jobs.deadLetter(jobId, workerId, error);
  }
  getJob(jobId: number): Promise<Job | null> {
    return this.jobs.getJob(jobId);
  }
  listJobs(filter?: { state?: JobState; linkKey?: string }): Promise<Job[]> {
    return this.jobs.listJobs(filter);
  }
  countJobs(): Promise<Record<JobState, number>> {
    return this.jobs.countJobs();
  }

  // Events ------------------------------------------------------------------------------------------

  async acceptEvent(event: ProcessedEvent, job: JobRequest | null): Promise<AcceptEventResult> {
    const now = this.clock();
    return this.tx(async (client) => {
      // The upsert is the dedupe: a concurrent delivery of the same key waits on this row and then
      // finds it unexpired (no row returned), so only one instance enqueues.
      const recorded = await client.query(
        `INSERT INTO processed_events (event_key, received_at, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (event_key) DO UPDATE SET received_at = excluded.received_at, expires_at = excluded.expires_at
           WHERE processed_events.expires_at <= $2
         RETURNING event_key`,
        [event.key, now, now + event.ttlMs],
      );
      if (recorded.rowCount === 0) return { duplicate: true, enqueued: null };
      return { duplicate: false, enqueued: job ? await this.jobs.enqueueIn(client, job, now) : null };
    });
  }

  async purgeExpiredEvents(): Promise<number> {
    const result = await (await this.db()).query("DELETE FROM processed_events WHERE expires_at <= $1", [this.clock()]);
    return result.rowCount ?? 0;
  }

  // Watermarks --------------------------------------------------------------------------------------

  async getWatermark(name: string): Promise<string | null> {
    const row = (await (await this.db()).query<{ value: string }>("SELECT value FROM watermarks WHERE name = $1", [name])).rows[0];
    return row?.value ?? null;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    await (await this.db()).query(
      `INSERT INTO watermarks (name, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [name, value, this.clock()],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.migrated.catch(() => undefined);
    await this.pool.end();
  }
}

async function insertAudit(client: pg.PoolClient, linkKey: string, entries: readonly AuditEntry[]): Promise<void> {
  // Stored oldest first so that id order is time order (as in SQLite); one statement, rows in order.
  const ordered = [...entries].reverse();
  if (ordered.length === 0) return;
  await client.query(
    `INSERT INTO audit_log (link_key, at, direction, action, detail)
     SELECT $1, e.at, e.direction, e.action, e.detail
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(at, direction, action, detail, n) ORDER BY e.n`,
    [linkKey, ordered.map((e) => e.at), ordered.map((e) => e.direction), ordered.map((e) => e.action), ordered.map((e) => e.detail)],
  );
}
