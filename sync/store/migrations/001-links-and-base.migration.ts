import type { Migration } from "./migration";

/**
 * Links and their base snapshots. Ids compare case-insensitively (NOCASE): Dataverse and Partner
 * Center print GUIDs in different cases, and a case-only difference must not create a second link.
 */
export const migration001: Migration = {
  version: 1,
  name: "links and base snapshots",
  up(db) {
    db.exec(`
      CREATE TABLE links (
        link_key        TEXT PRIMARY KEY,
        opportunity_id  TEXT COLLATE NOCASE UNIQUE,
        referral_id     TEXT COLLATE NOCASE UNIQUE,
        account_id      TEXT COLLATE NOCASE,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE TABLE base_snapshots (
        link_key     TEXT PRIMARY KEY REFERENCES links(link_key) ON DELETE CASCADE,
        fields_json  TEXT NOT NULL,
        version      INTEGER NOT NULL,
        saved_at     INTEGER NOT NULL
      );
    `);
  },
};
