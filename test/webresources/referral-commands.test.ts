import { describe, expect, it, vi } from "vitest";
import { OPPORTUNITY_COLUMNS, OpportunityColumns as C, ReferralDirection, ReferralStatus } from "../../entities";
import { openInPartnerCenter } from "../../webresources/src/ribbon/open-in-partner-center.command";
import { acceptReferral, declineReferral, STATUS_REASON_MAX_LENGTH } from "../../webresources/src/ribbon/referral-answer.command";
import { stopSyncing } from "../../webresources/src/ribbon/stop-syncing.command";
import { opportunityForm } from "./opportunity-form.fixture";

const incoming = { referralDirection: ReferralDirection.Incoming, referralStatus: ReferralStatus.NewReceived };
const saveRefused = { errorCode: -2147220891, message: "The referral was changed by someone else." };

describe("Open in Partner Center", () => {
  it("opens the referral link", async () => {
    const f = opportunityForm({ referralLink: "https://partner.microsoft.com/dashboard/referrals/v2/leads/42" });
    await openInPartnerCenter(f.host, f.form);
    expect(f.navigation.urlCalls.map((c) => c.url)).toEqual(["https://partner.microsoft.com/dashboard/referrals/v2/leads/42"]);
  });

  it("explains instead of opening when there is no link yet", async () => {
    const f = opportunityForm({ referralLink: null });
    await openInPartnerCenter(f.host, f.form);
    expect(f.navigation.urlCalls).toEqual([]);
    expect(f.alerts()).toEqual(["This opportunity has no Partner Center link yet. Sync it first."]);
  });

  it("never opens a link that is not a web address", async () => {
    const f = opportunityForm({ referralLink: "javascript:alert(1)" });
    await openInPartnerCenter(f.host, f.form);
    expect(f.navigation.urlCalls).toEqual([]);
    expect(f.alerts()[0]).toContain("is not a web address");
  });
});

describe("Accept referral", () => {
  it("writes Active / Accepted and saves", async () => {
    const f = opportunityForm(incoming);
    await acceptReferral(f.host, f.form);
    expect(f.save).toHaveBeenCalledTimes(1);
    expect(f.value(C.referralStatus)).toBe(ReferralStatus.ActiveAccepted);
    expect(f.alerts()).toEqual(["Referral accepted. Partner Center is updated in a few seconds."]);
    expect(f.progress.isOpen()).toBe(false);
  });

  it("puts the status back and shows the error when the save fails", async () => {
    const f = opportunityForm(incoming);
    f.save.mockRejectedValueOnce(saveRefused);
    await acceptReferral(f.host, f.form);
    expect(f.value(C.referralStatus)).toBe(ReferralStatus.NewReceived);
    expect(f.errors()).toEqual([`The opportunity could not be saved, so nothing was sent to Partner Center: ${saveRefused.message}`]);
    expect(f.progress.isOpen()).toBe(false);
    expect(f.alerts()).toEqual([]);
  });
});

