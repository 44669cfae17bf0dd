/**
 * `cosell doctor`'s store lines against a real PostgreSQL database: a server that does not answer,
 * a database with no schema, live instances counted (and a mixed-version cluster flagged), and the
 * SQLite default.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresCluster, type Cluster } from "../../sync/cluster/cluster";
import { KNOWN_MIGRATION, KNOWN_PG_MIGRATION, storeChecks } from "../../sync/cli/doctor/store-checks";
import { openSqliteSyncStore } from "../../sync/store";
import { createTestDatabase, type TestDatabase } from "../support/postgres-database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("doctor");
});
afterAll(async () => {
  await db?.drop();
});

const lines = (results: Awaited<ReturnType<typeof storeChecks>>) => results.map((r) => `${r.state} ${r.title}: ${r.detail}${r.fix ? ` → ${r.fix}` : ""}`);

describe("cosell doctor: the store", () => {
  it("fails with what to check when PostgreSQL does not answer, and never prints the password", async () => {
    const results = await storeChecks({ STORE_URL: "postgres://cosell:s3cret@127.0.0.1:1/cosell", STORE_PATH: "unused" });
    expect(results.map((r) => r.state)).toEqual(["fail", "skip", "skip"]);
    expect(results[0]!.fix).toMatch(/STORE_URL .*sslmode=require/);
    expect(lines(results).join("\n")).not.toContain("s3cret");
  });

  it("says a fresh database has no schema yet and no instance has run", async () => {
    const results = lines(await storeChecks({ STORE_URL: db.url, STORE_PATH: "unused" }));
    expect(results[0]).toMatch(/^pass Store: PostgreSQL \d+/);
    expect(results[1]).toMatch(/^warn Store migrations: .* no schema yet/);
    expect(results[2]).toMatch(/^warn Instances: no instance has run/);
  });

  it("counts the live instances, flags a mix of versions and a schema behind this version", async () => {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text, applied_at text)");
    await admin.query("INSERT INTO schema_migrations VALUES ($1, 'x', 'now')", [KNOWN_PG_MIGRATION]);
    const started: Cluster[] = [];
    const join = async (id: string, version: string) => {
      const cluster = postgresCluster({ url: db.url, instanceId: id, version, logger: pino({ level: "silent" }), store: { recoverLeasesOf: async () => 0 } });
      await cluster.start();
      started.push(cluster);
    };
    try {
      await join("blue", "1.0.0");
      await join("green", "1.0.0");
      // As a newer version (one more migration) sees this database.
      let results = lines(await storeChecks({ STORE_URL: db.url, STORE_PATH: "unused" }, { knownMigration: KNOWN_PG_MIGRATION + 1 }));
      expect(results[1]).toMatch(new RegExp(`^warn Store migrations: .* at migration ${KNOWN_PG_MIGRATION}, this version brings ${KNOWN_PG_MIGRATION + 1}`));
      expect(results[2]).toBe("pass Instances: 2 live: blue (1.0.0), green (1.0.0)");

      await started.pop()!.stop();
      await join("green", "1.1.0");
      results = lines(await storeChecks({ STORE_URL: db.url, STORE_PATH: "unused" }));
      expect(results[1]).toMatch(/^pass Store migrations/);
      expect(results[2]).toMatch(/^warn Instances: 2 live, on different versions: blue \(1\.0\.0\), green \(1\.1\.0\) → finish the rolling upgrade/);

      await Promise.all(started.splice(0).map((c) => c.stop()));
      results = lines(await storeChecks({ STORE_URL: db.url, STORE_PATH: "unused" }));
      expect(results[2]).toMatch(/^warn Instances: no instance is live/);
    } finally {
      await Promise.all(started.map((c) => c.stop()));
      await admin.end();
    }
  });

  it("checks the SQLite file when STORE_URL is unset", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "pcc-doctor-")), "cosell.sqlite");
    expect(lines(await storeChecks({ STORE_PATH: path }))[0]).toMatch(/^pass Store: SQLite, .* \(not created yet/);
    const store = openSqliteSyncStore({ path });
    await store.close();
    expect(lines(await storeChecks({ STORE_PATH: path }))).toEqual([
      `pass Store: SQLite, ${path} (one instance; set STORE_URL for several)`,
      `pass Store migrations: ${path} is at migration ${KNOWN_MIGRATION}, this version's latest`,
    ]);
  });
});
