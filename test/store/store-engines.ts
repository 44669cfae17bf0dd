/**
 * The store engines the contract suite runs against, each in a fresh place per test: SQLite in a new
 * temporary folder, PostgreSQL in a new schema (created by the store's migrations, dropped after).
 * PostgreSQL is TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres). When it is
 * unreachable, CI (process.env.CI set) fails the PostgreSQL tests; elsewhere they are skipped with a
 * loud message.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { MIGRATIONS, PG_MIGRATIONS, PostgresSyncStore, SqliteSyncStore, appliedMigrations, type SyncStore } from "../../sync/store";

export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface StoreOpenOptions {
  readonly clock?: () => number;
  readonly maxAttempts?: number;
}

export interface StoreEngine {
  readonly name: "sqlite" | "postgres";
  /** A fresh, empty place for the next test. */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Opens (migrating) a store on the current place; several opens are several instances. */
  open(options?: StoreOpenOptions): Promise<SyncStore>;
  /** The process dies: its connection goes away, nothing is finished or rolled forward. */
  crash(store: SyncStore): Promise<void>;
  appliedVersions(): Promise<number[]>;
  readonly knownVersions: readonly number[];
  /** Records a schema version newer than this code knows, as a newer release would have. */
  writeFutureSchemaVersion(): Promise<void>;
}

export function sqliteEngine(): StoreEngine {
  let dir = "";
  const path = () => join(dir, "sync.db");
  return {
    name: "sqlite",
    async setup() {
      dir = mkdtempSync(join(tmpdir(), "sync-store-"));
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
    async open(options = {}) {
      return SqliteSyncStore.open({ path: path(), clock: options.clock, maxAttempts: options.maxAttempts });
    },
    async crash(store) {
      (store as SqliteSyncStore).database.close();
    },
    async appliedVersions() {
      const db = new Database(path());
      try {
        return appliedMigrations(db).map((m) => m.version);
      } finally {
        db.close();
      }
    },
    knownVersions: MIGRATIONS.map((m) => m.version),
    async writeFutureSchemaVersion() {
      const db = new Database(path());
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
      db.close();
    },
  };
}

export function postgresEngine(): StoreEngine {
  let schema = "";
  const admin = () => new pg.Client({ connectionString: TEST_POSTGRES_URL });
  const adminQuery = async (sql: string) => {
    const client = admin();
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgres",
    async setup() {
      schema = `store_test_${randomBytes(6).toString("hex")}`;
    },
    async teardown() {
      await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
    async open(options = {}) {
      return new PostgresSyncStore({ url: TEST_POSTGRES_URL, schema, clock: options.clock, maxAttempts: options.maxAttempts, maxConnections: 4 }).ready();
    },
    async crash(store) {
      // The pool's connections end without any transaction open: what a killed process leaves behind.
      await (store as PostgresSyncStore).close();
    },
    async appliedVersions() {
      const result = await adminQuery(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      return result.rows.map((row: { version: number }) => row.version);
    },
    knownVersions: PG_MIGRATIONS.map((m) => m.version),
    async writeFutureSchemaVersion() {
      await adminQuery(`INSERT INTO ${schema}.schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')`);
    },
  };
}

/** Null when PostgreSQL answers, else why not. */
export async function postgresUnreachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The engines to run, decided once per file: PostgreSQL is left out (with a loud warning) when it is
 * unreachable outside CI; in CI it stays in and its tests fail on the connection.
 */
export async function enginesUnderTest(): Promise<StoreEngine[]> {
  const problem = await postgresUnreachable();
  if (problem && !process.env.CI) {
    console.warn(
      `\n!!! PostgreSQL at ${TEST_POSTGRES_URL} is unreachable (${problem}): the PostgreSQL store tests are SKIPPED.\n` +
        "!!! Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_POSTGRES_URL. In CI they fail instead.\n",
    );
    return [sqliteEngine()];
  }
  return [sqliteEngine(), postgresEngine()];
}

/** True when the PostgreSQL-only tests should run (reachable, or CI where they must fail loudly). */
export async function postgresUnderTest(): Promise<boolean> {
  return (await enginesUnderTest()).some((engine) => engine.name === "postgres");
}
