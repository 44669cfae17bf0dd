/**
 * The crash-recovery rules of a sync job (sync/worker/recovery-rules.ts), over the in-memory store:
 * each test stops a job where a crash could stop it and checks what the retry then finds.
 */
import { describe, expect, it } from "vitest";
import { OpportunityColumns as OC, OpportunityStandardColumns as OS } from "../../entities";
import { formatAuditLine, referralToMappedFields, type AuditEntry, type MappedFields } from "../../sync/engine";
import { StaleBaseError } from "../../sync/store";
import type { CrmRow } from "../../sync/worker/crm-gateway";
import * as rules from "../../sync/worker/recovery-rules";
import { OPPORTUNITY_ID, REFERRAL_ID, opportunityRecord, referral } from "../engine/engine-fixtures";
import { InMemorySyncStore } from "../support/in-memory-sync-store";

const KEY = `opportunity:${OPPORTUNITY_ID}`;
const shared = referralToMappedFields(referral());
const line = (at: string, detail: string): AuditEntry => ({ at, direction: "CRM → Partner Center", action: "updated", detail });
const row = (overrides: Record<string, unknown> = {}): CrmRow => ({ id: OPPORTUNITY_ID, etag: 'W/"1"', record: opportunityRecord(overrides) });

async function linkedStore(): Promise<InMemorySyncStore> {
  const store = new InMemorySyncStore();
  await store.saveLink({ key: KEY, opportunityId: OPPORTUNITY_ID, referralId: REFERRAL_ID });
  return store;
}

describe("commit the base early", () => {
  it("a share's base keeps the opportunity's values, with Partner Center's status where the form had none", async () => {
    const store = await linkedStore();
    const onForm: MappedFields = { ...shared, dealValue: 99, status: null };
    const entry = line("2026-11-25T10:00:00.000Z", "referral shared");
    const base = await rules.commitSharedBase(store, KEY, { opportunity: onForm, referral: shared, entry });
    expect(base.version).toBe(1);
    expect((await store.getBase(KEY))?.fields).toEqual({ ...onForm, status: shared.status });
    expect((await store.listAudit(KEY)).map((e) => e.detail)).toEqual(["referral shared"]);
    // A second share of the same opportunity (another worker got there first) is a race, not a second base.
    await expect(rules.commitSharedBase(store, KEY, { opportunity: onForm, referral: shared, entry })).rejects.toBeInstanceOf(StaleBaseError);
  });

  it("the share's write-back makes Partner Center's values the base only when it changed something", async () => {
    const store = await linkedStore();
    const first = await rules.commitSharedBase(store, KEY, { opportunity: shared, referral: shared, entry: line("2026-11-25T10:00:00.000Z", "shared") });
    await rules.commitWriteBack(store, KEY, first, shared, {});
    expect((await store.getBase(KEY))?.version).toBe(1);
    await rules.commitWriteBack(store, KEY, first, shared, { shareWithMicrosoftSellers: true });
    expect((await store.getBase(KEY))?.version).toBe(2);
  });

  it("an import's base is the copy, stored with Partner Center's clock before the opportunity exists, and again on a retry", async () => {
    const store = await linkedStore();
    await rules.commitImportedBase(store, KEY, shared, "2026-11-25T09:00:00Z");
    const clocks = await store.updateFieldClocks(KEY, (known) => known!);
    expect(clocks.crm).toBeNull();
    expect(clocks.partnerCenter).not.toBeNull();
    // The retry of an import that crashed after its base commits over it instead of failing.
    await rules.commitImportedBase(store, KEY, { ...shared, notes: "edited since" }, "2026-11-25T09:05:00Z");
    expect((await store.getBase(KEY))?.fields.notes).toBe("edited since");
  });
});

describe("interrupted links", () => {
  it("our own outgoing referral found with no base is an interrupted share", () => {
    expect(rules.interruptedLink(row(), referral(), null)).toBe("share");
    expect(rules.interruptedLink(row(), referral({ direction: "Incoming" }), null)).toBeNull();
  });

  it("an opportunity carrying the referral id, created in the second the referral last changed, is an interrupted import", () => {
    const imported = row({ [OC.referralIdentifier]: REFERRAL_ID, [OS.createdOn]: "2026-11-25T09:00:00Z" });
    const incoming = { externalReferenceId: null, direction: "Incoming" as const };
    expect(rules.interruptedLink(imported, referral({ ...incoming, updatedDateTime: "2026-11-25T09:00:00.900Z" }), null)).toBe("import");
    // Changed after the opportunity was created: the referral is no longer what the import copied.
    expect(rules.interruptedLink(imported, referral({ ...incoming, updatedDateTime: "2026-11-25T09:00:01Z" }), null)).toBeNull();
  });

  it("with a base nothing is taken for interrupted", async () => {
    const store = await linkedStore();
    const base = await rules.commitRecoveredBase(store, KEY, shared, []);
    expect(rules.interruptedLink(row(), referral(), base)).toBeNull();
  });
});

