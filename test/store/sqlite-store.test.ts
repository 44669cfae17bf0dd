/** SQLite-only store behaviour: pragmas and a failed migration's rollback. The contract is in sync-store.contract.test.ts. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS, SqliteSyncStore, appliedMigrations, migrate } from "../../sync/store";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sync-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("SQLite store", () => {
  it("opens in WAL mode with fsync on every commit, and a re-open applies nothing", () => {
    const store = SqliteSyncStore.open({ path: join(dir, "sync.db") });
    expect(appliedMigrations(store.database).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(store.database.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.database.pragma("synchronous", { simple: true })).toBe(2); // FULL
    store.database.close();

    const db = new Database(join(dir, "sync.db"));
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it("leaves no trace of a failed migration", () => {
    const db = new Database(":memory:");
    const next = MIGRATIONS.length + 1;
    const broken = { version: next, name: "broken", up: (d: Database.Database) => d.exec("CREATE TABLE half (x); SELECT nope FROM missing;") };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(new RegExp(`Schema migration ${next} \\(broken\\) failed`));
    expect(appliedMigrations(db).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });
});
