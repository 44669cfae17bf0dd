import type { Migration } from "./migration";

/**
 * The job queue. The two partial unique indexes are the coalescing and "one job per link at a time"
 * rules written as constraints, so a bug in the store code fails loudly instead of running a link
 * twice in parallel.
 */
export const migration002: Migration = {
  version: 2,
  name: "jobs",
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        link_key          TEXT NOT NULL,
        opportunity_id    TEXT,
        referral_id       TEXT,
        reasons_json      TEXT NOT NULL,
        state             TEXT NOT NULL CHECK (state IN ('pending', 'running', 'dead')),
        attempts          INTEGER NOT NULL DEFAULT 0,
        next_attempt_at   INTEGER NOT NULL,
        last_error        TEXT,
        lease_owner       TEXT,
        lease_expires_at  INTEGER,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX jobs_one_pending_per_link ON jobs(link_key) WHERE state = 'pending';
      CREATE UNIQUE INDEX jobs_one_running_per_link ON jobs(link_key) WHERE state = 'running';
      CREATE INDEX jobs_due ON jobs(state, next_attempt_at);
    `);
  },
};
