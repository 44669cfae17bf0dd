import type { Migration } from "./migration";

/**
 * When each opportunity column was last written, from the Dataverse webhooks' OperationCreatedOn:
 * to the millisecond, where modifiedon keeps whole seconds (see sync/engine/field-clock.ts).
 */
export const migration006: Migration = {
  version: 6,
  name: "column change times",
  up(db) {
    db.exec(`
      CREATE TABLE column_changes (
        opportunity_id  TEXT NOT NULL,
        column_name     TEXT NOT NULL,
        changed_at      INTEGER NOT NULL,
        PRIMARY KEY (opportunity_id, column_name)
      ) WITHOUT ROWID;
    `);
  },
};
