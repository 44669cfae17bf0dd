import { describe, expect, it } from "vitest";
import { CLOCK_RESOLUTION_MS, mergeLink, observeSide, opportunityToMappedFields, referralToMappedFields, type MappedFields, type MergeInput } from "../../sync/engine";
import { CURRENCIES, opportunityRecord, referral } from "./engine-fixtures";

const base: MappedFields = opportunityToMappedFields(opportunityRecord(), { currencies: CURRENCIES });
const AT = "2026-11-25T10:03:12.345Z";

/** A merge of two first reads: each side's record time is the best guess of its fields' changes (field-clock.ts). */
function merge(crm: Partial<MappedFields>, pc: Partial<MappedFields>, extra: Partial<MergeInput> = {}) {
  const input = {
    base,
    crm: { ...base, ...crm },
    partnerCenter: { ...base, ...pc },
    crmModifiedAt: "2026-11-25T10:00:00Z",
    partnerCenterModifiedAt: "2026-11-25T09:00:00Z",
    at: AT,
    ...extra,
  };
  const clocks = {
    crm: observeSide(null, input.crm, input.crmModifiedAt, { resolutionMs: CLOCK_RESOLUTION_MS.crm }),
    partnerCenter: observeSide(null, input.partnerCenter, input.partnerCenterModifiedAt),
  };
  return mergeLink({ clocks, ...input });
}

