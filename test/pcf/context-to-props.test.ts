/** What the section shows and allows, decided from the PCF context alone (no React, no host). */
import { describe, expect, it, vi } from "vitest";
import { HowCanMicrosoftHelp, ReferralDirection, ReferralStatus, SyncStatus } from "../../entities";
import type { CoSellOutputs } from "../../pcf/CoSellSection/CoSellSection.inputs";
import { mapContextToProps } from "../../pcf/CoSellSection/mapping/context-to-props";
import { mockContext, type MockOptions } from "./support/mock-context";

function map(options: MockOptions = {}) {
  const writes: CoSellOutputs[] = [];
  const props = mapContextToProps(mockContext(options), (changes) => writes.push(changes), () => new Date("2026-11-25T10:06:12Z"));
  return { props, writes };
}

const incoming = (status: number) => ({ referralDirection: ReferralDirection.Incoming, referralStatus: status });

describe("sync status", () => {
  it("is Not synced for a new opportunity and for an empty status", () => {
    expect(map().props.status).toEqual({ kind: "notSynced" });
    expect(map({ values: { syncStatus: SyncStatus.NotSynced } }).props.status).toEqual({ kind: "notSynced" });
  });

  it("is Pending while the backend works", () => {
    expect(map({ values: { syncStatus: SyncStatus.Pending } }).props.status).toEqual({ kind: "pending" });
  });

  it("is Synced with the last sync time", () => {
    const at = new Date("2026-11-25T10:03:12Z");
    expect(map({ values: { syncStatus: SyncStatus.Synced, lastSyncedOn: at } }).props.status).toEqual({ kind: "synced", lastSyncedOn: at });
  });

  it("is Error with the backend's plain-language reason, or none when it is blank", () => {
    const reason = "Partner Center needs the customer's country.";
    expect(map({ values: { syncStatus: SyncStatus.Error, syncError: ` ${reason} ` } }).props.status).toEqual({ kind: "error", reason });
    expect(map({ values: { syncStatus: SyncStatus.Error, syncError: "  " } }).props.status).toEqual({ kind: "error", reason: null });
  });

  it("hides the status, the error text and the sync time when field security masks them", () => {
    expect(map({ values: { syncStatus: SyncStatus.Synced }, security: { syncStatus: { readable: false, editable: false } } }).props.status)
      .toEqual({ kind: "masked" });
    const secret = map({
      values: { syncStatus: SyncStatus.Error, syncError: "secret detail" },
      security: { syncError: { readable: false, editable: false } },
    });
    expect(secret.props.status).toEqual({ kind: "error", reason: null });
    const time = map({ values: { syncStatus: SyncStatus.Synced, lastSyncedOn: new Date() }, security: { lastSyncedOn: { readable: false, editable: false } } });
    expect(time.props.status).toEqual({ kind: "synced", lastSyncedOn: null });
  });
});

describe("fields the seller edits", () => {
  it("shows the sync switch, help choice, share consent and solution ids from the record", () => {
    const { props } = map({
      values: {
        syncWithPartnerCenter: true,
        howCanMicrosoftHelp: HowCanMicrosoftHelp.ProofOfConceptOrDemo,
        shareWithMicrosoftSellers: false,
        products: "SOL-12345-ABC\r\n\nSOL-54321-XYZ\n",
      },
    });
    expect(props.sync).toEqual({ value: true, editable: true, masked: false });
    expect(props.help.value).toBe(HowCanMicrosoftHelp.ProofOfConceptOrDemo);
    expect(props.share).toMatchObject({ value: false, locked: false, editable: true });
    expect(props.solutions.value).toEqual(["SOL-12345-ABC", "SOL-54321-XYZ"]);
  });

  it("locks the share consent once it is Yes (Partner Center does not allow withdrawing it)", () => {
    expect(map({ values: { shareWithMicrosoftSellers: true } }).props.share).toMatchObject({ value: true, locked: true });
  });

  it("offers the host's localized help options, or the shipped labels when the host gives none", () => {
    const host = map({ hostOptions: true }).props.help.options;
    expect(host).toHaveLength(6);
    expect(host[0]).toEqual({ key: HowCanMicrosoftHelp.WorkloadSpecificValueProposition, text: "host: Workload-specific value proposition" });
    const italian = map({ languageId: 1040 }).props.help.options;
    expect(italian.map((o) => o.key)).toEqual(Object.values(HowCanMicrosoftHelp));
    expect(italian.find((o) => o.key === HowCanMicrosoftHelp.QuotesOrLicensing)?.text).toBe("Preventivi o licenze");
  });

  it("takes the solution list's length limit from the host's metadata", () => {
    expect(map({ maxLengths: { products: 2000 } }).props.solutions.maxLength).toBe(2000);
  });

  it("makes nothing editable when the form disables the control", () => {
    const { props } = map({ disabled: true, values: incoming(ReferralStatus.NewReceived) });
    expect([props.sync.editable, props.help.editable, props.share.editable, props.solutions.editable]).toEqual([false, false, false, false]);
    expect(props.answer).toMatchObject({ canAnswer: false, canDecline: false });
  });

  it("respects field security per column: read-only stays visible, unreadable is hidden", () => {
    const { props } = map({
      values: { products: "SOL-12345-ABC", howCanMicrosoftHelp: HowCanMicrosoftHelp.GeneralOrOther, syncWithPartnerCenter: true },
      security: { products: { readable: true, editable: false }, howCanMicrosoftHelp: { readable: false, editable: false } },
    });
    expect(props.solutions).toMatchObject({ value: ["SOL-12345-ABC"], editable: false, masked: false });
    expect(props.help).toMatchObject({ value: null, editable: false, masked: true });
    expect(props.sync).toEqual({ value: true, editable: true, masked: false });
  });
});

