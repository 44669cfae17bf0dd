import { describe, expect, it } from "vitest";
import { ReferralDirection, ReferralStatus } from "../../entities";
import {
  FormType, isAnswerReferralEnabled, isOpenInPartnerCenterEnabled, isStopSyncingEnabled, isSyncNowEnabled,
} from "../../webresources/src/rules/enable-rules";
import { opportunityForm } from "./opportunity-form.fixture";

const incoming = { referralDirection: ReferralDirection.Incoming, referralStatus: ReferralStatus.NewReceived };

describe("Sync now enable rule", () => {
  it("is on for a saved record with sync on", () => {
    expect(isSyncNowEnabled(opportunityForm({ sync: true }).form)).toBe(true);
  });
  it("is off when sync is off", () => {
    expect(isSyncNowEnabled(opportunityForm({ sync: false }).form)).toBe(false);
  });
  it("is off on a record not saved yet", () => {
    expect(isSyncNowEnabled(opportunityForm({ sync: true }, { formType: FormType.Create }).form)).toBe(false);
  });
});

describe("Open in Partner Center enable rule", () => {
  it("is on only when the record has a referral link", () => {
    expect(isOpenInPartnerCenterEnabled(opportunityForm().form)).toBe(true);
    expect(isOpenInPartnerCenterEnabled(opportunityForm({ referralLink: null }).form)).toBe(false);
    expect(isOpenInPartnerCenterEnabled(opportunityForm({ referralLink: "   " }).form)).toBe(false);
  });
});

describe("Accept / Decline enable rule", () => {
  it.each([
    ["New / Pending", ReferralStatus.NewPending],
    ["New / Received", ReferralStatus.NewReceived],
  ])("is on for an incoming referral in %s", (_label, status) => {
    expect(isAnswerReferralEnabled(opportunityForm({ ...incoming, referralStatus: status }).form)).toBe(true);
  });
  it.each([
    ["Active / Accepted", ReferralStatus.ActiveAccepted],
    ["Closed / Declined", ReferralStatus.ClosedDeclined],
    ["Closed / Won", ReferralStatus.ClosedWon],
  ])("is off once the referral is %s", (_label, status) => {
    expect(isAnswerReferralEnabled(opportunityForm({ ...incoming, referralStatus: status }).form)).toBe(false);
  });
  it("is off for an outgoing referral and for a record without a referral", () => {
    expect(isAnswerReferralEnabled(opportunityForm({ ...incoming, referralDirection: ReferralDirection.Outgoing }).form)).toBe(false);
    expect(isAnswerReferralEnabled(opportunityForm({ referralDirection: null, referralStatus: null }).form)).toBe(false);
  });
});

describe("Stop syncing enable rule", () => {
  it("is on only while sync is on", () => {
    expect(isStopSyncingEnabled(opportunityForm({ sync: true }).form)).toBe(true);
    expect(isStopSyncingEnabled(opportunityForm({ sync: false }).form)).toBe(false);
  });
});

describe("users without write privilege on the record", () => {
  it.each([
    ["read-only", FormType.ReadOnly],
    ["disabled", FormType.Disabled],
  ])("see no co-sell command on a %s form", (_label, formType) => {
    const { form } = opportunityForm({ ...incoming, sync: true }, { formType });
    expect([
      isSyncNowEnabled(form), isOpenInPartnerCenterEnabled(form), isAnswerReferralEnabled(form), isStopSyncingEnabled(form),
    ]).toEqual([false, false, false, false]);
  });
});
