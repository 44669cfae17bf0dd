import { describe, expect, it, vi } from "vitest";
import { HowCanMicrosoftHelp, OPPORTUNITY_COLUMNS, OpportunityColumns as C, ReferralDirection, SyncStatus } from "../../entities";
import { LOCKED_COLUMNS, onLoad } from "../../webresources/src/forms/opportunity-onload.handler";
import { onSave, SaveMode } from "../../webresources/src/forms/opportunity-onsave.handler";
import { approveNextSave } from "../../webresources/src/forms/save-approval";
import { onSyncSwitchChange } from "../../webresources/src/forms/sync-switch-onchange.handler";
import { ACCOUNT, CONTACT, opportunityForm, type FormFixture } from "./opportunity-form.fixture";

const eventContext = (form: Xrm.FormContext) => ({ getFormContext: () => form }) as unknown as Xrm.Events.EventContext;

function saveEvent(form: Xrm.FormContext, saveMode: number = SaveMode.Save) {
  let prevented = false;
  const context = {
    getFormContext: () => form,
    getEventArgs: () => ({ preventDefault: () => { prevented = true; }, getSaveMode: () => saveMode, isDefaultPrevented: () => prevented }),
  } as unknown as Xrm.Events.SaveEventContext;
  return { context, prevented: () => prevented };
}

/** Wires form.data.save to run OnSave again, as the platform does, and records whether it went through. */
function platformSave(f: FormFixture) {
  const outcomes: boolean[] = [];
  f.save.mockImplementation(async () => {
    const event = saveEvent(f.form);
    await onSave(f.host, event.context);
    outcomes.push(!event.prevented());
  });
  return outcomes;
}

describe("OnLoad", () => {
  it("locks every column only the sync service writes, and leaves the seller's columns editable", () => {
    const f = opportunityForm();
    onLoad(f.host, eventContext(f.form));
    const disabled = (column: string) =>
      (f.form.getAttribute(column)?.controls.get(0) as Xrm.Controls.StandardControl).getDisabled();
    for (const column of LOCKED_COLUMNS) expect(disabled(column), column).toBe(true);
    expect(disabled(C.syncWithPartnerCenter)).toBe(false);
    expect(disabled(C.products)).toBe(false);
  });

  it("locks exactly the columns entities/ marks read-only on forms", () => {
    const expected = OPPORTUNITY_COLUMNS.filter((c) => c.readOnlyOnForms).map((c) => c.logicalName);
    expect([...LOCKED_COLUMNS].sort()).toEqual([...expected].sort());
  });

  it("shows the sync error in plain words when the last sync failed", () => {
    const f = opportunityForm({ syncStatus: SyncStatus.Error, syncError: "Partner Center needs the customer's country." });
    onLoad(f.host, eventContext(f.form));
    expect(f.notifications()).toEqual([
      expect.objectContaining({ level: "ERROR", message: "Partner Center sync failed: Partner Center needs the customer's country." }),
    ]);
  });

  it("warns, until 72 hours after the referral's creation, that marking the deal Won may get its registration rejected (en + it)", () => {
    // NOW is 2026-11-25T10:00Z; the audit trail's oldest "created" line dates the referral.
    const audit = (created: string) =>
      [`2026-11-25T09:00:00Z | CRM → Partner Center | updated | deal value 10000 → 12000`, `${created} | CRM → Partner Center | created | referral 7f3c shared with Microsoft`].join("\n");
    const young = opportunityForm({ audit: audit("2026-11-24T08:00:00Z") });
    onLoad(young.host, eventContext(young.form));
    expect(young.notifications()).toEqual([
      expect.objectContaining({ level: "WARNING", message: expect.stringContaining("wait until 2026-11-27 08:00 UTC before closing it as won") }),
    ]);
    const italian = opportunityForm({ audit: audit("2026-11-24T08:00:00Z") }, { languageId: 1040 });
    onLoad(italian.host, eventContext(italian.form));
    expect(italian.notifications()[0]?.message).toContain("attendi fino al 2026-11-27 08:00 UTC");
    const old = opportunityForm({ audit: audit("2026-11-22T09:59:00Z") });
    onLoad(old.host, eventContext(old.form));
    expect(old.notifications()).toEqual([]);
    const unshared = opportunityForm({ audit: audit("2026-11-24T08:00:00Z"), referralIdentifier: null });
    onLoad(unshared.host, eventContext(unshared.form));
    expect(unshared.notifications()).toEqual([]);
  });

  it("does not date an imported referral from our import: its audit line is not the referral's creation", () => {
    const imported = opportunityForm({ audit: "2026-11-25T08:00:00Z | Partner Center → CRM | created | opportunity created from Microsoft referral 7f3c" });
    onLoad(imported.host, eventContext(imported.form));
    expect(imported.notifications()).toEqual([]);
  });

  it("says so in Italian for an Italian user", () => {
    const f = opportunityForm({ syncStatus: SyncStatus.Error, syncError: "Manca il paese." }, { languageId: 1040 });
    onLoad(f.host, eventContext(f.form));
    expect(f.notifications()[0]?.message).toBe("Sincronizzazione con Partner Center non riuscita: Manca il paese.");
  });

  it("shows no notification when the sync is fine", () => {
    const f = opportunityForm({ syncStatus: SyncStatus.Synced });
    onLoad(f.host, eventContext(f.form));
    expect(f.notifications()).toEqual([]);
  });
});

