/**
 * "One pair, one job at a time" (LinkSyncHandler), across every instance that shares the store.
 * In memory for SQLite (one process); over PostgreSQL, a session-level advisory lock per key on the
 * instance's lock session, so a lock dies with the process that held it and a waiter gets it at once.
 */
import { KeyedLock } from "../worker/keyed-lock";
import { advisoryKey, type LockNamespace } from "./advisory-keys";
import type { DedicatedSession } from "./dedicated-session";

export interface PairLocks {
  /** Runs `work` while no other job (in this process or another instance) holds `key`. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** One process: the keyed promise chain is the whole lock. */
export class InMemoryPairLocks implements PairLocks {
  private readonly lock = new KeyedLock();
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.lock.run(key, work);
  }
}

/** Another instance held the key for longer than a job may wait: the job is retried later. */
export class PairLockTimeoutError extends Error {
  readonly retryable = true;
  constructor(key: string, waitedMs: number) {
    super(`another instance kept ${key} locked for ${Math.round(waitedMs / 1000)} s; the job will be retried`);
    this.name = "PairLockTimeoutError";
  }
}

export interface PgPairLocksOptions {
  namespace: LockNamespace;
  /** How long a job waits for a key another instance holds before it is retried (default 2 min). */
  maxWaitMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Jobs of this process queue in memory first (session locks are re-entrant: two jobs of one process
 * on the same session would both "get" the key), then the holder polls pg_try_advisory_lock on the
 * shared session: a blocking pg_advisory_lock would stall every other job's lock calls behind it.
 */
export class PgPairLocks implements PairLocks {
  private readonly local = new KeyedLock();
  private readonly maxWaitMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly session: DedicatedSession,
    private readonly options: PgPairLocksOptions,
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 120_000;
    this.pollMs = options.pollMs ?? 20;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const lockKey = advisoryKey(this.options.namespace, key);
      const generation = await this.acquire(key, lockKey);
      try {
        return await work();
      } finally {
        await this.release(lockKey, generation);
      }
    });
  }

  private async acquire(key: string, lockKey: string): Promise<number> {
    const started = Date.now();
    for (let wait = this.pollMs; ; wait = Math.min(wait * 2, 250)) {
      if (this.session.isUp) {
        const generation = this.session.generation;
        try {
          const { rows } = await this.session.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [lockKey]);
          if (rows[0]?.ok) return generation;
        } catch {
          // the session dropped: wait for it to come back (the instance takes no new work meanwhile)
        }
      }
      if (Date.now() - started > this.maxWaitMs) throw new PairLockTimeoutError(key, Date.now() - started);
      await sleep(wait);
    }
  }

  private async release(lockKey: string, generation: number): Promise<void> {
    // A lock of an older session ended with it: there is nothing left to unlock.
    if (!this.session.isUp || this.session.generation !== generation) return;
    await this.session.query("SELECT pg_advisory_unlock($1::bigint)", [lockKey]).catch(() => undefined);
  }
}
