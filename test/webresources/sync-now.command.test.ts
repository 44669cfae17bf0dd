import { describe, expect, it } from "vitest";
import { OpportunityColumns as C, SyncStatus } from "../../entities";
import { onSave } from "../../webresources/src/forms/opportunity-onsave.handler";
import { syncNow } from "../../webresources/src/ribbon/sync-now.command";
import { NOW, opportunityForm, serverSets, type FormFixture } from "./opportunity-form.fixture";

const WATCH = { intervalMs: 3_000, timeoutMs: 12_000 }; // four refreshes at most

/** Each refresh applies the next server state, as if the sync service had moved the record on. */
function serverProgress(f: FormFixture, states: Partial<Record<string, unknown>>[]) {
  for (const state of states) {
    f.refresh.mockImplementationOnce(async () => {
      for (const [column, value] of Object.entries(state)) serverSets(f.form, column, value);
    });
  }
}

describe("Sync now", () => {
  it("writes pcc_syncrequestedon, saves, waits while Pending and reports the sync", async () => {
    const f = opportunityForm({ syncStatus: SyncStatus.Synced });
    serverProgress(f, [
      { [C.syncStatus]: SyncStatus.Pending },
      { [C.syncStatus]: SyncStatus.Synced, [C.lastSyncedOn]: new Date("2026-11-25T10:00:04Z") },
    ]);
    await syncNow(f.host, f.form, WATCH);

    expect(f.save).toHaveBeenCalledTimes(1);
    expect(f.value(C.syncRequestedOn)).toEqual(NOW);
    expect(f.refresh).toHaveBeenCalledTimes(2);
    expect(f.refresh).toHaveBeenCalledWith(false);
    expect(f.progress.shown).toEqual(["Syncing with Partner Center…"]);
    expect(f.progress.isOpen()).toBe(false);
    expect(f.alerts()).toEqual(["This opportunity is synced with Partner Center."]);
  });

  it("does not take the previous sync's result for this one", async () => {
    // Right after the save the record still says Synced from yesterday; only a new lastsyncedon counts.
    const f = opportunityForm({ syncStatus: SyncStatus.Synced });
    serverProgress(f, [{}, { [C.lastSyncedOn]: new Date("2026-11-25T10:00:06Z") }]);
    await syncNow(f.host, f.form, WATCH);
    expect(f.refresh).toHaveBeenCalledTimes(2);
    expect(f.alerts()).toEqual(["This opportunity is synced with Partner Center."]);
  });

  it("says why the sync failed and shows the error on the form", async () => {
    const f = opportunityForm();
    serverProgress(f, [
      { [C.syncStatus]: SyncStatus.Pending },
      { [C.syncStatus]: SyncStatus.Error, [C.syncError]: "Partner Center rejected the close date: it is in the past." },
    ]);
    await syncNow(f.host, f.form, WATCH);
    expect(f.alerts()).toEqual(["The sync with Partner Center failed: Partner Center rejected the close date: it is in the past."]);
    expect(f.notifications()).toEqual([expect.objectContaining({ level: "ERROR" })]);
    expect(f.progress.isOpen()).toBe(false);
  });

  it("stops waiting after the timeout and says the sync goes on in the background", async () => {
    const f = opportunityForm();
    f.refresh.mockImplementation(async () => serverSets(f.form, C.syncStatus, SyncStatus.Pending));
    await syncNow(f.host, f.form, WATCH);
    expect(f.refresh).toHaveBeenCalledTimes(4);
    expect(f.host.sleep).toHaveBeenCalledWith(3_000);
    expect(f.alerts()[0]).toMatch(/^Partner Center has not answered within 12 seconds\. The sync goes on in the background/);
    expect(f.progress.isOpen()).toBe(false);
  });

  it("shows a failed save as an error, clears the progress indicator and takes the request back", async () => {
    const f = opportunityForm();
    f.save.mockRejectedValueOnce({ errorCode: -2147220891, message: "You do not have permission to modify this opportunity." });
    await syncNow(f.host, f.form, WATCH);
    expect(f.errors()).toEqual([
      "The opportunity could not be saved, so nothing was sent to Partner Center: You do not have permission to modify this opportunity.",
    ]);
    expect(f.progress.shown).toHaveLength(1);
    expect(f.progress.isOpen()).toBe(false);
    expect(f.value(C.syncRequestedOn)).toBeNull();
    expect(f.refresh).not.toHaveBeenCalled();
    expect(f.alerts()).toEqual([]);
  });

  it("clears the progress indicator when a refresh fails", async () => {
    const f = opportunityForm();
    f.refresh.mockRejectedValueOnce(new Error("Network error"));
    await syncNow(f.host, f.form, WATCH);
    expect(f.errors()).toEqual(["Something went wrong: Network error"]);
    expect(f.progress.isOpen()).toBe(false);
  });

  it("lists what is missing instead of saving when Partner Center would refuse the record", async () => {
    const f = opportunityForm({ estimatedValue: -5, currency: null });
    await syncNow(f.host, f.form, WATCH);
    expect(f.save).not.toHaveBeenCalled();
    expect(f.progress.shown).toEqual([]);
    expect(f.alerts()).toEqual([
      "This opportunity cannot be shared with Partner Center yet:\n- The deal value must be more than zero.\n- Choose the currency.",
    ]);
  });

  it("is not stopped a second time by the OnSave check it has already passed", async () => {
    const f = opportunityForm();
    const saveWentThrough: boolean[] = [];
    f.save.mockImplementationOnce(async () => {
      let prevented = false;
      const context = {
        getFormContext: () => f.form,
        getEventArgs: () => ({ preventDefault: () => { prevented = true; }, getSaveMode: () => 1 }),
      } as unknown as Xrm.Events.SaveEventContext;
      await onSave(f.host, context);
      saveWentThrough.push(!prevented);
    });
    serverProgress(f, [{ [C.syncStatus]: SyncStatus.Synced, [C.lastSyncedOn]: new Date("2026-11-25T10:00:03Z") }]);
    await syncNow(f.host, f.form, WATCH);
    expect(saveWentThrough).toEqual([true]);
    expect(f.alerts()).toEqual(["This opportunity is synced with Partner Center."]);
  });

  it("speaks Italian to an Italian user", async () => {
    const f = opportunityForm({}, { languageId: 1040 });
    serverProgress(f, [{ [C.syncStatus]: SyncStatus.Synced, [C.lastSyncedOn]: new Date("2026-11-25T10:00:03Z") }]);
    await syncNow(f.host, f.form, WATCH);
    expect(f.progress.shown).toEqual(["Sincronizzazione con Partner Center in corso…"]);
    expect(f.alerts()).toEqual(["Questa opportunità è sincronizzata con Partner Center."]);
  });
});
