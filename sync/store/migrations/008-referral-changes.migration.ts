import type { Migration } from "./migration";

/**
 * When each referral changed, from Partner Center's webhook events (ResourceChangeUtcDate), with our
 * own writes marked. updatedDateTime is the time of the referral's last change only: with several
 * changes between two reads, these tell when the others were (see sync/engine/field-clock.ts).
 */
export const migration008: Migration = {
  version: 8,
  name: "referral change times",
  up(db) {
    db.exec(`
      CREATE TABLE referral_changes (
        referral_id  TEXT NOT NULL,
        changed_at   INTEGER NOT NULL,
        ours         INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (referral_id, changed_at)
      ) WITHOUT ROWID;
    `);
  },
};