describe("OnChange of the sync switch", () => {
  it("lists what Partner Center will require when the switch is turned on, and clears it when turned off", () => {
    const f = opportunityForm({ sync: true });
    onSyncSwitchChange(f.host, eventContext(f.form));
    expect(f.notifications()).toHaveLength(1);
    expect(f.notifications()[0]).toMatchObject({ level: "INFO" });
    expect(f.notifications()[0]?.message).toMatch(/customer account with a country.*deal value.*currency.*close date.*SOL-12345-ABC.*customer contact/);
    expect(f.form.ui.refreshRibbon).toHaveBeenCalled(); // Sync now / Stop syncing follow the switch at once

    f.form.getAttribute(C.syncWithPartnerCenter)?.setValue(false);
    onSyncSwitchChange(f.host, eventContext(f.form));
    expect(f.notifications()).toEqual([]);
  });
});

describe("OnSave", () => {
  it("does not let an approval left by a save with sync off skip a later check", async () => {
    const f = opportunityForm({ sync: false, products: null });
    approveNextSave(f.form, f.host.now().getTime());
    onSave(f.host, saveEvent(f.form).context); // sync off: nothing to check, but the approval is used up
    f.form.getAttribute(C.syncWithPartnerCenter)?.setValue(true);
    const event = saveEvent(f.form);
    await onSave(f.host, event.context);
    expect(event.prevented()).toBe(true);
    expect(f.alerts()[0]).toContain("Add at least one co-sell solution id");
  });

  it("does not interfere while sync is off", () => {
    const f = opportunityForm({ sync: false, products: null, account: null, customer: null });
    const event = saveEvent(f.form);
    expect(onSave(f.host, event.context)).toBeUndefined();
    expect(event.prevented()).toBe(false);
    expect(f.alerts()).toEqual([]);
  });

  it("lets a complete record through: checks, then saves once more itself", async () => {
    const f = opportunityForm();
    const resaves = platformSave(f);
    const event = saveEvent(f.form);
    await onSave(f.host, event.context);
    expect(event.prevented()).toBe(true); // the first save waits for the async check
    expect(resaves).toEqual([true]); // ...and the handler's own save goes through
    expect(f.alerts()).toEqual([]);
  });

  it("blocks the save with one message that lists every missing or invalid item", async () => {
    const f = opportunityForm({
      account: null, customer: null, estimatedValue: null, currency: null, closeDate: null,
      products: "SOL-1\nsol-15974-mqf", help: HowCanMicrosoftHelp.ProofOfConceptOrDemo, contact: null,
    });
    const event = saveEvent(f.form);
    await onSave(f.host, event.context);
    expect(event.prevented()).toBe(true);
    expect(f.save).not.toHaveBeenCalled();
    expect(f.alerts()).toEqual([[
      "This opportunity cannot be shared with Partner Center yet:",
      "- Choose the customer account.",
      "- Enter the deal value (Est. Revenue).",
      "- Choose the currency.",
      "- Enter the estimated close date.",
      "- These lines in Products are not solution ids (expected SOL-12345-ABC): SOL-1, sol-15974-mqf.",
      "- Add at least one co-sell solution id in Products, like SOL-12345-ABC.",
      "- Choose a customer contact: Microsoft needs someone to talk to when you ask for help.",
      "- Turn on \"Share with Microsoft sellers\" in the co-sell section: asking Microsoft for help shares the deal with Microsoft sellers, and that cannot be undone.",
    ].join("\n")]);
  });

  it("asking Microsoft for help passes once sharing with Microsoft sellers is on and a contact is chosen", async () => {
    const f = opportunityForm({ referralIdentifier: null, help: HowCanMicrosoftHelp.ProofOfConceptOrDemo, contact: CONTACT, share: true });
    const resaves = platformSave(f);
    await onSave(f.host, saveEvent(f.form).context);
    expect(f.alerts()).toEqual([]);
    expect(resaves).toEqual([true]);
  });

  it("lets edits of an incoming Microsoft referral through: it exists in Partner Center already, nothing is created", async () => {
    const f = opportunityForm({ referralDirection: ReferralDirection.Incoming, account: null, customer: null, closeDate: null, products: null });
    const resaves = platformSave(f);
    await onSave(f.host, saveEvent(f.form).context);
    expect(resaves).toEqual([true]);
    expect(f.alerts()).toEqual([]);
  });

  it("checks the account's country through the Web API", async () => {
    const f = opportunityForm({}, { accountCountry: "" });
    await onSave(f.host, saveEvent(f.form).context);
    expect(f.retrieveRecord).toHaveBeenCalledWith("account", ACCOUNT.id.replace(/[{}]/g, ""), "?$select=address1_country");
    expect(f.alerts()[0]).toContain(`The customer account "${ACCOUNT.name}" has no country in its address.`);
    expect(f.save).not.toHaveBeenCalled();
  });

  it("uses the customer as the account when no parent account is set", async () => {
    const f = opportunityForm({ account: null });
    platformSave(f);
    await onSave(f.host, saveEvent(f.form).context);
    expect(f.alerts()).toEqual([]);
    expect(f.save).toHaveBeenCalledTimes(1);
  });

  it("blocks the save and says why when the account cannot be read", async () => {
    const f = opportunityForm();
    f.retrieveRecord.mockRejectedValueOnce({ errorCode: 0x80040220, message: "Principal user is missing prvReadAccount privilege" });
    await onSave(f.host, saveEvent(f.form).context);
    expect(f.alerts()[0]).toContain("The customer account could not be read");
    expect(f.alerts()[0]).toContain("prvReadAccount");
    expect(f.save).not.toHaveBeenCalled();
  });

  it("does not pop up a dialog on auto-save: a warning notification says what is missing instead", async () => {
    const f = opportunityForm({ products: null });
    await onSave(f.host, saveEvent(f.form, SaveMode.AutoSave).context);
    expect(f.alerts()).toEqual([]);
    expect(f.notifications()).toEqual([expect.objectContaining({ level: "WARNING" })]);
    expect(f.notifications()[0]?.message).toContain("Add at least one co-sell solution id");
  });

  it("keeps Save & Close a Save & Close", async () => {
    const f = opportunityForm();
    const entitySave = vi.spyOn(f.form.data.entity, "save").mockImplementation(() => undefined);
    await onSave(f.host, saveEvent(f.form, SaveMode.SaveAndClose).context);
    expect(entitySave).toHaveBeenCalledWith("saveandclose");
  });

  it("shows the error when its own save fails", async () => {
    const f = opportunityForm();
    f.save.mockRejectedValueOnce({ errorCode: 0x80040265, message: "The record was changed by someone else." });
    await onSave(f.host, saveEvent(f.form).context);
    expect(f.errors()).toEqual([
      "The opportunity could not be saved, so nothing was sent to Partner Center: The record was changed by someone else.",
    ]);
    // The failed attempt must not leave an approval behind for a later, unchecked save.
    const later = saveEvent(f.form);
    await onSave(f.host, later.context);
    expect(later.prevented()).toBe(true);
  });

  it("lists the problems in Italian for an Italian user", async () => {
    const f = opportunityForm({ closeDate: null }, { languageId: 1040 });
    await onSave(f.host, saveEvent(f.form).context);
    expect(f.alerts()).toEqual([
      "Questa opportunità non può ancora essere condivisa con Partner Center:\n- Inserisci la data di chiusura prevista.",
    ]);
  });
});
