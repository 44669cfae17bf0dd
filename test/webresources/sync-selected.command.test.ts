import { describe, expect, it, vi } from "vitest";
import { OpportunityColumns as C } from "../../entities";
import { syncSelected } from "../../webresources/src/ribbon/sync-selected.command";
import { NOW, opportunityForm } from "./opportunity-form.fixture";

const ON = ["{00000000-0000-0000-0000-00000000000A}", "{00000000-0000-0000-0000-00000000000B}"];
const OFF = "{00000000-0000-0000-0000-00000000000C}";

function gridFixture(options: { languageId?: number } = {}) {
  const f = opportunityForm({}, options);
  f.retrieveRecord.mockImplementation(async (_table: string, id: string) => ({
    [C.syncWithPartnerCenter]: id !== OFF.replace(/[{}]/g, "").toLowerCase(),
  }));
  return f;
}

describe("Sync selected", () => {
  it("queues the rows with sync on, skips and counts the others, and sums up", async () => {
    const f = gridFixture();
    const grid = { refresh: vi.fn() };
    const summary = await syncSelected(f.host, [...ON, OFF], grid);

    expect(summary).toEqual({ queued: 2, skippedNotSyncing: 1, failed: 0, firstFailure: undefined });
    expect(f.updateRecord.mock.calls).toEqual(ON.map((id) => [
      "opportunity", id.replace(/[{}]/g, "").toLowerCase(), { [C.syncRequestedOn]: NOW.toISOString() },
    ]));
    expect(f.alerts()).toEqual([
      "2 opportunities queued for sync with Partner Center.\n" +
      "1 opportunity was skipped because \"Sync with Partner Center\" is off.",
    ]);
    expect(grid.refresh).toHaveBeenCalledTimes(1);
    expect(f.progress.isOpen()).toBe(false);
  });

  it("keeps going when one row fails and says why", async () => {
    const f = gridFixture();
    f.updateRecord.mockRejectedValueOnce({ errorCode: -2147220960, message: "Principal user is missing prvWriteOpportunity privilege" });
    const summary = await syncSelected(f.host, ON);
    expect(summary).toMatchObject({ queued: 1, failed: 1 });
    expect(f.alerts()[0]).toContain("1 opportunity could not be queued: Principal user is missing prvWriteOpportunity privilege");
    expect(f.progress.isOpen()).toBe(false);
  });

  it("asks for a selection when nothing is selected", async () => {
    const f = gridFixture();
    expect(await syncSelected(f.host, [])).toBeUndefined();
    expect(f.updateRecord).not.toHaveBeenCalled();
    expect(f.alerts()).toEqual(["Select at least one opportunity first."]);
  });

  it("sums up in Italian for an Italian user", async () => {
    const f = gridFixture({ languageId: 1040 });
    await syncSelected(f.host, [ON[0] as string, OFF]);
    expect(f.alerts()).toEqual([
      "1 opportunità messa in coda per la sincronizzazione con Partner Center.\n" +
      "1 opportunità ignorata perché \"Sincronizza con Partner Center\" è disattivato.",
    ]);
  });
});
