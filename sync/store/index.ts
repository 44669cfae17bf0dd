/** Durable sync state: the SyncStore interface, its SQLite and PostgreSQL implementations, link keys and errors. */
export * from "./sync-store";
export * from "./sqlite-sync.store";
export * from "./store-errors";
export * from "./link-keys";
export { migrate, appliedMigrations } from "./migration-runner";
export { MIGRATIONS } from "./migrations";
export { createSyncStore, openSyncStore, isPostgresUrl, storeUrlProblem, whenStoreReady, type OpenSyncStoreOptions } from "./open-sync-store";
export { PostgresSyncStore, type PostgresSyncStoreOptions } from "./postgres/postgres-sync.store";
export { migratePostgres, appliedPgMigrations } from "./postgres/pg-migration-runner";
export { PG_MIGRATIONS } from "./postgres/pg-migrations";