describe("referral", () => {
  it("passes the referral id, Microsoft's ids (CRM and the seller's MSX opportunity) and an https link to Partner Center", () => {
    const { props } = map({
      values: { referralIdentifier: "a1b2c3", referralLink: "https://partner.microsoft.com/dashboard/referrals/v2/a1b2c3", microsoftCrmIdentifier: "MS-42", microsoftMsxId: " 7-3FGH12K9L " },
    });
    expect(props.referral).toEqual({
      id: { value: "a1b2c3", editable: true, masked: false },
      link: "https://partner.microsoft.com/dashboard/referrals/v2/a1b2c3",
      microsoftCrmId: "MS-42",
      microsoftMsxId: "7-3FGH12K9L",
    });
  });

  it("never turns a non-web value into a link", () => {
    expect(map({ values: { referralLink: "javascript:alert(1)" } }).props.referral.link).toBeNull();
    expect(map({ values: { referralLink: "not a url" } }).props.referral.link).toBeNull();
  });

  it.each([
    ["New/Pending", ReferralStatus.NewPending],
    ["New/Received", ReferralStatus.NewReceived],
  ])("asks for an answer to an incoming referral that is %s", (_label, status) => {
    expect(map({ values: incoming(status) }).props.answer).toMatchObject({ canAnswer: true, canDecline: true });
  });

  it.each([
    ["incoming Active/Accepted", incoming(ReferralStatus.ActiveAccepted)],
    ["incoming Closed/Declined", incoming(ReferralStatus.ClosedDeclined)],
    ["outgoing New/Pending", { referralDirection: ReferralDirection.Outgoing, referralStatus: ReferralStatus.NewPending }],
    ["no referral", {}],
  ])("does not ask for an answer for %s", (_label, values) => {
    expect(map({ values }).props.answer).toBeNull();
  });

  it("allows Accept but not Decline when the user may not write the status reason", () => {
    const { props } = map({ values: incoming(ReferralStatus.NewPending), security: { statusReason: { readable: true, editable: false } } });
    expect(props.answer).toMatchObject({ canAnswer: true, canDecline: false });
  });
});

describe("outputs", () => {
  it("writes only the column the user changed", () => {
    const { props, writes } = map();
    props.onSyncChange(true);
    props.onHelpChange(HowCanMicrosoftHelp.QuotesOrLicensing);
    props.onShareChange(true);
    expect(writes).toEqual([
      { syncWithPartnerCenter: true },
      { howCanMicrosoftHelp: HowCanMicrosoftHelp.QuotesOrLicensing },
      { shareWithMicrosoftSellers: true },
    ]);
  });

  it("writes solution ids one per line, and clears the column when the last one is removed", () => {
    const { props, writes } = map();
    props.onSolutionsChange(["SOL-12345-ABC", "SOL-54321-XYZ"]);
    props.onSolutionsChange([]);
    expect(writes[0]).toEqual({ products: "SOL-12345-ABC\nSOL-54321-XYZ" });
    expect(writes[1]).toHaveProperty("products", undefined);
  });

  it("accepts with Active/Accepted and declines with Closed/Declined plus the reason", () => {
    const { props, writes } = map({ values: incoming(ReferralStatus.NewReceived) });
    props.onAccept();
    props.onDecline("  Customer already has a partner.  ");
    expect(writes).toEqual([
      { referralStatus: ReferralStatus.ActiveAccepted },
      { referralStatus: ReferralStatus.ClosedDeclined, statusReason: "Customer already has a partner." },
    ]);
  });

  it("refuses a decline without a reason", () => {
    const write = vi.fn();
    mapContextToProps(mockContext({ values: incoming(ReferralStatus.NewReceived) }), write).onDecline("   ");
    expect(write).not.toHaveBeenCalled();
  });
});

describe("conflict notice", () => {
  const notice = JSON.stringify({ at: "2026-11-25T10:00:15.000Z", fields: [{ label: "notes", kept: "crm", otherValue: "Partner Center's notes", settledBy: "policy" }] });

  it("passes the backend's notice of fields changed in Partner Center too, and nothing for an empty or masked column", () => {
    expect(map({ values: { conflictNotice: notice } }).props.conflictNotice).toEqual({
      at: "2026-11-25T10:00:15.000Z",
      fields: [{ label: "notes", kept: "crm", otherValue: "Partner Center's notes", settledBy: "policy" }],
    });
    expect(map().props.conflictNotice).toBeNull();
    expect(map({ values: { conflictNotice: notice }, security: { conflictNotice: { readable: false, editable: false } } }).props.conflictNotice).toBeNull();
  });
});
