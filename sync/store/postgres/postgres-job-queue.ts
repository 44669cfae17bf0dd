/**
 * The job queue of the PostgreSQL store: the same rules as the SQLite store's (coalescing, one
 * running job per link, leases, dead-letter), made safe for several processes:
 * - Every path that can create a link's pending job (enqueue, a requeue) first takes a transaction
 *   advisory lock on the link, so coalescing never races; the partial unique indexes back it up.
 * - claimNext locks its row with FOR UPDATE SKIP LOCKED: concurrent claimers take different jobs
 *   without waiting on each other. A claim that would break "one running job per link" hits the
 *   unique index and is retried on the next candidate, never run twice.
 * - Recovery of abandoned jobs only takes link locks it can get at once (pg_try_advisory_xact_lock),
 *   so two instances recovering in different orders cannot deadlock; a link skipped is recovered by
 *   whoever holds it or by the next claim.
 * Why not graphile-worker or pg-boss: both own their job table and semantics (singleton keys, no
 * "fold a retry into the pending job keeping its backoff", no per-link exclusion with a waiting
 * successor); rebuilding these rules on top would be more code than the queries below.
 */
import type pg from "pg";
import type { ClaimOptions, EnqueueResult, Job, JobRequest, JobState, RetryOptions } from "../sync-store";
import { mergeReasons, toJob, type JobRow } from "../store-rows";
import { inTransaction, sqlState } from "./pg-pool";

type Db = pg.Pool | pg.PoolClient;

const LINK_LOCK = "SELECT pg_advisory_xact_lock(hashtext('cosell:job:' || $1))";
const TRY_LINK_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('cosell:job:' || $1)) AS locked";

/** How many candidates one claim tries when others win the race for them. */
const CLAIM_ROUNDS = 5;

