/**
 * The PostgreSQL schema, in steps. Step 1 is the SQLite schema as of its migration 009, in one go
 * (PostgreSQL started there); later changes to the SyncStore get a step here AND in ../migrations.
 *
 * Differences from SQLite, and why:
 * - GUID case: SQLite's NOCASE columns become unique indexes on lower(id); lookups compare lower().
 * - Times are BIGINT epoch ms (parsed back to numbers by pg-pool.ts); JSON stays TEXT so both
 *   engines store the same bytes and `cosell store migrate` copies them as they are.
 * - The jobs' partial unique indexes are the same rules: one pending and one running job per link,
 *   now enforced across every instance that shares the database.
 */
import type { PgMigration } from "./pg-migration";

const initial: PgMigration = {
  version: 1,
  name: "links, base snapshots, jobs, events, watermarks, audit, clocks, change times, notifications",
  sql: `
    CREATE TABLE links (
      link_key              TEXT PRIMARY KEY,
      opportunity_id        TEXT,
      referral_id           TEXT,
      account_id            TEXT,
      microsoft_invited_at  BIGINT,
      created_at            BIGINT NOT NULL,
      updated_at            BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX links_opportunity_id ON links (lower(opportunity_id));
    CREATE UNIQUE INDEX links_referral_id ON links (lower(referral_id));

    CREATE TABLE base_snapshots (
      link_key           TEXT PRIMARY KEY REFERENCES links(link_key) ON DELETE CASCADE,
      fields_json        TEXT NOT NULL,
      version            INTEGER NOT NULL,
      saved_at           BIGINT NOT NULL,
      pending_push_json  TEXT
    );

    CREATE TABLE jobs (
      id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      link_key          TEXT NOT NULL,
      opportunity_id    TEXT,
      referral_id       TEXT,
      reasons_json      TEXT NOT NULL,
      state             TEXT NOT NULL CHECK (state IN ('pending', 'running', 'dead')),
      attempts          INTEGER NOT NULL DEFAULT 0,
      next_attempt_at   BIGINT NOT NULL,
      last_error        TEXT,
      lease_owner       TEXT,
      lease_expires_at  BIGINT,
      created_at        BIGINT NOT NULL,
      updated_at        BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX jobs_one_pending_per_link ON jobs (link_key) WHERE state = 'pending';
    CREATE UNIQUE INDEX jobs_one_running_per_link ON jobs (link_key) WHERE state = 'running';
    CREATE INDEX jobs_due ON jobs (state, next_attempt_at);

    CREATE TABLE processed_events (
      event_key    TEXT PRIMARY KEY,
      received_at  BIGINT NOT NULL,
      expires_at   BIGINT NOT NULL
    );
    CREATE INDEX processed_events_expiry ON processed_events (expires_at);

    CREATE TABLE watermarks (
      name        TEXT PRIMARY KEY,
      value       TEXT NOT NULL,
      updated_at  BIGINT NOT NULL
    );

    CREATE TABLE audit_log (
      id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      link_key   TEXT NOT NULL,
      at         TEXT NOT NULL,
      direction  TEXT NOT NULL,
      action     TEXT NOT NULL,
      detail     TEXT NOT NULL
    );
    CREATE INDEX audit_log_by_link ON audit_log (link_key, id);

    CREATE TABLE field_clocks (
      link_key     TEXT PRIMARY KEY REFERENCES links(link_key) ON DELETE CASCADE,
      clocks_json  TEXT NOT NULL,
      saved_at     BIGINT NOT NULL
    );

    CREATE TABLE column_changes (
      opportunity_id  TEXT NOT NULL,
      column_name     TEXT NOT NULL,
      changed_at      BIGINT NOT NULL,
      PRIMARY KEY (opportunity_id, column_name)
    );

    CREATE TABLE referral_changes (
      referral_id  TEXT NOT NULL,
      changed_at   BIGINT NOT NULL,
      ours         BOOLEAN NOT NULL DEFAULT false,
      PRIMARY KEY (referral_id, changed_at)
    );

    CREATE TABLE referral_notifications (
      referral_id     TEXT PRIMARY KEY,
      opportunity_id  TEXT NOT NULL,
      state           TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      last_error      TEXT,
      created_at      BIGINT NOT NULL,
      updated_at      BIGINT NOT NULL
    );
  `,
};

/** Every PostgreSQL step in order. */
export const PG_MIGRATIONS: readonly PgMigration[] = [initial];
