/**
 * The SyncStore contract, run unchanged against every engine (store-engines.ts): SQLite always,
 * PostgreSQL when reachable (in CI it must be). Engine-specific checks live in sqlite-store.test.ts
 * and postgres-store.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EMPTY_MAPPED_FIELDS, noteOwnWrites, observeSide, type AuditEntry } from "../../sync/engine";
import { LinkConflictError, REFERRAL_CHANGES_KEPT, SchemaTooNewError, StaleBaseError, opportunityLinkKey, referralLinkKey } from "../../sync/store";
import { enginesUnderTest } from "./store-engines";

const KEY = opportunityLinkKey("0B6F3C1E-5A7D-4E8F-9A10-2B3C4D5E6F70");
const audit = (detail: string): AuditEntry => ({ at: "2026-11-25T10:03:12Z", direction: "CRM → Partner Center", action: "updated", detail });

describe.each(await enginesUnderTest())("SyncStore on $name", (engine) => {
  let now: number;
  const clock = () => now;
  const open = (maxAttempts?: number) => engine.open({ clock, maxAttempts });

  beforeEach(async () => {
    await engine.setup();
    now = Date.UTC(2026, 10, 25, 10, 0, 0);
  });
  afterEach(() => engine.teardown());

  describe("schema migrations", () => {
    it("creates every table on a fresh store and applies nothing again on re-open", async () => {
      const store = await open();
      await store.close();
      expect(await engine.appliedVersions()).toEqual(engine.knownVersions);
      const again = await open();
      await again.close();
      expect(await engine.appliedVersions()).toEqual(engine.knownVersions);
    });

    it("keeps data across a re-open", async () => {
      const store = await open();
      await store.saveLink({ key: KEY, opportunityId: "opp-1" });
      await store.close();
      const again = await open();
      expect(await again.getLink(KEY)).toMatchObject({ opportunityId: "opp-1" });
      await again.close();
    });

    it("refuses a database written by a newer schema", async () => {
      await (await open()).close();
      await engine.writeFutureSchemaVersion();
      await expect(open()).rejects.toThrow(SchemaTooNewError);
    });
  });

  describe("links and base snapshots", () => {
    it("finds a link from either side, ignoring GUID case, and refuses to link a referral twice", async () => {
      const store = await open();
      await store.saveLink({ key: KEY, opportunityId: "0B6F3C1E", referralId: "7A1E" });
      await store.saveLink({ key: KEY, accountId: "acc-1" });
      expect(await store.findLinkByReferralId("7a1e")).toMatchObject({ key: KEY, opportunityId: "0B6F3C1E", accountId: "acc-1" });
      expect(await store.findLinkByOpportunityId("0b6f3c1e")).toMatchObject({ key: KEY });
      await expect(store.saveLink({ key: referralLinkKey("7a1e"), referralId: "7A1E" })).rejects.toThrow(LinkConflictError);
      await store.close();
    });

    it("commits the base with its audit lines and rejects a stale commit", async () => {
      const store = await open();
      await store.saveLink({ key: KEY, opportunityId: "opp" });
      const first = await store.commitSync(KEY, { base: { ...EMPTY_MAPPED_FIELDS, dealValue: 10000 }, audit: [audit("created")], expectedVersion: null });
      expect(first.version).toBe(1);
      await store.commitSync(KEY, { base: { ...EMPTY_MAPPED_FIELDS, dealValue: 12000 }, audit: [audit("deal value 10000 → 12000")], expectedVersion: 1 });
      await expect(store.commitSync(KEY, { base: EMPTY_MAPPED_FIELDS, audit: [audit("zombie")], expectedVersion: 1 })).rejects.toThrow(StaleBaseError);

      expect((await store.getBase(KEY))?.fields.dealValue).toBe(12000);
      expect((await store.listAudit(KEY)).map((a) => a.detail)).toEqual(["deal value 10000 → 12000", "created"]);
      await store.deleteLink(KEY);
      expect(await store.getBase(KEY)).toBeNull();
      expect(await store.listAudit(KEY)).toHaveLength(2); // the full log outlives "stop syncing"
      await store.close();
    });
  });

  describe("field clocks", () => {
    it("keeps each side's field clock across a re-open, stores nothing for an unknown link and drops it with the link", async () => {
      let store = await open();
      const crm = observeSide(null, { ...EMPTY_MAPPED_FIELDS, dealValue: 1 }, "2026-11-25T10:00:00Z");
      expect(await store.updateFieldClocks("opportunity:nobody", () => ({ crm, partnerCenter: null }))).toEqual({ crm, partnerCenter: null });
      await store.saveLink({ key: KEY, opportunityId: "opp" });
      expect(await store.updateFieldClocks(KEY, (known) => ({ crm, partnerCenter: known?.partnerCenter ?? null }))).toEqual({ crm, partnerCenter: null });
      await store.close();
      store = await open();
      const later = observeSide(crm, { ...EMPTY_MAPPED_FIELDS, dealValue: 2 }, "2026-11-25T10:00:05Z");
      const stored = await store.updateFieldClocks(KEY, (known) => ({ crm: observeSide(known?.crm ?? null, { ...EMPTY_MAPPED_FIELDS, dealValue: 2 }, "2026-11-25T10:00:05Z"), partnerCenter: null }));
      expect(stored.crm).toEqual(later);
      expect(stored.crm?.windows.dealValue).toMatchObject({ after: Date.parse("2026-11-25T10:00:00Z"), by: Date.parse("2026-11-25T10:00:05Z") });
      // Our own writes of the opportunity come back after a re-open with the clocks.
      const ownWrites = noteOwnWrites(undefined, { dealValue: 3, name: "Contoso" }, Date.parse("2026-11-25T10:00:06.120Z"));
      await store.updateFieldClocks(KEY, (known) => ({ crm: known?.crm ?? null, partnerCenter: null, crmOwnWrites: ownWrites }));
      await store.close();
      store = await open();
      await store.updateFieldClocks(KEY, (known) => {
        expect(known).toEqual({ crm: later, partnerCenter: null, crmOwnWrites: ownWrites });
        return known!;
      });
      await store.updateFieldClocks("opportunity:nobody", (known) => {
        expect(known).toBeNull();
        return { crm: null, partnerCenter: null };
      });
      await store.deleteLink(KEY);
      await store.updateFieldClocks(KEY, (known) => {
        expect(known).toBeNull();
        return { crm: null, partnerCenter: null };
      });
      await store.close();
    });
  });

  describe("referral change times", () => {
    it("keeps the times of others' changes, oldest first, leaves out ours whichever comes first, and only the newest per referral", async () => {
      const store = await open();
      const t0 = Date.parse("2026-11-25T10:00:00Z");
      await store.recordReferralChange("ref-1", t0 + 300, false);
      await store.recordReferralChange("ref-1", t0 + 100, false);
      await store.recordReferralChange("ref-1", t0 + 100, false); // a duplicated event
      await store.recordReferralChange("ref-1", t0 + 200, true); // our write, its event still to come …
      await store.recordReferralChange("ref-1", t0 + 200, false); // … and here it is
      await store.recordReferralChange("ref-1", t0 + 300, true); // our write whose event came first
      await store.recordReferralChange("ref-2", t0 + 50, false);
      expect(await store.referralChangeTimes("ref-1")).toEqual([t0 + 100]);
      for (let i = 1; i <= REFERRAL_CHANGES_KEPT + 5; i++) await store.recordReferralChange("ref-1", t0 + 1000 * i, false);
      const kept = await store.referralChangeTimes("ref-1");
      expect(kept).toHaveLength(REFERRAL_CHANGES_KEPT);
      expect(kept.at(-1)).toBe(t0 + 1000 * (REFERRAL_CHANGES_KEPT + 5));
      expect(await store.referralChangeTimes("ref-2")).toEqual([t0 + 50]);
      await store.close();
    });
  });

  describe("pending push", () => {
    it("notes the fields being written to Partner Center on the base it read, refuses a stale version, and the next commit clears them", async () => {
      const store = await open();
      await store.saveLink({ key: KEY, opportunityId: "opp" });
      const base = await store.commitSync(KEY, { base: { ...EMPTY_MAPPED_FIELDS, dealValue: 10000 }, audit: [], expectedVersion: null });
      await store.notePendingPush(KEY, base.version, { dealValue: 20000 });
      expect((await store.getBase(KEY))?.pendingPush).toEqual({ dealValue: 20000 });
      await expect(store.notePendingPush(KEY, base.version + 1, { dealValue: 1 })).rejects.toThrow(StaleBaseError);
      await store.commitSync(KEY, { base: { ...EMPTY_MAPPED_FIELDS, dealValue: 20000 }, audit: [], expectedVersion: base.version });
      expect((await store.getBase(KEY))?.pendingPush).toBeNull();
      await store.close();
    });
  });

  describe("column change times", () => {
    it("keeps the latest write time per opportunity column, whatever order the webhooks arrive in", async () => {
      const store = await open();
      await store.recordColumnChanges("0B6F3C1E", ["name", "estimatedvalue"], 2_000);
      await store.recordColumnChanges("0b6f3c1e", ["name"], 1_000); // a late, older delivery
      await store.recordColumnChanges("0b6f3c1e", ["estimatedvalue"], 3_000);
      expect(await store.columnChangeTimes("0B6F3C1E")).toEqual({ name: 2_000, estimatedvalue: 3_000 });
      expect(await store.columnChangeTimes("other")).toEqual({});
      await store.close();
    });
  });

  describe("jobs", () => {
    it("coalesces requests for the same link into one pending job", async () => {
      const store = await open();
      const a = await store.enqueue({ linkKey: KEY, opportunityId: "opp", reasons: ["dataverse:update"] });
      const b = await store.enqueue({ linkKey: KEY, referralId: "ref", reasons: ["partner-center:updated", "dataverse:update"] });
      await store.enqueue({ linkKey: "other", reasons: ["reconcile"] });
      expect(b).toEqual({ jobId: a.jobId, coalesced: true });
      expect(await store.getJob(a.jobId)).toMatchObject({
        opportunityId: "opp",
        referralId: "ref",
        reasons: ["dataverse:update", "partner-center:updated"],
      });
      expect(await store.countJobs()).toEqual({ pending: 2, running: 0, dead: 0 });
      await store.close();
    });

    it("runs one job per link at a time; a request during the run waits as a new job", async () => {
      const store = await open();
      await store.enqueue({ linkKey: KEY, reasons: ["first"] });
      const running = await store.claimNext({ workerId: "w1", leaseMs: 30_000 });
      expect(running).toMatchObject({ state: "running", attempts: 1, leaseOwner: "w1" });
      const during = await store.enqueue({ linkKey: KEY, reasons: ["second"] });
      expect(during.coalesced).toBe(false);
      expect(await store.claimNext({ workerId: "w2", leaseMs: 30_000 })).toBeNull();
      expect(await store.complete(running!.id, "w1")).toBe(true);
      expect(await store.claimNext({ workerId: "w2", leaseMs: 30_000 })).toMatchObject({ id: during.jobId, reasons: ["second"] });
      await store.close();
    });

    it("retries later keeping the backoff even when a new request arrives, then dead-letters", async () => {
      const store = await open();
      await store.enqueue({ linkKey: KEY, reasons: ["save"] });
      const job = (await store.claimNext({ workerId: "w", leaseMs: 1000 }))!;
      await store.retryLater(job.id, "w", { error: "429 Too Many Requests", runAt: now + 60_000 });
      await store.enqueue({ linkKey: KEY, reasons: ["another save"] });
      expect(await store.claimNext({ workerId: "w", leaseMs: 1000 })).toBeNull();
      now += 60_000;
      const again = (await store.claimNext({ workerId: "w", leaseMs: 1000 }))!;
      expect(again).toMatchObject({ id: job.id, attempts: 2, lastError: "429 Too Many Requests", reasons: ["save", "another save"] });
      expect(await store.deadLetter(again.id, "w", "Partner Center refused: invalid solution")).toBe(true);
      expect(await store.listJobs({ state: "dead" })).toMatchObject([{ linkKey: KEY, lastError: "Partner Center refused: invalid solution" }]);

      // "Sync now" queues a fresh job; its success clears the dead one.
      await store.enqueue({ linkKey: KEY, reasons: ["sync-now"] });
      const retry = (await store.claimNext({ workerId: "w", leaseMs: 1000 }))!;
      expect(retry.attempts).toBe(1);
      await store.complete(retry.id, "w");
      expect(await store.countJobs()).toEqual({ pending: 0, running: 0, dead: 0 });
      await store.close();
    });

    it("retries a killed worker's job once its lease expires, after the database is reopened", async () => {
      const first = await open();
      await first.enqueue({ linkKey: KEY, opportunityId: "opp", reasons: ["save"] });
      const claimed = (await first.claimNext({ workerId: "worker-1", leaseMs: 30_000 }))!;
      // Simulated crash: the process goes away without completing the job.
      await engine.crash(first);

      const second = await open();
      now += 10_000;
      expect(await second.claimNext({ workerId: "worker-2", leaseMs: 30_000 })).toBeNull(); // lease still held
      now += 25_000;
      const recovered = (await second.claimNext({ workerId: "worker-2", leaseMs: 30_000 }))!;
      expect(recovered).toMatchObject({ id: claimed.id, attempts: 2, leaseOwner: "worker-2", opportunityId: "opp" });
      expect(recovered.lastError).toMatch(/lease expired/);
      // The dead worker can no longer finish or fail the job it lost.
      expect(await second.complete(claimed.id, "worker-1")).toBe(false);
      expect(await second.retryLater(claimed.id, "worker-1", { error: "x", runAt: now })).toBe(false);
      expect(await second.extendLease(claimed.id, "worker-2", 30_000)).toBe(true);
      await second.close();
    });

    it("makes a stopped process's running jobs due at once, leaving live workers' jobs alone", async () => {
      const store = await open(2);
      await store.enqueue({ linkKey: "opportunity:a", reasons: ["save"] });
      await store.enqueue({ linkKey: "opportunity:b", reasons: ["save"] });
      const gone = (await store.claimNext({ workerId: "pid1-w0", leaseMs: 30_000 }))!;
      const live = (await store.claimNext({ workerId: "pid2-w0", leaseMs: 30_000 }))!;
      expect(await store.recoverLeasesOf((worker) => worker === "pid1-w0")).toBe(1);
      const again = (await store.claimNext({ workerId: "pid3-w0", leaseMs: 30_000 }))!;
      expect(again).toMatchObject({ id: gone.id, attempts: 2, leaseOwner: "pid3-w0" });
      expect(again.lastError).toMatch(/stopped before finishing/);
      expect(await store.getJob(live.id)).toMatchObject({ state: "running", leaseOwner: "pid2-w0" });
      // A job that has used every attempt (it may be what kills the process) is dead-lettered instead.
      expect(await store.recoverLeasesOf((worker) => worker === "pid3-w0")).toBe(1);
      expect(await store.getJob(gone.id)).toMatchObject({ state: "dead" });
      await store.close();
    });

    it("folds an expired job into a request queued meanwhile, and dead-letters a job that keeps killing workers", async () => {
      const store = await open(2);
      await store.enqueue({ linkKey: KEY, reasons: ["save"] });
      await store.claimNext({ workerId: "w1", leaseMs: 1000 });
      await store.enqueue({ linkKey: KEY, reasons: ["edit"] });
      now += 2000;
      const second = (await store.claimNext({ workerId: "w2", leaseMs: 1000 }))!;
      expect(second).toMatchObject({ attempts: 2, reasons: ["save", "edit"] });
      expect(await store.listJobs({ linkKey: KEY })).toHaveLength(1);
      now += 2000;
      expect(await store.claimNext({ workerId: "w3", leaseMs: 1000 })).toBeNull();
      expect(await store.listJobs({ state: "dead" })).toMatchObject([{ linkKey: KEY, attempts: 2 }]);
      await store.close();
    });
  });

  describe("processed events and watermarks", () => {
    it("enqueues a webhook delivery once and ignores its redelivery until the key expires", async () => {
      const store = await open();
      const event = { key: "partner-center:evt-1", ttlMs: 60 * 60_000 };
      const first = await store.acceptEvent(event, { linkKey: KEY, reasons: ["partner-center:referral-updated"] });
      expect(first).toMatchObject({ duplicate: false, enqueued: { coalesced: false } });
      expect(await store.acceptEvent(event, { linkKey: KEY, reasons: ["dup"] })).toEqual({ duplicate: true, enqueued: null });
      expect((await store.listJobs())[0]?.reasons).toEqual(["partner-center:referral-updated"]);

      now += 60 * 60_000;
      expect(await store.purgeExpiredEvents()).toBe(1);
      expect((await store.acceptEvent(event, null)).duplicate).toBe(false);
      await store.close();
    });

    it("stores watermarks and delta links across a re-open", async () => {
      const store = await open();
      expect(await store.getWatermark("dataverse:opportunity")).toBeNull();
      await store.setWatermark("dataverse:opportunity", "https://org.crm.dynamics.com/api/data/v9.2/opportunities?$deltatoken=919042");
      await store.setWatermark("partner-center:updatedDateTime", "2026-11-25T09:00:00Z");
      await store.setWatermark("partner-center:updatedDateTime", "2026-11-25T10:00:00Z");
      await store.close();
      const again = await open();
      expect(await again.getWatermark("dataverse:opportunity")).toContain("deltatoken=919042");
      expect(await again.getWatermark("partner-center:updatedDateTime")).toBe("2026-11-25T10:00:00Z");
      await again.close();
    });
  });
});
