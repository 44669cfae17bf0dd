/**
 * Applies pending PostgreSQL schema steps, each in its own transaction with its row in
 * schema_migrations. Several instances may start at once (a rolling upgrade, a scale-out): the whole
 * run holds a session advisory lock keyed by the schema, so one migrates and the others wait, then
 * find nothing left to do.
 */
import type pg from "pg";
import { MigrationError, SchemaTooNewError } from "../store-errors";
import type { PgMigration } from "./pg-migration";
import { PG_MIGRATIONS } from "./pg-migrations";

export interface AppliedPgMigration {
  readonly version: number;
  readonly name: string;
  readonly appliedAt: string;
}

/** The schema the pool works in: its pinned search_path's first entry, else the server's current schema. */
async function workingSchema(client: pg.PoolClient, schema: string | undefined): Promise<string> {
  if (schema) return schema;
  const row = (await client.query<{ s: string | null }>("SELECT current_schema() AS s")).rows[0];
  return row?.s ?? "public";
}

export async function appliedPgMigrations(pool: pg.Pool): Promise<AppliedPgMigration[]> {
  const result = await pool.query<AppliedPgMigration>(
    `SELECT version, name, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version`,
  );
  return result.rows;
}

/** Returns the versions applied by this call (empty when the database was up to date). */
export async function migratePostgres(
  pool: pg.Pool,
  options: { schema?: string; migrations?: readonly PgMigration[]; now?: () => number } = {},
): Promise<number[]> {
  const migrations = options.migrations ?? PG_MIGRATIONS;
  const now = options.now ?? Date.now;
  const client = await pool.connect();
  let lockKey: string | null = null;
  try {
    lockKey = `cosell:migrate:${await workingSchema(client, options.schema)}`;
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [lockKey]);
    // Under the lock: two instances creating the schema at once would collide in the catalog.
    if (options.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      applied_at  TEXT NOT NULL
    )`);
    const current = (await client.query<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations")).rows[0]?.v ?? 0;
    const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > known) throw new SchemaTooNewError(current, known);
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      try {
        await client.query("BEGIN");
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
          migration.version,
          migration.name,
          new Date(now()).toISOString(),
        ]);
        await client.query("COMMIT");
      } catch (cause) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new MigrationError(migration.version, migration.name, cause);
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    if (lockKey) await client.query("SELECT pg_advisory_unlock(hashtext($1))", [lockKey]).catch(() => undefined);
    client.release();
  }
}
