/**
 * A merge cut short by a crash, then retried: the merge-pair story over the in-memory store and fake
 * Dataverse and Partner Center clients that keep one record each and can fail a write once. What the
 * seller would notice: a value is pushed once, no conflict is made up, the audit says it once.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ReferralsClient } from "../../sync/partner-center/referrals-client";
import { PartnerCenterError } from "../../sync/partner-center/partner-center-error";
import type { JsonPatchOperation, Referral } from "../../sync/partner-center/referral-types";
import { referralToMappedFields } from "../../sync/engine";
import type { CrmGateway, CrmRow } from "../../sync/worker/crm-gateway";
import { mergePair } from "../../sync/worker/merge-pair.story";
import { storyContext } from "../../sync/worker/story-context";
import { CURRENCIES, OPPORTUNITY_ID, REFERRAL_ID, linkedAndSyncedColumns, opportunityRecord, referral, referralLink } from "../engine/engine-fixtures";
import { InMemorySyncStore } from "../support/in-memory-sync-store";

const KEY = `opportunity:${OPPORTUNITY_ID}`;

/** One opportunity, If-Match on every write; `failNextUpdate` makes the next PATCH die as a crash would. */
class FakeCrm {
  etag = 1;
  record: Record<string, unknown>;
  updates: Record<string, unknown>[] = [];
  failNextUpdate = false;
  constructor(overrides: Record<string, unknown>) {
    this.record = { ...opportunityRecord(), ...overrides };
  }
  row(): CrmRow {
    return { id: OPPORTUNITY_ID, etag: `W/"${this.etag}"`, record: { ...this.record } };
  }
  async currencyList() {
    return CURRENCIES;
  }
  async updateOpportunity(_id: string, etag: string, body: Record<string, unknown>): Promise<void> {
    if (this.failNextUpdate) {
      this.failNextUpdate = false;
      throw new Error("simulated crash before the opportunity write");
    }
    if (etag !== `W/"${this.etag}"`) throw new Error("412");
    this.updates.push(body);
    this.record = { ...this.record, ...body };
    this.etag++;
  }
}

/** One referral; a patch is conditional on its eTag and applies the operations' paths. */
class FakeReferrals {
  patches: (readonly JsonPatchOperation[])[] = [];
  minute = 10;
  constructor(public current: Referral) {}
  async get(): Promise<Referral> {
    return this.current;
  }
  async patch(_id: string, operations: readonly JsonPatchOperation[], options: { eTag?: string }): Promise<Referral> {
    if (options.eTag !== this.current.eTag) throw new PartnerCenterError("precondition failed", { status: 412, code: "preconditionFailed", retryable: false });
    this.patches.push(operations);
    const next = JSON.parse(JSON.stringify(this.current)) as Record<string, unknown>;
    for (const op of operations) {
      const path = op.path.split("/").slice(1);
      let at = next;
      for (const part of path.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
      at[path.at(-1)!] = "value" in op ? op.value : undefined;
    }
    this.current = { ...(next as unknown as Referral), eTag: `"0x${this.patches.length + 1}"`, updatedDateTime: `2026-12-01T12:${this.minute++}:00Z` };
    return this.current;
  }
}

async function pairInSync() {
  const store = new InMemorySyncStore();
  await store.saveLink({ key: KEY, opportunityId: OPPORTUNITY_ID, referralId: REFERRAL_ID });
  const shared = referral();
  await store.commitSync(KEY, { base: referralToMappedFields(shared), audit: [], expectedVersion: null });
  const crm = new FakeCrm({
    ...linkedAndSyncedColumns(),
  });
  const referrals = new FakeReferrals(shared);
  const ctx = storyContext({
    store,
    crm: crm as unknown as CrmGateway,
    referrals: referrals as unknown as ReferralsClient,
    referralLink,
    logger: pino({ level: "silent" }),
    clock: () => new Date("2026-12-01T12:00:00Z"),
  });
  const merge = () => mergePair(ctx, crm.row(), referrals.current, null, { columnTimes: {}, microsoftCrmId: null, awaitWriteTimes: false });
  return { store, crm, referrals, merge };
}

describe("a merge interrupted by a crash", () => {
  it("after the push landed but before the opportunity was written, the retry pushes nothing again and the audit says it once", async () => {
    const { store, crm, referrals, merge } = await pairInSync();
    crm.record = { ...crm.record, estimatedvalue: 150000 };
    crm.failNextUpdate = true;
    await expect(merge()).rejects.toThrow(/simulated crash/);
    expect(referrals.patches).toHaveLength(1);

    // The landed push was committed before the crash: both sides and the base agree, nothing is written.
    expect(await merge()).toBe("unchanged");
    expect(referrals.patches).toHaveLength(1);
    expect(crm.updates).toHaveLength(0);
    expect((await store.getBase(KEY))?.fields.dealValue).toBe(150000);
    const log = (await store.listAudit(KEY)).map((e) => e.detail);
    expect(log.filter((line) => /deal value/i.test(line))).toHaveLength(1);
  });

  it("after the push landed but before its commit, the seller's next edit is pushed as an edit, not settled as a conflict", async () => {
    const { store, crm, referrals, merge } = await pairInSync();
    crm.record = { ...crm.record, estimatedvalue: 150000 };
    // The crash: the push is sent and lands, its commit never runs.
    const commitSync = store.commitSync.bind(store);
    let crashed = false;
    store.commitSync = async (key, commit) => {
      if (!crashed && referrals.patches.length === 1) {
        crashed = true;
        throw new Error("simulated crash before the landed push's commit");
      }
      return commitSync(key, commit);
    };
    await expect(merge()).rejects.toThrow(/simulated crash/);
    expect((await store.getBase(KEY))?.pendingPush).toEqual({ dealValue: 150000 });

    crm.record = { ...crm.record, estimatedvalue: 160000 };
    expect(await merge()).toBe("synced");
    expect(referrals.patches.at(-1)).toContainEqual({ op: "replace", path: "/details/dealValue", value: 160000 });
    expect(referralToMappedFields(referrals.current).dealValue).toBe(160000);
    const log = (await store.listAudit(KEY)).map((e) => e.detail).join("\n");
    expect(log).not.toMatch(/conflict/i);
  });
});
