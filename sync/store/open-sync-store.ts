/**
 * Picks the store engine: STORE_URL=postgres://… selects PostgreSQL (several instances, one
 * database); unset, the SQLite file at STORE_PATH (one instance, no database server: `npm start`).
 * Callers get a SyncStore and never name the engine.
 */
import { PostgresSyncStore } from "./postgres/postgres-sync.store";
import { SqliteSyncStore } from "./sqlite-sync.store";
import { StoreError } from "./store-errors";
import type { SyncStore } from "./sync-store";

export interface OpenSyncStoreOptions {
  /** The SQLite file used when no STORE_URL is given (default ./cosell.sqlite). */
  readonly sqlitePath?: string;
  readonly maxAttempts?: number;
  readonly clock?: () => number;
  /** PostgreSQL only: the schema to keep the tables in (tests use one per run). */
  readonly schema?: string;
  /** PostgreSQL only: connections per instance. */
  readonly maxConnections?: number;
  /** PostgreSQL only: told when the server ends a connection (a restart, a failover). */
  readonly onConnectionLost?: (error: Error) => void;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Why a STORE_URL cannot be used, or null when it can (config.ts reports it with the other problems). */
export function storeUrlProblem(url: string | undefined): string | null {
  if (url === undefined || url === "") return null;
  if (!isPostgresUrl(url)) return `STORE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database, add ?sslmode=require for Azure), or unset for the SQLite file at STORE_PATH; got "${url.split(":")[0]}:…"`;
  try {
    new URL(url);
  } catch {
    return "STORE_URL is not a valid URL: percent-encode special characters in the password (e.g. @ as %40)";
  }
  return null;
}

/**
 * The store, without waiting for the database: PostgreSQL migrates on first use, so a service can
 * compose itself synchronously; its first call fails if the database is unreachable.
 */
export function createSyncStore(storeUrl: string | undefined, options: OpenSyncStoreOptions = {}): SyncStore {
  const problem = storeUrlProblem(storeUrl);
  if (problem) throw new StoreError(problem);
  if (storeUrl) {
    return new PostgresSyncStore({
      url: storeUrl,
      schema: options.schema,
      maxAttempts: options.maxAttempts,
      clock: options.clock,
      maxConnections: options.maxConnections,
      onConnectionLost: options.onConnectionLost,
    });
  }
  return SqliteSyncStore.open({ path: options.sqlitePath ?? "./cosell.sqlite", maxAttempts: options.maxAttempts, clock: options.clock });
}

/** The store, connected and migrated: rejects with the reason when the database cannot be used. */
export async function openSyncStore(storeUrl: string | undefined, options: OpenSyncStoreOptions = {}): Promise<SyncStore> {
  const store = createSyncStore(storeUrl, options);
  if (store instanceof PostgresSyncStore) {
    try {
      await store.ready();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/** Resolves once the store can be used (PostgreSQL: connected and migrated); rejects with the reason. */
export async function whenStoreReady(store: SyncStore): Promise<void> {
  if (store instanceof PostgresSyncStore) await store.ready();
}