describe("pending and landed pushes", () => {
  it("after a crash between the push and its commit, the fields Partner Center holds join the base and the others do not", async () => {
    const store = await linkedStore();
    const base = await rules.commitRecoveredBase(store, KEY, shared, []);
    await rules.notePendingPush(store, KEY, base, { dealValue: 150000, notes: "never landed" });
    // The crash: nothing committed. Partner Center holds the new deal value; a user changed the notes since.
    const now: MappedFields = { ...shared, dealValue: 150000, notes: "a Partner Center user's" };
    const recovered = await rules.recoverPendingPush(store, KEY, await store.getBase(KEY), now);
    expect(recovered?.fields.dealValue).toBe(150000);
    expect(recovered?.fields.notes).toBe(shared.notes);
    expect((await store.getBase(KEY))?.pendingPush).toBeNull();
    // Nothing pending: the base is left as it is.
    expect(await rules.recoverPendingPush(store, KEY, recovered, now)).toBe(recovered);
  });

  it("a pending push noted on a base another worker has moved on from is a race", async () => {
    const store = await linkedStore();
    const base = await rules.commitRecoveredBase(store, KEY, shared, []);
    await rules.commitMerge(store, KEY, base, shared, []);
    await expect(rules.notePendingPush(store, KEY, base, { dealValue: 1 })).rejects.toBeInstanceOf(StaleBaseError);
  });

  it("a landed push joins the base with its audit lines before the opportunity is written; the merge then commits on top", async () => {
    const store = await linkedStore();
    const base = await rules.commitRecoveredBase(store, KEY, shared, []);
    const landed = await rules.commitLandedPush(store, KEY, base, { dealValue: 150000 }, [line("2026-11-25T10:00:00.000Z", "deal value pushed")]);
    expect(landed.fields).toEqual({ ...shared, dealValue: 150000 });
    await expect(rules.commitMerge(store, KEY, base, shared, [])).rejects.toBeInstanceOf(StaleBaseError);
    await rules.commitMerge(store, KEY, landed, { ...shared, dealValue: 150000 }, [line("2026-11-25T10:00:00.000Z", "name updated")]);
    expect((await store.listAudit(KEY)).map((e) => e.detail)).toEqual(["name updated", "deal value pushed"]);
  });
});

describe("own-write marks", () => {
  it("our referral write is never counted as a Partner Center user's change, whether its webhook comes before or after", async () => {
    const store = new InMemorySyncStore();
    await store.recordReferralChange(REFERRAL_ID, Date.parse("2026-11-25T09:59:00Z"), false);
    await store.recordReferralChange(REFERRAL_ID, Date.parse("2026-11-25T10:00:00Z"), false);
    await rules.noteOwnReferralChange(store, referral({ updatedDateTime: "2026-11-25T10:00:00Z" }));
    await rules.noteOwnReferralChange(store, referral({ updatedDateTime: "2026-11-25T10:01:00Z" }));
    await store.recordReferralChange(REFERRAL_ID, Date.parse("2026-11-25T10:01:00Z"), false);
    expect(await store.referralChangeTimes(REFERRAL_ID)).toEqual([Date.parse("2026-11-25T09:59:00Z")]);
  });

  it("our opportunity writes are marked with their value (never a time of our clock) on the link's clocks; an empty write marks nothing", async () => {
    const store = await linkedStore();
    await rules.noteOwnCrmWrites(store, KEY, {});
    expect(await store.updateFieldClocks(KEY, (known) => known ?? { crm: null, partnerCenter: null })).toEqual({ crm: null, partnerCenter: null });
    await rules.noteOwnCrmWrites(store, KEY, { dealValue: 150000 });
    const clocks = await store.updateFieldClocks(KEY, (known) => known!);
    expect(clocks.crmOwnWrites?.dealValue).toEqual({ value: 150000 });
  });

  it("a read observes both sides and leaves our own opportunity writes out of the seller's edits", async () => {
    const store = await linkedStore();
    const crmFields: MappedFields = { ...shared, dealValue: 150000 };
    const opportunity = row({ [OS.modifiedOn]: "2026-11-25T10:00:00Z" });
    await rules.noteOwnCrmWrites(store, KEY, { dealValue: 150000 });
    const clocks = await rules.observePair(store, KEY, { fields: crmFields, row: opportunity, writtenAt: {} }, { fields: shared, row: referral(), changeTimes: [] });
    expect(clocks.crm).not.toBeNull();
    expect(clocks.partnerCenter).not.toBeNull();
    expect(clocks.crmOwnWrites?.dealValue).toBeDefined();
    // Stored: the next update starts from it.
    expect(await store.updateFieldClocks(KEY, (known) => known!)).toEqual(clocks);
  });
});

describe("audit copy-back", () => {
  it("lines our last write put on the record but a crash kept from the log are copied over, once", async () => {
    const store = await linkedStore();
    const stored = line("2026-11-25T10:00:00.000Z", "stored before the crash");
    await store.appendAudit(KEY, [stored]);
    const lost = [line("2026-11-25T10:05:00.000Z", "name lost"), line("2026-11-25T10:05:00.000Z", "deal value lost")];
    const older = line("2026-11-25T09:00:00.000Z", "older than the log, not ours to copy");
    const onRecord = [...lost, stored, older].map(formatAuditLine).join("\n") + "\nsomeone's own note";
    await rules.copyBackAuditLines(store, KEY, row({ [OC.audit]: onRecord }));
    await rules.copyBackAuditLines(store, KEY, row({ [OC.audit]: onRecord }));
    const details = (await store.listAudit(KEY)).map((e) => e.detail);
    // (Both lost lines share the merge's time; their order among themselves is not asserted.)
    expect([...details.slice(0, 2)].sort()).toEqual(["deal value lost", "name lost"]);
    expect(details.slice(2)).toEqual(["stored before the crash"]);
  });
});