describe("three-way merge", () => {
  it("writes a CRM-only change to Partner Center with one audit line", () => {
    const result = merge({ dealValue: 12000 }, {}, { base: { ...base, dealValue: 10000 }, partnerCenter: { ...base, dealValue: 10000 } });
    expect(result.partnerCenterPatch).toEqual({ dealValue: 12000 });
    expect(result.crmPatch).toEqual({});
    expect(result.base.dealValue).toBe(12000);
    expect(result.audit).toEqual([{ at: AT, direction: "CRM → Partner Center", action: "updated", detail: "deal value 10000 → 12000" }]);
  });

  it("writes a Partner Center-only change to the opportunity", () => {
    const result = merge({}, { closingDate: "2027-02-28", notes: "Customer asked for a PoC first." });
    expect(result.crmPatch).toEqual({ closingDate: "2027-02-28", notes: "Customer asked for a PoC first." });
    expect(result.partnerCenterPatch).toEqual({});
    expect(result.audit.map((a) => a.detail)).toEqual([
      "close date 2026-12-31 → 2027-02-28",
      // Long values are shortened to keep one readable line per change.
      "notes Migrate the on-prem warehouse to Fabric. Phase 1: assessm… → Customer asked for a PoC first.",
    ]);
  });

  it("writes nothing for the echo of our own write (both sides equal the base)", () => {
    // The opportunity and referral as they read back after a sync: differently formatted, same values.
    const crm = opportunityToMappedFields(opportunityRecord(), { currencies: CURRENCIES });
    const pc = referralToMappedFields(referral());
    const result = mergeLink({ base, crm, partnerCenter: pc, crmModifiedAt: null, partnerCenterModifiedAt: null, at: AT });
    expect(result).toMatchObject({ crmPatch: {}, partnerCenterPatch: {}, audit: [], conflicts: [], refusals: [] });
    expect(result.base).toEqual(base);
  });

  it("moves the base without writing when both sides made the same change", () => {
    const result = merge({ dealValue: 5 }, { dealValue: 5 });
    expect([result.crmPatch, result.partnerCenterPatch, result.audit]).toEqual([{}, {}, []]);
    expect(result.base.dealValue).toBe(5);
  });

  it("resolves a conflict by the later change time and names it in the audit", () => {
    const crmNewer = merge({ dealValue: 130000 }, { dealValue: 110000 });
    expect(crmNewer.partnerCenterPatch).toEqual({ dealValue: 130000 });
    expect(crmNewer.crmPatch).toEqual({});
    expect(crmNewer.conflicts).toMatchObject([{ field: "dealValue", winner: "crm", policy: "latest-wins", settledBy: "order", overruled: { side: "partnerCenter", value: "110000" } }]);
    expect(crmNewer.audit[0]).toMatchObject({
      action: "conflict",
      direction: "CRM → Partner Center",
      detail: "deal value changed on both sides (CRM 130000, Partner Center 110000); kept CRM 130000 (CRM changed it last)",
    });

    const pcNewer = merge({ dealValue: 130000 }, { dealValue: 110000 }, { partnerCenterModifiedAt: "2026-11-25T11:00:00Z" });
    expect(pcNewer.crmPatch).toEqual({ dealValue: 110000 });
    expect(pcNewer.partnerCenterPatch).toEqual({});
    expect(pcNewer.base.dealValue).toBe(110000);
  });

  it("lets the CRM's value win a conflict whose order is unknowable: times within the clocks' uncertainty, or unknown", () => {
    for (const times of [
      { crmModifiedAt: null, partnerCenterModifiedAt: null },
      { crmModifiedAt: "2026-11-25T10:00:00Z", partnerCenterModifiedAt: "2026-11-25T10:00:02.900Z" },
      { crmModifiedAt: "2026-11-25T10:00:03Z", partnerCenterModifiedAt: "2026-11-25T10:00:01.100Z" },
    ]) {
      const result = merge({ name: "A" }, { name: "B" }, times);
      expect(result.partnerCenterPatch, JSON.stringify(times)).toEqual({ name: "A" });
      expect(result.conflicts[0]).toMatchObject({ winner: "crm", settledBy: "policy", overruled: { side: "partnerCenter", value: "B" } });
      expect(result.audit[0]!.detail).toBe(
        "name changed on both sides (CRM A, Partner Center B); kept CRM A (order unknowable, the changes are within the clocks' uncertainty; settled by policy: the CRM's value wins)",
      );
    }
    // 3 s and more after the CRM's second, Partner Center's change is known to be the later one.
    expect(merge({ name: "A" }, { name: "B" }, { crmModifiedAt: "2026-11-25T10:00:00Z", partnerCenterModifiedAt: "2026-11-25T10:00:03.100Z" }).crmPatch).toEqual({ name: "B" });
  });

  it("applies the fixed policies, per field over the default", () => {
    const policy = { default: "crm-wins" as const, fields: { notes: "partner-center-wins" as const } };
    const result = merge(
      { name: "CRM name", notes: "CRM notes" },
      { name: "PC name", notes: "PC notes" },
      { policy, partnerCenterModifiedAt: "2030-01-01T00:00:00Z" },
    );
    expect(result.partnerCenterPatch).toEqual({ name: "CRM name" });
    expect(result.crmPatch).toEqual({ notes: "PC notes" });
    expect(result.conflicts.map((c) => [c.field, c.winner, c.policy])).toEqual([
      ["name", "crm", "crm-wins"],
      ["notes", "partnerCenter", "partner-center-wins"],
    ]);
  });

  it("sends an allowed status change (accept, then win) to Partner Center", () => {
    const pending = { ...base, status: { status: "New", substatus: "Pending" } as const };
    const accepted = mergeLink({
      base: pending,
      crm: { ...pending, status: { status: "Active", substatus: "Accepted" } },
      partnerCenter: pending,
      crmModifiedAt: null,
      partnerCenterModifiedAt: null,
      at: AT,
    });
    expect(accepted.partnerCenterPatch).toEqual({ status: { status: "Active", substatus: "Accepted" } });
    const won = merge({ status: { status: "Closed", substatus: "Won" } }, {});
    expect(won.partnerCenterPatch).toEqual({ status: { status: "Closed", substatus: "Won" } });
    expect(won.audit[0]?.detail).toBe("status Active/Accepted → Closed/Won");
  });

  it("refuses a status move Partner Center does not allow and sets the opportunity back", () => {
    const result = merge({ status: { status: "New", substatus: "Pending" } }, {});
    expect(result.partnerCenterPatch).toEqual({});
    expect(result.crmPatch).toEqual({ status: { status: "Active", substatus: "Accepted" } });
    expect(result.refusals).toEqual([{ field: "status", reason: "status cannot move from Active to New" }]);
    expect(result.audit[0]).toMatchObject({ action: "refused", direction: "CRM → Partner Center" });
  });

  it("refuses Microsoft's help on a referral without a customer contact instead of sending what Partner Center rejects", () => {
    const noHelp = { ...base, helpCode: null };
    const result = merge({ helpCode: "ProofOfConceptOrDemo" }, {}, { base: noHelp, partnerCenter: noHelp, partnerCenterHasCustomerContact: false });
    expect(result.partnerCenterPatch).toEqual({});
    expect(result.crmPatch).toEqual({ helpCode: null });
    expect(result.refusals[0]?.reason).toContain("customer contact");
    expect(result.audit[0]).toMatchObject({ action: "refused", direction: "CRM → Partner Center" });
    // With a contact on the referral the same change is sent.
    const sent = merge({ helpCode: "ProofOfConceptOrDemo" }, {}, { base: noHelp, partnerCenter: noHelp, partnerCenterHasCustomerContact: true });
    expect(sent.partnerCenterPatch).toEqual({ helpCode: "ProofOfConceptOrDemo" });
  });

  it("on a closed referral a field changed on both sides keeps Partner Center's value and says the seller's was refused", () => {
    const closed = { ...base, status: { status: "Closed", substatus: "Won" } as const };
    const result = mergeLink({
      base: { ...base, currency: "EUR" },
      crm: { ...base, currency: "USD" },
      partnerCenter: { ...closed, currency: "GBP" },
      // Partner Center's time is the close's, later than both edits: it says nothing about the currency.
      crmModifiedAt: "2026-11-25T10:00:09Z",
      partnerCenterModifiedAt: "2026-11-25T10:00:09.877Z",
      at: AT,
    });
    expect(result.partnerCenterPatch).toEqual({});
    expect(result.crmPatch).toMatchObject({ currency: "GBP" });
    expect(result.conflicts).toEqual([]);
    expect(result.audit.find((a) => a.detail.startsWith("currency"))).toMatchObject({ action: "refused" });
    expect(result.audit.find((a) => a.detail.startsWith("currency"))?.detail).toContain("→ USD: the referral is Closed/Won");
  });

  it("sends nothing to a closed referral and keeps its outcome over a newer CRM edit", () => {
    const closed = { ...base, status: { status: "Closed", substatus: "Lost" } as const };
    const result = mergeLink({
      base: closed,
      crm: { ...closed, dealValue: 1, status: { status: "Closed", substatus: "Won" } },
      partnerCenter: closed,
      crmModifiedAt: "2030-01-01T00:00:00Z",
      partnerCenterModifiedAt: null,
      at: AT,
    });
    expect(result.partnerCenterPatch).toEqual({});
    expect(result.crmPatch).toEqual({ dealValue: base.dealValue, status: { status: "Closed", substatus: "Lost" } });
    expect(result.refusals.map((r) => r.field)).toEqual(["dealValue", "status"]);
    expect(result.audit.every((a) => a.detail.includes("a closed referral accepts no changes"))).toBe(true);
  });

  it("never withdraws consent to share with Microsoft sellers", () => {
    const oneSide = merge({ shareWithMicrosoftSellers: false }, {});
    expect(oneSide.partnerCenterPatch).toEqual({});
    expect(oneSide.crmPatch).toEqual({ shareWithMicrosoftSellers: true });
    const notYet = { ...base, shareWithMicrosoftSellers: false };
    const conflict = mergeLink({
      base: { ...notYet, name: "x" },
      crm: { ...notYet, shareWithMicrosoftSellers: true, name: "y" },
      partnerCenter: { ...notYet, name: "z" },
      crmModifiedAt: null,
      partnerCenterModifiedAt: "2030-01-01T00:00:00Z",
      at: AT,
    });
    expect(conflict.partnerCenterPatch.shareWithMicrosoftSellers).toBe(true);
  });

  it("treats every difference as a conflict on the first sync (no base yet)", () => {
    const crm = { ...base, dealValue: 1 };
    const result = merge(crm, base, { base: null, crm, partnerCenter: base, crmModifiedAt: "2026-01-01T00:00:00Z", partnerCenterModifiedAt: "2026-01-02T00:00:00Z" });
    expect(result.conflicts.map((c) => c.field)).toEqual(["dealValue"]);
    expect(result.crmPatch).toEqual({ dealValue: base.dealValue });
  });
});
