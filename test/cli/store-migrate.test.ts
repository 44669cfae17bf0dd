/**
 * `cosell store migrate --to postgres://…` against real PostgreSQL: a fresh database per test,
 * created and dropped here. In CI an unreachable PostgreSQL fails these tests (store-engines.ts).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../sync/cli/program";
import { EMPTY_MAPPED_FIELDS, observeSide } from "../../sync/engine";
import { PostgresSyncStore, SqliteSyncStore, opportunityLinkKey, referralLinkKey } from "../../sync/store";
import { postgresUnderTest, TEST_POSTGRES_URL } from "../store/store-engines";
import { recordedIo, tempStorePath } from "./cli-test-kit";

const HOUR = 60 * 60_000;
const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

describe.runIf(await postgresUnderTest())("cosell store migrate", () => {
  let database: string;
  let targetUrl: string;
  let sqlitePath: string;
  beforeEach(async () => {
    database = `cosell_migrate_${randomBytes(5).toString("hex")}`;
    await admin(`CREATE DATABASE ${database}`);
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${database}`;
    targetUrl = url.toString();
    sqlitePath = tempStorePath();
  });
  afterEach(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  /** A SQLite store as a running deployment leaves it, written through the store itself. */
  async function deploymentOnSqlite(now: number) {
    const store = SqliteSyncStore.open({ path: sqlitePath, clock: () => now, maxAttempts: 3 });
    const shared = opportunityLinkKey("0B6F3C1E-5A7D-4E8F-9A10-2B3C4D5E6F70");
    const imported = referralLinkKey("7A1E0000-0000-4000-8000-000000000001");
    await store.saveLink({ key: shared, opportunityId: "0B6F3C1E-5A7D-4E8F-9A10-2B3C4D5E6F70", referralId: "AB12", accountId: "acc-1", microsoftInvitedAt: now - HOUR });
    await store.saveLink({ key: imported, referralId: "7A1E0000-0000-4000-8000-000000000001" });
    await store.commitSync(shared, { base: { ...EMPTY_MAPPED_FIELDS, dealValue: 10000 }, audit: [{ at: "2026-12-01T09:00:00Z", direction: "CRM → Partner Center", action: "created", detail: "shared" }], expectedVersion: null });
    await store.commitSync(shared, { base: { ...EMPTY_MAPPED_FIELDS, dealValue: 12000 }, audit: [{ at: "2026-12-01T10:00:00Z", direction: "CRM → Partner Center", action: "updated", detail: "deal value 10000 → 12000" }], expectedVersion: 1 });
    const crm = observeSide(null, { ...EMPTY_MAPPED_FIELDS, dealValue: 12000 }, "2026-12-01T10:00:00Z");
    await store.updateFieldClocks(shared, () => ({ crm, partnerCenter: null }));
    await store.recordColumnChanges("0B6F3C1E-5A7D-4E8F-9A10-2B3C4D5E6F70", ["estimatedvalue"], now - 1000);
    await store.recordReferralChange("AB12", now - 2000, false);
    await store.recordReferralChange("AB12", now - 1000, true);
    // Jobs: one dead, one running with a request waiting behind it, one running alone.
    await store.enqueue({ linkKey: "opportunity:dead", reasons: ["save"] });
    await store.deadLetter((await store.claimNext({ workerId: "w", leaseMs: 60_000 }))!.id, "w", "refused");
    await store.enqueue({ linkKey: shared, reasons: ["save"] });
    await store.claimNext({ workerId: "w", leaseMs: 60_000 });
    await store.enqueue({ linkKey: shared, reasons: ["edit during the run"] });
    await store.enqueue({ linkKey: imported, reasons: ["import"] });
    await store.claimNext({ workerId: "w", leaseMs: 60_000 });
    // Delivery keys: one still remembered, one expired.
    await store.acceptEvent({ key: "partner-center:fresh", ttlMs: 24 * HOUR }, null);
    await store.acceptEvent({ key: "partner-center:stale", ttlMs: 1000 }, null);
    await store.setWatermark("dataverse:opportunity", "https://org.crm.dynamics.com/api/data/v9.2/opportunities?$deltatoken=919042");
    await store.claimReferralNotification("7A1E0000-0000-4000-8000-000000000001", "opp-x");
    await store.finishReferralNotification("7A1E0000-0000-4000-8000-000000000001", { state: "sent", attempts: 1 });
    await store.close();
    return { shared, imported };
  }

  it("copies links, bases, clocks, jobs, audit, watermarks, notifications and live delivery keys, and prints the checked counts", async () => {
    const { shared, imported } = await deploymentOnSqlite(Date.now() - 5000);
    const io = recordedIo();
    expect(await runCli(["store", "migrate", "--to", targetUrl, "--from", sqlitePath], io)).toBe(0);
    const printed = io.text();
    expect(printed).toMatch(/links\s+2 rows \(SQLite 2\)/);
    expect(printed).toMatch(/jobs\s+3 rows \(SQLite 3\)/);
    expect(printed).toMatch(/processed_events\s+1 rows \(SQLite 1\)/);
    expect(printed).toMatch(/Counts match/);
    expect(io.stderr.join("\n")).toMatch(/Copying: \d+\/\d+/); // progress on a non-terminal

    const store = await new PostgresSyncStore({ url: targetUrl }).ready();
    try {
      expect(await store.findLinkByReferralId("ab12")).toMatchObject({ key: shared, accountId: "acc-1" });
      expect(await store.findLinkByOpportunityId("0b6f3c1e-5a7d-4e8f-9a10-2b3c4d5e6f70")).toMatchObject({ key: shared });
      expect(await store.getBase(shared)).toMatchObject({ version: 2, fields: { dealValue: 12000 } });
      expect((await store.listAudit(shared)).map((a) => a.detail)).toEqual(["deal value 10000 → 12000", "shared"]);
      await store.updateFieldClocks(shared, (known) => {
        expect(known?.crm?.fields.dealValue).toBe(12000);
        return known!;
      });
      expect(Object.keys(await store.columnChangeTimes("0B6F3C1E-5A7D-4E8F-9A10-2B3C4D5E6F70"))).toEqual(["estimatedvalue"]);
      expect(await store.referralChangeTimes("AB12")).toHaveLength(1);
      expect(await store.getWatermark("dataverse:opportunity")).toContain("deltatoken=919042");
      expect(await store.claimReferralNotification("7A1E0000-0000-4000-8000-000000000001", "opp-x")).toBe(false);
      expect((await store.acceptEvent({ key: "partner-center:fresh", ttlMs: HOUR }, null)).duplicate).toBe(true);
      expect((await store.acceptEvent({ key: "partner-center:stale", ttlMs: HOUR }, null)).duplicate).toBe(false);
      // The old service's running jobs are pending again; the waiting request covers the shared pair.
      expect(await store.countJobs()).toEqual({ pending: 2, running: 0, dead: 1 });
      const sharedJob = (await store.listJobs({ linkKey: shared }))[0]!;
      expect(sharedJob.reasons).toEqual(["edit during the run"]);
      expect((await store.listJobs({ linkKey: imported }))[0]).toMatchObject({ state: "pending", leaseOwner: null });
      // New rows continue after the copied ids.
      const fresh = await store.enqueue({ linkKey: "opportunity:new", reasons: ["after"] });
      expect(fresh.jobId).toBeGreaterThan(Math.max(...(await store.listJobs()).filter((j) => j.linkKey !== "opportunity:new").map((j) => j.id)));
      await store.appendAudit(shared, [{ at: "2026-12-02T00:00:00Z", direction: "Partner Center → CRM", action: "updated", detail: "after the move" }]);
      expect((await store.listAudit(shared, 1))[0]?.detail).toBe("after the move");
    } finally {
      await store.close();
    }
  });

  it("refuses a target that already holds sync data and changes nothing", async () => {
    await deploymentOnSqlite(Date.now());
    expect(await runCli(["store", "migrate", "--to", targetUrl, "--from", sqlitePath], recordedIo())).toBe(0);
    const io = recordedIo();
    expect(await runCli(["store", "migrate", "--to", targetUrl, "--from", sqlitePath], io)).toBe(1);
    expect(io.text()).toMatch(/not empty \(links: 2, base_snapshots: 1.*\)\. Migrating copies into an empty store only/);
    const store = await new PostgresSyncStore({ url: targetUrl }).ready();
    expect((await store.pgPool.query("SELECT COUNT(*)::int AS n FROM links")).rows[0]).toEqual({ n: 2 });
    await store.close();
  });

  it("says what to fix for a missing SQLite file or a URL that is not PostgreSQL", async () => {
    const io = recordedIo();
    expect(await runCli(["store", "migrate", "--to", targetUrl, "--from", "/nonexistent/cosell.sqlite"], io)).toBe(2);
    expect(io.text()).toMatch(/No SQLite store at \/nonexistent\/cosell\.sqlite: pass --from/);
    const wrong = recordedIo();
    expect(await runCli(["store", "migrate", "--to", "mysql://db/cosell", "--from", sqlitePath], wrong)).toBe(2);
    expect(wrong.text()).toMatch(/--to must be a PostgreSQL URL/);
  });
});
