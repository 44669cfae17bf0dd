/** Durable sync state: the SyncStore interface, its SQLite implementation, link keys and errors. */
export * from "./sync-store";
export * from "./sqlite-sync.store";
export * from "./store-errors";
export * from "./link-keys";
export { migrate, appliedMigrations } from "./migration-runner";
export { MIGRATIONS } from "./migrations";