export class PostgresJobQueue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => number,
    private readonly maxAttempts: number,
  ) {}

  private async pendingFor(client: Db, linkKey: string): Promise<JobRow | undefined> {
    return (await client.query<JobRow>("SELECT * FROM jobs WHERE link_key = $1 AND state = 'pending' FOR UPDATE", [linkKey])).rows[0];
  }

  /** Inside the caller's transaction (acceptEvent uses it too). */
  async enqueueIn(client: pg.PoolClient, request: JobRequest, now: number): Promise<EnqueueResult> {
    await client.query(LINK_LOCK, [request.linkKey]);
    const runAt = request.runAt ?? now;
    const pending = await this.pendingFor(client, request.linkKey);
    if (pending) {
      // As in SQLite: a job waiting after a failure keeps its backoff; a fresh one runs at the earlier time.
      const next = pending.attempts > 0 ? pending.next_attempt_at : Math.min(pending.next_attempt_at, runAt);
      await client.query(
        `UPDATE jobs SET reasons_json = $1, opportunity_id = COALESCE($2, opportunity_id), referral_id = COALESCE($3, referral_id),
           next_attempt_at = $4, updated_at = $5 WHERE id = $6`,
        [
          JSON.stringify(mergeReasons(JSON.parse(pending.reasons_json) as string[], request.reasons)),
          request.opportunityId ?? null,
          request.referralId ?? null,
          next,
          now,
          pending.id,
        ],
      );
      return { jobId: pending.id, coalesced: true };
    }
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO jobs (link_key, opportunity_id, referral_id, reasons_json, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $7) RETURNING id`,
      [request.linkKey, request.opportunityId ?? null, request.referralId ?? null, JSON.stringify(mergeReasons([], request.reasons)), runAt, now, now],
    );
    return { jobId: inserted.rows[0]!.id, coalesced: false };
  }

  async enqueue(request: JobRequest): Promise<EnqueueResult> {
    const now = this.clock();
    return inTransaction(this.pool, (client) => this.enqueueIn(client, request, now));
  }

  /** Back to pending, or folded into the link's pending job (keeping the higher attempt count). Caller holds the link lock. */
  private async requeue(client: pg.PoolClient, job: JobRow, options: RetryOptions, now: number): Promise<void> {
    const pending = await this.pendingFor(client, job.link_key);
    if (pending) {
      await client.query(
        `UPDATE jobs SET reasons_json = $1, attempts = GREATEST(attempts, $2), next_attempt_at = GREATEST(next_attempt_at, $3),
           last_error = $4, opportunity_id = COALESCE(opportunity_id, $5), referral_id = COALESCE(referral_id, $6),
           updated_at = $7 WHERE id = $8`,
        [
          JSON.stringify(mergeReasons(JSON.parse(job.reasons_json) as string[], JSON.parse(pending.reasons_json) as string[])),
          job.attempts,
          options.runAt,
          options.error,
          job.opportunity_id,
          job.referral_id,
          now,
          pending.id,
        ],
      );
      await client.query("DELETE FROM jobs WHERE id = $1", [job.id]);
      return;
    }
    await client.query(
      `UPDATE jobs SET state = 'pending', next_attempt_at = $1, last_error = $2, lease_owner = NULL, lease_expires_at = NULL,
         updated_at = $3 WHERE id = $4`,
      [options.runAt, options.error, now, job.id],
    );
  }

  /** A job whose worker is gone: due again now, or dead once it used every attempt. False: its link is busy elsewhere, left for later. */
  private async recoverAbandoned(client: pg.PoolClient, job: JobRow, reason: string, now: number): Promise<boolean> {
    const locked = (await client.query<{ locked: boolean }>(TRY_LINK_LOCK, [job.link_key])).rows[0]?.locked === true;
    if (!locked) return false;
    if (job.attempts >= this.maxAttempts) {
      await client.query("UPDATE jobs SET state = 'dead', last_error = $1, lease_owner = NULL, lease_expires_at = NULL, updated_at = $2 WHERE id = $3", [
        job.last_error ? `${reason}; before that: ${job.last_error}` : reason,
        now,
        job.id,
      ]);
      return true;
    }
    await this.requeue(client, job, { error: reason, runAt: now }, now);
    return true;
  }

  private async recoverExpiredLeases(client: pg.PoolClient, now: number): Promise<void> {
    const expired = await client.query<JobRow>(
      "SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at <= $1 ORDER BY id FOR UPDATE SKIP LOCKED",
      [now],
    );
    for (const job of expired.rows) {
      await this.recoverAbandoned(client, job, `the worker stopped before finishing (lease expired, attempt ${job.attempts})`, now);
    }
  }

  async recoverLeasesOf(isGone: (workerId: string) => boolean): Promise<number> {
    const now = this.clock();
    return inTransaction(this.pool, async (client) => {
      const running = await client.query<JobRow>("SELECT * FROM jobs WHERE state = 'running' ORDER BY id FOR UPDATE SKIP LOCKED");
      let recovered = 0;
      for (const job of running.rows) {
        if (job.lease_owner === null || !isGone(job.lease_owner)) continue;
        if (await this.recoverAbandoned(client, job, `the backend process stopped before finishing (attempt ${job.attempts})`, now)) recovered++;
      }
      return recovered;
    });
  }

  /** Each round is one transaction: expired leases recovered, then the next job claimed. */
  async claimNext(options: ClaimOptions): Promise<Job | null> {
    const now = this.clock();
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      try {
        return await inTransaction(this.pool, async (client) => {
          await this.recoverExpiredLeases(client, now);
          const candidate = await client.query<JobRow>(
            `SELECT * FROM jobs j WHERE j.state = 'pending' AND j.next_attempt_at <= $1
               AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.link_key = j.link_key AND r.state = 'running')
             ORDER BY j.next_attempt_at, j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED`,
            [now],
          );
          const row = candidate.rows[0];
          if (!row) return null;
          const claimed = await client.query<JobRow>(
            `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_expires_at = $2, updated_at = $3
             WHERE id = $4 RETURNING *`,
            [options.workerId, now + options.leaseMs, now, row.id],
          );
          return toJob(claimed.rows[0]!);
        });
      } catch (error) {
        // Another instance started this link's job between our read and our claim: the unique index
        // refused a second running job. Look again (the link is now excluded).
        if (sqlState(error) === "23505") continue;
        throw error;
      }
    }
    return null;
  }

  async extendLease(jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    const result = await this.pool.query(
      "UPDATE jobs SET lease_expires_at = $1, updated_at = $2 WHERE id = $3 AND state = 'running' AND lease_owner = $4 AND lease_expires_at > $5",
      [now + leaseMs, now, jobId, workerId, now],
    );
    return result.rowCount === 1;
  }

  async complete(jobId: number, workerId: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const done = await client.query<{ link_key: string }>(
        "DELETE FROM jobs WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING link_key",
        [jobId, workerId],
      );
      const linkKey = done.rows[0]?.link_key;
      if (linkKey === undefined) return false;
      await client.query("DELETE FROM jobs WHERE link_key = $1 AND state = 'dead'", [linkKey]);
      return true;
    });
  }

  async retryLater(jobId: number, workerId: string, options: RetryOptions): Promise<boolean> {
    const now = this.clock();
    return inTransaction(this.pool, async (client) => {
      const job = (await client.query<JobRow>("SELECT * FROM jobs WHERE id = $1 AND state = 'running' AND lease_owner = $2 FOR UPDATE", [jobId, workerId]))
        .rows[0];
      if (!job) return false;
      await client.query(LINK_LOCK, [job.link_key]);
      await this.requeue(client, job, options, now);
      return true;
    });
  }

  async deadLetter(jobId: number, workerId: string, error: string): Promise<boolean> {
    const now = this.clock();
    const result = await this.pool.query(
      `UPDATE jobs SET state = 'dead', last_error = $1, lease_owner = NULL, lease_expires_at = NULL, updated_at = $2
       WHERE id = $3 AND state = 'running' AND lease_owner = $4`,
      [error, now, jobId, workerId],
    );
    return result.rowCount === 1;
  }

  async getJob(jobId: number): Promise<Job | null> {
    const row = (await this.pool.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [jobId])).rows[0];
    return row ? toJob(row) : null;
  }

  async listJobs(filter: { state?: JobState; linkKey?: string } = {}): Promise<Job[]> {
    const rows = await this.pool.query<JobRow>(
      `SELECT * FROM jobs WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR link_key = $2) ORDER BY next_attempt_at, id`,
      [filter.state ?? null, filter.linkKey ?? null],
    );
    return rows.rows.map(toJob);
  }

  async countJobs(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { pending: 0, running: 0, dead: 0 };
    const rows = await this.pool.query<{ state: JobState; n: number }>("SELECT state, COUNT(*)::int AS n FROM jobs GROUP BY state");
    for (const r of rows.rows) counts[r.state] = r.n;
    return counts;
  }
}
