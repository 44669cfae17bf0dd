/**
 * Copies a SQLite store into an empty PostgreSQL one (`cosell store migrate`): links, bases, field
 * clocks, change times, jobs, audit, watermarks, notifications and the delivery keys still valid.
 * One PostgreSQL transaction: the target is empty before and complete after, never half-filled; the
 * counts are checked inside it, so a mismatch rolls everything back. Ids of jobs and audit lines are
 * kept (audit order is id order) and the identity sequences moved past them.
 * The service on the SQLite file must be stopped first: a job it is running is copied as pending
 * (its worker will not come back), unless the link already has a pending job, which covers it.
 */
import type { Database } from "better-sqlite3";
import type pg from "pg";
import { StoreError } from "../store-errors";

interface CopiedTable {
  readonly table: string;
  readonly columns: readonly string[];
  /** The SQLite query giving the rows to copy, columns in order. */
  readonly select: (now: number) => { sql: string; params: unknown[] };
  /** Identity column whose values are kept (OVERRIDING SYSTEM VALUE) and whose sequence is moved on. */
  readonly identity?: string;
  readonly convert?: (row: unknown[]) => unknown[];
}

const all = (table: string, columns: readonly string[], order: string): CopiedTable["select"] => () => ({
  sql: `SELECT ${columns.join(", ")} FROM ${table} ORDER BY ${order}`,
  params: [],
});

const JOB_COLUMNS = ["id", "link_key", "opportunity_id", "referral_id", "reasons_json", "state", "attempts", "next_attempt_at", "last_error", "lease_owner", "lease_expires_at", "created_at", "updated_at"];

/** In dependency order (links before what references them). */
const TABLES: readonly CopiedTable[] = [
  { table: "links", columns: ["link_key", "opportunity_id", "referral_id", "account_id", "microsoft_invited_at", "created_at", "updated_at"], select: all("links", ["link_key", "opportunity_id", "referral_id", "account_id", "microsoft_invited_at", "created_at", "updated_at"], "link_key") },
  { table: "base_snapshots", columns: ["link_key", "fields_json", "version", "saved_at", "pending_push_json"], select: all("base_snapshots", ["link_key", "fields_json", "version", "saved_at", "pending_push_json"], "link_key") },
  { table: "field_clocks", columns: ["link_key", "clocks_json", "saved_at"], select: all("field_clocks", ["link_key", "clocks_json", "saved_at"], "link_key") },
  {
    table: "jobs",
    columns: JOB_COLUMNS,
    identity: "id",
    // Running jobs become pending (no lease): their worker was in the stopped service.
    select: () => ({
      sql: `SELECT id, link_key, opportunity_id, referral_id, reasons_json,
              CASE state WHEN 'running' THEN 'pending' ELSE state END, attempts, next_attempt_at, last_error,
              CASE state WHEN 'running' THEN NULL ELSE lease_owner END, CASE state WHEN 'running' THEN NULL ELSE lease_expires_at END,
              created_at, updated_at
            FROM jobs j WHERE NOT (state = 'running' AND EXISTS (SELECT 1 FROM jobs p WHERE p.link_key = j.link_key AND p.state = 'pending'))
            ORDER BY id`,
      params: [],
    }),
  },
  { table: "audit_log", columns: ["id", "link_key", "at", "direction", "action", "detail"], identity: "id", select: all("audit_log", ["id", "link_key", "at", "direction", "action", "detail"], "id") },
  {
    table: "processed_events",
    columns: ["event_key", "received_at", "expires_at"],
    select: (now) => ({ sql: "SELECT event_key, received_at, expires_at FROM processed_events WHERE expires_at > ? ORDER BY event_key", params: [now] }),
  },
  { table: "watermarks", columns: ["name", "value", "updated_at"], select: all("watermarks", ["name", "value", "updated_at"], "name") },
  { table: "column_changes", columns: ["opportunity_id", "column_name", "changed_at"], select: all("column_changes", ["opportunity_id", "column_name", "changed_at"], "opportunity_id, column_name") },
  {
    table: "referral_changes",
    columns: ["referral_id", "changed_at", "ours"],
    select: all("referral_changes", ["referral_id", "changed_at", "ours"], "referral_id, changed_at"),
    convert: ([id, at, ours]) => [id, at, ours === 1],
  },
  {
    table: "referral_notifications",
    columns: ["referral_id", "opportunity_id", "state", "attempts", "last_error", "created_at", "updated_at"],
    select: all("referral_notifications", ["referral_id", "opportunity_id", "state", "attempts", "last_error", "created_at", "updated_at"], "referral_id"),
  },
];

