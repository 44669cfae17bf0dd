import type { Migration } from "./migration";

/** Webhook dedupe keys, reconcile watermarks and the full audit log (the record keeps only a tail). */
export const migration003: Migration = {
  version: 3,
  name: "processed events, watermarks, audit log",
  up(db) {
    db.exec(`
      CREATE TABLE processed_events (
        event_key    TEXT PRIMARY KEY,
        received_at  INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL
      );
      CREATE INDEX processed_events_expiry ON processed_events(expires_at);
      CREATE TABLE watermarks (
        name        TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE TABLE audit_log (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        link_key   TEXT NOT NULL,
        at         TEXT NOT NULL,
        direction  TEXT NOT NULL,
        action     TEXT NOT NULL,
        detail     TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_link ON audit_log(link_key, id);
    `);
  },
};
