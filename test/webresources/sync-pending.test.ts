/** A save that changes a synced column shows Pending at once and the section follows the service's answer. */
import { describe, expect, it } from "vitest";
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus } from "../../entities";
import { onSave, SaveMode } from "../../webresources/src/forms/opportunity-onsave.handler";
import { approveNextSave } from "../../webresources/src/forms/save-approval";
import { followPendingSync, markPendingIfSyncing } from "../../webresources/src/forms/sync-pending";
import { opportunityForm, serverSets } from "./opportunity-form.fixture";

function approvedSave(form: Xrm.FormContext, now: Date) {
  approveNextSave(form, now.getTime());
  const context = {
    getFormContext: () => form,
    getEventArgs: () => ({ preventDefault: () => undefined, getSaveMode: () => SaveMode.Save, isDefaultPrevented: () => false }),
  } as unknown as Xrm.Events.SaveEventContext;
  return context;
}

describe("Pending on save", () => {
  it("a save that changes the deal value carries Pending, sent even though the column is locked", () => {
    const f = opportunityForm();
    f.form.getAttribute(S.estimatedValue)!.setValue(15000);
    onSave(f.host, approvedSave(f.form, f.host.now()));
    const status = f.form.getAttribute(C.syncStatus)!;
    expect(status.getValue()).toBe(SyncStatus.Pending);
    expect(status.getSubmitMode()).toBe("always");
  });

  it("a save that changes nothing the service syncs leaves the status alone", () => {
    const f = opportunityForm();
    expect(markPendingIfSyncing(f.form)).toBe(false);
    expect(f.form.getAttribute(C.syncStatus)!.getValue()).toBe(SyncStatus.Synced);
  });

  it("with sync off, nothing is marked", () => {
    const f = opportunityForm({ sync: false });
    f.form.getAttribute(S.estimatedValue)!.setValue(15000);
    onSave(f.host, approvedSave(f.form, f.host.now()));
    expect(f.form.getAttribute(C.syncStatus)!.getValue()).toBe(SyncStatus.Synced);
  });
});

describe("following the service's answer", () => {
  it("refreshes until the status leaves Pending, then stops", async () => {
    const f = opportunityForm({ syncStatus: SyncStatus.Pending });
    let refreshes = 0;
    f.refresh.mockImplementation(async () => {
      refreshes++;
      if (refreshes === 2) serverSets(f.form, C.syncStatus, SyncStatus.Synced);
    });
    await followPendingSync(f.host, f.form, { intervalMs: 1, timeoutMs: 100 });
    expect(refreshes).toBe(2);
  });

  it("never refreshes over the seller's unsaved edits, and gives up after the timeout", async () => {
    const f = opportunityForm({ syncStatus: SyncStatus.Pending });
    f.form.getAttribute(S.estimatedValue)!.setValue(1);
    f.form.data.entity.getIsDirty = () => true;
    await followPendingSync(f.host, f.form, { intervalMs: 1, timeoutMs: 5 });
    expect(f.refresh).not.toHaveBeenCalled();
  });
});
