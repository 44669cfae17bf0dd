import type { Migration } from "./migration";

/**
 * Per link, what our reads of each side showed and when each field got its value there (see
 * sync/engine/field-clock.ts): decides a conflict by the field's own change, not the record's.
 */
export const migration004: Migration = {
  version: 4,
  name: "field clocks",
  up(db) {
    db.exec(`
      CREATE TABLE field_clocks (
        link_key     TEXT PRIMARY KEY REFERENCES links(link_key) ON DELETE CASCADE,
        clocks_json  TEXT NOT NULL,
        saved_at     INTEGER NOT NULL
      );
    `);
  },
};