describe("Decline referral", () => {
  it("asks for a reason, then writes Closed / Declined with the reason and saves", async () => {
    const f = opportunityForm(incoming);
    f.host.promptForText.mockResolvedValueOnce("  Customer chose another vendor  ");
    await declineReferral(f.host, f.form);
    expect(f.host.promptForText).toHaveBeenCalledWith("Why are you declining this referral? Microsoft sees this reason in Partner Center.");
    expect(f.value(C.referralStatus)).toBe(ReferralStatus.ClosedDeclined);
    expect(f.value(C.statusReason)).toBe("Customer chose another vendor");
    expect(f.save).toHaveBeenCalledTimes(1);
    expect(f.alerts()).toEqual(["Referral declined. Partner Center is updated in a few seconds."]);
  });

  it("changes nothing when the seller cancels", async () => {
    const f = opportunityForm(incoming);
    f.host.promptForText.mockResolvedValueOnce(null);
    await declineReferral(f.host, f.form);
    expect(f.value(C.referralStatus)).toBe(ReferralStatus.NewReceived);
    expect(f.value(C.statusReason)).toBeNull();
    expect(f.save).not.toHaveBeenCalled();
    expect(f.alerts()).toEqual([]);
    expect(f.progress.shown).toEqual([]);
  });

  it("insists on a reason: an empty answer changes nothing and says why", async () => {
    const f = opportunityForm(incoming);
    f.host.promptForText.mockResolvedValueOnce("   ");
    await declineReferral(f.host, f.form);
    expect(f.save).not.toHaveBeenCalled();
    expect(f.value(C.referralStatus)).toBe(ReferralStatus.NewReceived);
    expect(f.alerts()).toEqual(["A reason is needed to decline a referral. Nothing was changed."]);
  });

  it("cuts a long reason to what pcc_statusreason holds", async () => {
    const f = opportunityForm(incoming);
    f.host.promptForText.mockResolvedValueOnce("x".repeat(800));
    await declineReferral(f.host, f.form);
    expect(String(f.value(C.statusReason))).toHaveLength(STATUS_REASON_MAX_LENGTH);
    const column = OPPORTUNITY_COLUMNS.find((c) => c.logicalName === C.statusReason);
    expect(column?.type === "text" && column.maxLength).toBe(STATUS_REASON_MAX_LENGTH);
  });

  it("puts status and reason back when the save fails", async () => {
    const f = opportunityForm(incoming);
    f.host.promptForText.mockResolvedValueOnce("Not a customer");
    f.save.mockRejectedValueOnce(saveRefused);
    await declineReferral(f.host, f.form);
    expect(f.value(C.referralStatus)).toBe(ReferralStatus.NewReceived);
    expect(f.value(C.statusReason)).toBeNull();
    expect(f.errors()).toHaveLength(1);
    expect(f.progress.isOpen()).toBe(false);
  });

  it("asks in Italian for an Italian user", async () => {
    const f = opportunityForm(incoming, { languageId: 1040 });
    f.host.promptForText.mockResolvedValueOnce("");
    await declineReferral(f.host, f.form);
    expect(f.host.promptForText).toHaveBeenCalledWith("Perché rifiuti questo referral? Microsoft vedrà il motivo in Partner Center.");
    expect(f.alerts()).toEqual(["Per rifiutare un referral serve un motivo. Non è stato modificato nulla."]);
  });
});

describe("Stop syncing", () => {
  it("asks first, then turns the switch off and saves", async () => {
    const f = opportunityForm({ sync: true });
    await stopSyncing(f.host, f.form);
    expect(f.navigation.confirmDialogCalls).toHaveLength(1);
    expect(f.navigation.confirmDialogCalls[0]?.confirmStrings).toMatchObject({
      confirmButtonLabel: "Stop syncing", cancelButtonLabel: "Cancel",
    });
    expect(f.value(C.syncWithPartnerCenter)).toBe(false);
    expect(f.save).toHaveBeenCalledTimes(1);
    expect(f.alerts()).toEqual(["This opportunity is no longer synced with Partner Center."]);
  });

  it("changes nothing when the seller cancels", async () => {
    const f = opportunityForm({ sync: true });
    vi.spyOn(f.navigation, "openConfirmDialog").mockResolvedValueOnce({ confirmed: false });
    await stopSyncing(f.host, f.form);
    expect(f.value(C.syncWithPartnerCenter)).toBe(true);
    expect(f.save).not.toHaveBeenCalled();
    expect(f.alerts()).toEqual([]);
  });

  it("leaves the switch on and shows the error when the save fails", async () => {
    const f = opportunityForm({ sync: true });
    f.save.mockRejectedValueOnce(saveRefused);
    await stopSyncing(f.host, f.form);
    expect(f.value(C.syncWithPartnerCenter)).toBe(true);
    expect(f.errors()).toHaveLength(1);
    expect(f.progress.isOpen()).toBe(false);
  });

  it("asks in Italian for an Italian user", async () => {
    const f = opportunityForm({ sync: true }, { languageId: 1040 });
    vi.spyOn(f.navigation, "openConfirmDialog").mockResolvedValueOnce({ confirmed: false });
    await stopSyncing(f.host, f.form);
    expect(f.navigation.openConfirmDialog).toHaveBeenCalledWith(expect.objectContaining({
      confirmButtonLabel: "Interrompi", cancelButtonLabel: "Annulla",
    }));
  });
});
