/**
 * Applies pending schema migrations, each in its own transaction together with its row in
 * schema_migrations, so a crash mid-upgrade leaves the database at the last complete version.
 */
import type { Database } from "better-sqlite3";
import { MIGRATIONS, type Migration } from "./migrations";
import { MigrationError, SchemaTooNewError } from "./store-errors";

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly appliedAt: string;
}

export function appliedMigrations(db: Database): AppliedMigration[] {
  return db
    .prepare("SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version")
    .all() as AppliedMigration[];
}

/** Returns the versions applied by this call (empty when the database was up to date). */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
  )`);
  const current = (db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null }).v ?? 0;
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > known) throw new SchemaTooNewError(current, known);
  const applied: number[] = [];
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    try {
      db.transaction(() => {
        migration.up(db);
        record.run(migration.version, migration.name, new Date(now()).toISOString());
      }).immediate();
    } catch (cause) {
      throw new MigrationError(migration.version, migration.name, cause);
    }
    applied.push(migration.version);
  }
  return applied;
}
