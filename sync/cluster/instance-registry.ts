/**
 * The table of instances sharing the database (for `doctor`, the live-instance gauge and takeover).
 * A row is live while the session it names (pid + backend start) is in pg_stat_activity: a killed
 * process's session ends with its socket, so the others see it gone at once, with no lease to wait.
 */
import type pg from "pg";

export const INSTANCES_TABLE = "cosell_instances";

/** After the server itself restarted, every session is new: give instances this long to come back. */
export const SERVER_RESTART_GRACE_MS = 15_000;

export interface InstanceRow {
  readonly instanceId: string;
  readonly version: string;
  readonly startedAt: Date;
  readonly lastSeenAt: Date;
  /** Its session is in pg_stat_activity now. */
  readonly live: boolean;
  /** Not live, and not excused by a server restart in the last SERVER_RESTART_GRACE_MS: its jobs can be taken over. */
  readonly gone: boolean;
  /** When its running jobs were taken over (null: not yet, or it is live). */
  readonly takenOverAt: Date | null;
}

type Queryable = Pick<pg.ClientBase, "query">;

/** Creates the table once; concurrent starts of several instances wait on a transaction lock. */
export async function ensureInstancesTable(db: Queryable): Promise<void> {
  await db.query("BEGIN");
  try {
    await db.query("SELECT pg_advisory_xact_lock(7302011)");
    await db.query(`CREATE TABLE IF NOT EXISTS ${INSTANCES_TABLE} (
      instance_id text PRIMARY KEY,
      version text NOT NULL,
      started_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      session_pid integer NOT NULL,
      session_started_at timestamptz NOT NULL,
      taken_over_at timestamptz
    )`);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Registers (or re-registers after a reconnect) the instance under the session running this query. */
export async function registerInstance(db: Queryable, instance: { instanceId: string; version: string; startedAt: Date }): Promise<void> {
  await db.query(
    `INSERT INTO ${INSTANCES_TABLE} (instance_id, version, started_at, last_seen_at, session_pid, session_started_at, taken_over_at)
     SELECT $1, $2, $3, now(), a.pid, a.backend_start, NULL FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()
     ON CONFLICT (instance_id) DO UPDATE SET version = EXCLUDED.version, started_at = EXCLUDED.started_at, last_seen_at = now(),
       session_pid = EXCLUDED.session_pid, session_started_at = EXCLUDED.session_started_at, taken_over_at = NULL`,
    [instance.instanceId, instance.version, instance.startedAt],
  );
}

export async function touchInstance(db: Queryable, instanceId: string): Promise<void> {
  await db.query(`UPDATE ${INSTANCES_TABLE} SET last_seen_at = now() WHERE instance_id = $1`, [instanceId]);
}

/** A cleanly stopped instance leaves no running job behind: it leaves the table. */
export async function removeInstance(db: Queryable, instanceId: string): Promise<void> {
  await db.query(`DELETE FROM ${INSTANCES_TABLE} WHERE instance_id = $1`, [instanceId]);
}

export async function listInstances(db: Queryable): Promise<InstanceRow[]> {
  const { rows } = await db.query<{
    instance_id: string;
    version: string;
    started_at: Date;
    last_seen_at: Date;
    live: boolean;
    excused: boolean;
    taken_over_at: Date | null;
  }>(
    `SELECT i.instance_id, i.version, i.started_at, i.last_seen_at, i.taken_over_at,
            EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = i.session_pid AND a.backend_start = i.session_started_at) AS live,
            (i.session_started_at < pg_postmaster_start_time() AND now() - pg_postmaster_start_time() < $1 * interval '1 millisecond') AS excused
       FROM ${INSTANCES_TABLE} i ORDER BY i.started_at`,
    [SERVER_RESTART_GRACE_MS],
  );
  return rows.map((row) => ({
    instanceId: row.instance_id,
    version: row.version,
    startedAt: row.started_at,
    lastSeenAt: row.last_seen_at,
    live: row.live,
    gone: !row.live && !row.excused,
    takenOverAt: row.taken_over_at,
  }));
}

export async function markTakenOver(db: Queryable, instanceIds: readonly string[]): Promise<void> {
  await db.query(`UPDATE ${INSTANCES_TABLE} SET taken_over_at = now() WHERE instance_id = ANY($1::text[]) AND taken_over_at IS NULL`, [instanceIds]);
}

/** Rows of instances gone (and taken over) for more than a day: nothing left to learn from them. */
export async function forgetOldInstances(db: Queryable): Promise<number> {
  const result = await db.query(`DELETE FROM ${INSTANCES_TABLE} WHERE taken_over_at < now() - interval '1 day'`);
  return result.rowCount ?? 0;
}
