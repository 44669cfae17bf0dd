/**
 * What only PostgreSQL can show: several store instances (separate pools, as separate processes
 * would have) working one database at the same time. Plus its migration runner. The shared contract
 * is in sync-store.contract.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EMPTY_MAPPED_FIELDS } from "../../sync/engine";
import { PG_MIGRATIONS, PostgresSyncStore, StaleBaseError, migratePostgres, opportunityLinkKey, type SyncStore } from "../../sync/store";
import pg from "pg";
import { createPgPool, inTransaction } from "../../sync/store/postgres/pg-pool";
import { TEST_POSTGRES_URL, postgresEngine, postgresUnderTest } from "./store-engines";

const engine = postgresEngine();
const instances: SyncStore[] = [];
const open = async () => {
  const store = await engine.open();
  instances.push(store);
  return store;
};

describe.runIf(await postgresUnderTest())("PostgreSQL store, several instances on one database", () => {
  beforeEach(() => engine.setup());
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((store) => store.close()));
    await engine.teardown();
  });

  it("migrates once when three instances start at the same time", async () => {
    await Promise.all([open(), open(), open()]);
    expect(await engine.appliedVersions()).toEqual(PG_MIGRATIONS.map((m) => m.version));
  });

  it("never runs two jobs of one link at once while two instances claim, complete and enqueue concurrently", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const links = Array.from({ length: 4 }, (_, i) => opportunityLinkKey(`opp-${i}`));
    const running = new Map<string, string>();
    const overlaps: string[] = [];
    let completed = 0;
    const worker = async (store: SyncStore, id: string, rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        // Every round also asks for more work on a random link, as webhooks arriving meanwhile would.
        await store.enqueue({ linkKey: links[Math.floor(Math.random() * links.length)]!, reasons: [`${id}:${i}`] });
        const job = await store.claimNext({ workerId: `${id}`, leaseMs: 60_000 });
        if (!job) continue;
        if (running.has(job.linkKey)) overlaps.push(`${job.linkKey} claimed by ${id} while ${running.get(job.linkKey)} ran it`);
        running.set(job.linkKey, id);
        await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * 25));
        running.delete(job.linkKey); // before complete: once it commits, the other instance may claim
        expect(await store.complete(job.id, id)).toBe(true);
        completed++;
      }
    };
    for (const link of links) await a.enqueue({ linkKey: link, reasons: ["start"] });
    await Promise.all([worker(a, "a-0", 25), worker(a, "a-1", 25), worker(b, "b-0", 25), worker(b, "b-1", 25)]);
    expect(overlaps).toEqual([]);
    expect(completed).toBeGreaterThan(20); // the test did race: most rounds found work
    // At most one pending job per link is left (coalescing held), none running.
    const left = await a.listJobs();
    expect(left.every((job) => job.state === "pending")).toBe(true);
    expect(new Set(left.map((job) => job.linkKey)).size).toBe(left.length);
  });

  it("enqueues a webhook delivery once when two instances accept it at the same time", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const keys = Array.from({ length: 40 }, (_, i) => `partner-center:evt-${i}`);
    const results = await Promise.all(
      keys.flatMap((key, i) => [a, b].map((store) => store.acceptEvent({ key, ttlMs: 60_000 }, { linkKey: opportunityLinkKey(`opp-${i}`), reasons: ["webhook"] }))),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(keys.length);
    expect((await a.countJobs()).pending).toBe(keys.length);
  });

  it("coalesces requests for one link from two instances into one pending job", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).enqueue({ linkKey: "opportunity:busy", reasons: [`r${i % 5}`] })));
    expect(results.filter((r) => !r.coalesced)).toHaveLength(1);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    const jobs = await b.listJobs();
    expect(jobs).toMatchObject([{ linkKey: "opportunity:busy" }]);
    expect([...jobs[0]!.reasons].sort()).toEqual(["r0", "r1", "r2", "r3", "r4"]); // every request's reason, in arrival order
  });

  it("lets exactly one of two instances commit on the base version both read", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const key = opportunityLinkKey("opp-race");
    await a.saveLink({ key, opportunityId: "opp-race" });
    let version: number | null = null;
    for (let round = 0; round < 15; round++) {
      const outcomes = await Promise.allSettled(
        [a, b].map((store, i) =>
          store.commitSync(key, { base: { ...EMPTY_MAPPED_FIELDS, dealValue: round * 10 + i }, audit: [], expectedVersion: version }),
        ),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === "rejected");
      expect(lost?.status === "rejected" && lost.reason).toBeInstanceOf(StaleBaseError);
      version = (await b.getBase(key))!.version;
    }
    expect(version).toBe(15);
  });

  it("leaves no trace of a failed migration step", async () => {
    const schema = `store_test_broken_${Date.now().toString(36)}`;
    const pool = createPgPool({ url: TEST_POSTGRES_URL, schema });
    try {
      const broken = { version: PG_MIGRATIONS.length + 1, name: "broken", sql: "CREATE TABLE half (x int); SELECT nope FROM missing;" };
      await expect(migratePostgres(pool, { schema, migrations: [...PG_MIGRATIONS, broken] })).rejects.toThrow(/Schema migration 2 \(broken\) failed/);
      const versions = (await pool.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")).rows.map((r) => r.version);
      expect(versions).toEqual(PG_MIGRATIONS.map((m) => m.version));
      expect((await pool.query("SELECT to_regclass('half') AS t")).rows[0]).toEqual({ t: null });
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    }
  });

  it("survives the server dropping a connection mid-transaction: that call fails, the process lives on, the next call works", async () => {
    const store = (await open()) as PostgresSyncStore;
    const killer = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await killer.connect();
    try {
      const failed = inTransaction(store.pgPool, async (client) => {
        const pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
        await killer.query("SELECT pg_terminate_backend($1)", [pid]);
        // Checked out and idle while the server ends it: without a listener pg would crash the process.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await client.query("SELECT 1");
      });
      await expect(failed).rejects.toThrow();
      await store.saveLink({ key: opportunityLinkKey("after"), opportunityId: "after" });
      expect(await store.findLinkByOpportunityId("AFTER")).toMatchObject({ key: opportunityLinkKey("after") });
    } finally {
      await killer.end();
    }
  });

  it("tells its owner when the server ends a pooled connection, idle or checked out, and serves the next query", async () => {
    const lost: string[] = [];
    const pool = createPgPool({ url: TEST_POSTGRES_URL, max: 2, onConnectionLost: (error) => lost.push(error.message) });
    const killer = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await killer.connect();
    try {
      const pidOf = async (client: pg.PoolClient) => (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      // Idle in the pool.
      const idle = await pool.connect();
      const idlePid = await pidOf(idle);
      idle.release();
      await killer.query("SELECT pg_terminate_backend($1)", [idlePid]);
      await vi.waitFor(() => expect(lost.length).toBeGreaterThan(0));
      const afterIdle = lost.length;
      // Checked out by a caller who holds it without a listener of its own (pg may report it twice).
      const held = await pool.connect();
      try {
        await killer.query("SELECT pg_terminate_backend($1)", [await pidOf(held)]);
        await vi.waitFor(() => expect(lost.length).toBeGreaterThan(afterIdle));
      } finally {
        held.release(true);
      }
      expect(lost.every((message) => /terminat/i.test(message))).toBe(true);
      expect((await pool.query<{ one: number }>("SELECT 1 AS one")).rows[0]).toEqual({ one: 1 });
    } finally {
      await killer.end();
      await pool.end();
    }
  });

  it("reports an unreachable database with its address and no password", async () => {
    const store = new PostgresSyncStore({ url: "postgres://cosell:s3cret@127.0.0.1:1/cosell" });
    const failure = await store.ready().then(() => null, (error: unknown) => error as Error);
    await store.close();
    expect(failure?.message).toMatch(/Cannot open the sync database at postgres:\/\/cosell:\*\*\*@127\.0\.0\.1:1\/cosell/);
    expect(failure?.message).not.toContain("s3cret");
  });
});