export interface TableCount {
  readonly table: string;
  /** Rows the SQLite store had to copy (expired delivery keys left out). */
  readonly source: number;
  /** Rows in PostgreSQL after the copy. */
  readonly target: number;
}

export interface CopyProgress {
  readonly table: string;
  readonly done: number;
  readonly total: number;
}

/** The target already holds sync data: copying would mix two deployments. */
export class TargetNotEmptyError extends StoreError {
  constructor(readonly counts: readonly { table: string; rows: number }[]) {
    super(
      `The PostgreSQL store is not empty (${counts.map((c) => `${c.table}: ${c.rows}`).join(", ")}). ` +
        "Migrating copies into an empty store only: point --to at a new database, or drop its tables if they are a previous attempt you mean to replace.",
    );
    this.name = "TargetNotEmptyError";
  }
}

/** Parameters per INSERT stay far below PostgreSQL's 65,535. */
const BATCH_ROWS = 500;

export async function copySqliteToPostgres(options: {
  source: Database;
  target: pg.Pool;
  now?: number;
  onProgress?: (progress: CopyProgress) => void;
}): Promise<TableCount[]> {
  const { source, target } = options;
  const now = options.now ?? Date.now();
  const plans = TABLES.map((table) => {
    const { sql, params } = table.select(now);
    const total = (source.prepare(`SELECT COUNT(*) AS n FROM (${sql})`).get(...params) as { n: number }).n;
    return { table, sql, params, total };
  });
  const grandTotal = plans.reduce((sum, plan) => sum + plan.total, 0);
  const client = await target.connect();
  try {
    await client.query("BEGIN");
    // Nobody else writes while we fill the tables (an instance started too early waits, then sees the copy).
    await client.query(`LOCK TABLE ${TABLES.map((t) => t.table).join(", ")} IN EXCLUSIVE MODE`);
    const occupied: { table: string; rows: number }[] = [];
    for (const { table } of TABLES) {
      const rows = (await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows[0]!.n;
      if (rows > 0) occupied.push({ table, rows });
    }
    if (occupied.length > 0) throw new TargetNotEmptyError(occupied);

    let done = 0;
    options.onProgress?.({ table: plans[0]!.table.table, done, total: grandTotal });
    const counts: TableCount[] = [];
    for (const { table, sql, params, total } of plans) {
      let batch: unknown[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await insertBatch(client, table, batch);
        done += batch.length;
        batch = [];
        options.onProgress?.({ table: table.table, done, total: grandTotal });
      };
      for (const row of source.prepare(sql).raw().iterate(...params) as IterableIterator<unknown[]>) {
        batch.push(table.convert ? table.convert(row) : row);
        if (batch.length >= BATCH_ROWS) await flush();
      }
      await flush();
      if (table.identity) {
        await client.query(
          `SELECT setval(pg_get_serial_sequence('${table.table}', '${table.identity}'), GREATEST((SELECT MAX(${table.identity}) FROM ${table.table}), 1), (SELECT COUNT(*) > 0 FROM ${table.table}))`,
        );
      }
      const copied = (await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table.table}`)).rows[0]!.n;
      counts.push({ table: table.table, source: total, target: copied });
    }
    const wrong = counts.filter((c) => c.source !== c.target);
    if (wrong.length > 0) {
      throw new StoreError(`The copy does not add up (${wrong.map((c) => `${c.table}: ${c.source} read, ${c.target} stored`).join("; ")}); nothing was kept in PostgreSQL.`);
    }
    await client.query("COMMIT");
    return counts;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function insertBatch(client: pg.PoolClient, table: CopiedTable, rows: unknown[][]): Promise<void> {
  const width = table.columns.length;
  const values = rows.map((_, r) => `(${table.columns.map((__, c) => `$${r * width + c + 1}`).join(", ")})`).join(", ");
  await client.query(
    `INSERT INTO ${table.table} (${table.columns.join(", ")}) ${table.identity ? "OVERRIDING SYSTEM VALUE " : ""}VALUES ${values}`,
    rows.flat(),
  );
}
