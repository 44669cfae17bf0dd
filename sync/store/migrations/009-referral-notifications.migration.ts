import type { Migration } from "./migration";

/**
 * One row per referral the Teams notification was sent (or tried) for: written before the first
 * attempt, so a retried import or a restart never posts the same referral twice.
 */
export const migration009: Migration = {
  version: 9,
  name: "referral notifications",
  up(db) {
    db.exec(`
      CREATE TABLE referral_notifications (
        referral_id     TEXT PRIMARY KEY,
        opportunity_id  TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
