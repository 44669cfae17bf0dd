// @vitest-environment jsdom
/** The section as a seller sees and uses it, rendered through the real control class. */
import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { setIconOptions } from "@fluentui/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HowCanMicrosoftHelp, ReferralDirection, ReferralStatus, SyncStatus } from "../../entities";
import { renderControl } from "./support/render-control";

vi.mock("@fluentui/react", async () => (await import("./support/fluent-for-node")).loadFluent());
// Icons are registered by the host app; the test page has none and Fluent would warn on each render.
setIconOptions({ disableWarnings: true });

afterEach(cleanup);

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000 - 10_000);
const LINK = "https://partner.microsoft.com/dashboard/referrals/v2/7c0d1f";
const synced = { syncWithPartnerCenter: true, syncStatus: SyncStatus.Synced, lastSyncedOn: minutesAgo(3), referralIdentifier: "7c0d1f", referralLink: LINK };
const awaitingAnswer = { referralDirection: ReferralDirection.Incoming, referralStatus: ReferralStatus.NewReceived, referralIdentifier: "9e8f7a" };

describe("status", () => {
  it("Synced: ✔ Synced, last synced 3 minutes ago, the referral id and a link to Partner Center", () => {
    renderControl({ values: synced });
    expect(screen.getByText("✔ Synced")).toBeTruthy();
    expect(screen.getByText("Last synced 3 minutes ago")).toBeTruthy();
    expect(screen.getByText("7c0d1f")).toBeTruthy();
    const link = screen.getByRole("link", { name: /Open in Partner Center/ });
    expect(link.getAttribute("href")).toBe(LINK);
    expect(link.getAttribute("target")).toBe("_blank");
  });

  it("Synced, in Italian", () => {
    renderControl({ values: synced, languageId: 1040 });
    expect(screen.getByText("✔ Sincronizzato")).toBeTruthy();
    expect(screen.getByText("Ultima sincronizzazione 3 minuti fa")).toBeTruthy();
    expect(screen.getByRole("link", { name: /Apri in Partner Center/ })).toBeTruthy();
    expect(screen.getByRole("switch", { name: /^Sincronizza con Partner Center/ })).toBeTruthy();
  });

  it("shows the Microsoft seller's opportunity id (MSX) Partner Center reported, in English and Italian", () => {
    renderControl({ values: { ...synced, microsoftMsxId: "7-3FGH12K9L" } });
    expect(screen.getByText("Microsoft Seller Opportunity (MSX):")).toBeTruthy();
    expect(screen.getByText("7-3FGH12K9L")).toBeTruthy();
    cleanup();
    renderControl({ values: { ...synced, microsoftMsxId: "7-3FGH12K9L" }, languageId: 1040 });
    expect(screen.getByText("Opportunità del venditore Microsoft (MSX):")).toBeTruthy();
  });

  it("Pending: a spinner while the backend works", () => {
    const { container } = renderControl({ values: { syncWithPartnerCenter: true, syncStatus: SyncStatus.Pending } });
    expect(screen.getByText("Pending")).toBeTruthy();
    expect(container.querySelector(".ms-Spinner-circle")).not.toBeNull();
  });

  it("Error: the plain-language reason from the backend", () => {
    renderControl({ values: { syncStatus: SyncStatus.Error, syncError: "Partner Center needs the customer's country." } });
    expect(screen.getByText(/Partner Center needs the customer's country\./)).toBeTruthy();
    expect(screen.getByText(/^Error/)).toBeTruthy();
  });

  it("Error without a reason, in Italian: says what to do next", () => {
    renderControl({ values: { syncStatus: SyncStatus.Error }, languageId: 1040 });
    expect(screen.getByText(/^Errore/)).toBeTruthy();
    expect(screen.getByText(/Riprova con Sincronizza ora/)).toBeTruthy();
  });

  it("Not synced: says how to start, and that there is no referral yet", () => {
    renderControl();
    expect(screen.getByText("Not synced")).toBeTruthy();
    expect(screen.getByText("No referral yet.")).toBeTruthy();
    expect(screen.queryByRole("link")).toBeNull();
  });
});

describe("what the seller changes is written through the outputs", () => {
  it("the sync switch", () => {
    const view = renderControl();
    fireEvent.click(screen.getByRole("switch", { name: /^Sync with Partner Center/ }));
    expect(view.notifyOutputChanged).toHaveBeenCalledTimes(1);
    expect(view.outputs()).toEqual({ syncWithPartnerCenter: true });
    expect(view.outputs()).toEqual({});
  });

  it("the share consent: given only after an explicit confirmation, then locked", () => {
    const view = renderControl({ values: { howCanMicrosoftHelp: HowCanMicrosoftHelp.QuotesOrLicensing } });
    // Help chosen without sharing: the section says sharing must be turned on to confirm it.
    expect(screen.getByText(/Asking Microsoft for help shares the deal with Microsoft sellers/)).toBeTruthy();
    fireEvent.click(screen.getByRole("switch", { name: /^Share with Microsoft sellers/ }));
    expect(screen.getByText(/cannot be undone/)).toBeTruthy();
    expect(view.notifyOutputChanged).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByText(/cannot be undone/)).toBeNull();
    expect(view.notifyOutputChanged).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("switch", { name: /^Share with Microsoft sellers/ }));
    fireEvent.click(screen.getByRole("button", { name: "Share with Microsoft sellers" }));
    expect(view.outputs()).toEqual({ shareWithMicrosoftSellers: true });
    cleanup();
    renderControl({ values: { shareWithMicrosoftSellers: true } });
    expect((screen.getByRole("switch", { name: /^Share with Microsoft sellers/ }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/cannot be withdrawn/)).toBeTruthy();
  });

  it("the help asked of Microsoft is read-only once the referral carries it, and says why (en + it)", () => {
    renderControl({ values: { howCanMicrosoftHelp: HowCanMicrosoftHelp.QuotesOrLicensing } });
    expect(screen.queryByText(/cannot be changed once chosen/)).toBeNull();
    cleanup();
    renderControl({ values: { howCanMicrosoftHelp: HowCanMicrosoftHelp.QuotesOrLicensing, referralIdentifier: "7c0d1f" } });
    expect(screen.getByText("Partner Center keeps the help you asked for: it cannot be changed once chosen.")).toBeTruthy();
    expect(screen.getByRole("combobox", { name: /How can Microsoft help/ }).getAttribute("aria-disabled")).toBe("true");
    cleanup();
    renderControl({ values: { howCanMicrosoftHelp: HowCanMicrosoftHelp.QuotesOrLicensing, referralIdentifier: "7c0d1f" }, languageId: 1040 });
    expect(screen.getByText(/non può essere cambiato una volta scelto/)).toBeTruthy();
  });

  it("solution ids: says what is wrong while typing, adds a good id on Enter, removes a tag", async () => {
    const view = renderControl({ values: { products: "SOL-12345-ABC" } });
    const input = screen.getByRole("textbox", { name: "Co-sell solution ids" });
    fireEvent.change(input, { target: { value: "SOL-12x" } });
    expect(await screen.findByText("SOL- is followed by exactly 5 digits")).toBeTruthy();
    fireEvent.change(input, { target: { value: "SOL-1" } });
    expect(screen.queryByText(/SOL- is followed/)).toBeNull();
    fireEvent.keyDown(input, { key: "Enter" });
    expect(await screen.findByText("Not complete yet: a solution id looks like SOL-12345-ABC")).toBeTruthy();
    expect(view.notifyOutputChanged).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: "sol-54321-xyz" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(view.outputs()).toEqual({ products: "SOL-12345-ABC\nSOL-54321-XYZ" });
    expect((input as HTMLInputElement).value).toBe("");

    fireEvent.click(screen.getByRole("button", { name: "Remove SOL-12345-ABC" }));
    expect(view.outputs()).toEqual({ products: undefined });
  });

  it("solution ids: a duplicate is refused, in Italian", async () => {
    const view = renderControl({ values: { products: "SOL-12345-ABC" }, languageId: 1040 });
    const input = screen.getByRole("textbox", { name: "Id delle soluzioni co-sell" });
    fireEvent.change(input, { target: { value: "SOL-12345-ABC" } });
    expect(await screen.findByText("SOL-12345-ABC è già nell'elenco")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Aggiungi" }));
    expect(view.notifyOutputChanged).not.toHaveBeenCalled();
  });

  it("marks an id already stored in a wrong shape, so the seller can fix it", () => {
    renderControl({ values: { products: "SOL-12345-ABC\nmigration kit" } });
    expect(screen.getByText("migration kit is not a valid solution id")).toBeTruthy();
  });
});

describe("incoming Microsoft referral", () => {
  it("Accept writes Active/Accepted and asks to save", () => {
    const view = renderControl({ values: awaitingAnswer });
    expect(screen.getByRole("group", { name: "Microsoft sent you this referral" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Accept" }));
    expect(view.outputs()).toEqual({ referralStatus: ReferralStatus.ActiveAccepted });
    expect(screen.getByRole("status").textContent).toMatch(/Accepted\. Save the opportunity/);
    expect(screen.queryByRole("button", { name: "Accept" })).toBeNull();
  });

  it("Decline requires a reason, then writes Closed/Declined and the reason (Italian)", async () => {
    const view = renderControl({ values: awaitingAnswer, languageId: 1040 });
    fireEvent.click(screen.getByRole("button", { name: "Rifiuta" }));
    const reason = screen.getByRole("textbox", { name: /Perché lo rifiuti\?/ });
    expect(document.activeElement).toBe(reason);
    fireEvent.click(screen.getByRole("button", { name: "Rifiuta referral" }));
    expect(await screen.findByText("Inserisci un motivo per rifiutare.")).toBeTruthy();
    expect(view.notifyOutputChanged).not.toHaveBeenCalled();

    fireEvent.change(reason, { target: { value: "Il cliente ha già un partner." } });
    fireEvent.click(screen.getByRole("button", { name: "Rifiuta referral" }));
    expect(view.outputs()).toEqual({ referralStatus: ReferralStatus.ClosedDeclined, statusReason: "Il cliente ha già un partner." });
  });

  it("is not offered once answered", () => {
    renderControl({ values: { ...awaitingAnswer, referralStatus: ReferralStatus.ActiveAccepted } });
    expect(screen.queryByRole("button", { name: "Accept" })).toBeNull();
  });
});

describe("disabled, read-only and masked", () => {
  it("a disabled control shows everything and lets nothing change", () => {
    renderControl({ disabled: true, values: { ...synced, ...awaitingAnswer, products: "SOL-12345-ABC" } });
    for (const name of [/^Sync with Partner Center/, /^Share with Microsoft sellers/]) {
      expect((screen.getByRole("switch", { name }) as HTMLButtonElement).disabled).toBe(true);
    }
    expect(screen.getByText("SOL-12345-ABC")).toBeTruthy();
    expect(screen.queryByRole("textbox", { name: "Co-sell solution ids" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Remove/ })).toBeNull();
    expect((screen.getByRole("button", { name: "Accept" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("columns hidden by field security show no value", () => {
    renderControl({
      values: { products: "SOL-12345-ABC", syncWithPartnerCenter: true, syncStatus: SyncStatus.Synced, audit: "2026-11-25T10:03:12Z | CRM → Partner Center | updated | secret" },
      security: {
        products: { readable: false, editable: false },
        syncWithPartnerCenter: { readable: false, editable: false },
        syncStatus: { readable: false, editable: false },
        audit: { readable: false, editable: false },
      },
    });
    expect(screen.getAllByText("Hidden by field security")).toHaveLength(4);
    expect(screen.queryByText("SOL-12345-ABC")).toBeNull();
    expect(screen.queryByText("✔ Synced")).toBeNull();
    expect(screen.queryByRole("switch", { name: /^Sync with Partner Center/ })).toBeNull();
    expect(screen.queryByRole("button", { name: /audit trail/ })).toBeNull();
  });

  it("a read-only column is shown but cannot be edited", () => {
    renderControl({ values: { products: "SOL-12345-ABC" }, security: { products: { readable: true, editable: false } } });
    expect(screen.getByText("SOL-12345-ABC")).toBeTruthy();
    expect(screen.queryByRole("textbox", { name: "Co-sell solution ids" })).toBeNull();
  });
});

describe("audit trail", () => {
  const audit = [
    "2026-11-24T08:00:00Z | Partner Center → CRM | created | referral from Microsoft",
    "garbled line ¦ from an old version",
    "2026-11-25T10:03:12Z | CRM → Partner Center | updated | deal value 10000 → 12000",
  ].join("\n");

  it("is collapsed, then opens as a timeline newest first with unreadable lines as they are", () => {
    renderControl({ values: { audit } });
    const toggle = screen.getByRole("button", { name: "Show audit trail (3)" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const items = within(screen.getByRole("list", { name: "Audit" })).getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toHaveLength(3);
    expect(items[0]).toContain("deal value 10000 → 12000");
    expect(items[1]).toContain("referral from Microsoft");
    expect(items[2]).toBe("garbled line ¦ from an old version");
  });

  it("says so when nothing was recorded (Italian)", () => {
    renderControl({ languageId: 1040 });
    fireEvent.click(screen.getByRole("button", { name: "Mostra registro modifiche (0)" }));
    expect(screen.getByText("Nessuna modifica registrata.")).toBeTruthy();
  });
});

describe("changed in Partner Center too", () => {
  const notice = JSON.stringify({
    at: "2026-11-25T10:00:15.000Z",
    fields: [
      { label: "notes", kept: "crm", otherValue: "Partner Center's notes", settledBy: "policy" },
      { label: "deal value", kept: "partnerCenter", otherValue: "12000", settledBy: "order" },
    ],
  });

  it("shows the seller each field changed on both sides with the value that did not win, and that the policy decided", () => {
    renderControl({ values: { ...synced, conflictNotice: notice } });
    expect(screen.getByText("Changed in Partner Center too")).toBeTruthy();
    expect(screen.getByText("notes: this opportunity's value was kept; Partner Center had Partner Center's notes.")).toBeTruthy();
    expect(screen.getByText("deal value: Partner Center's later change was kept; the value here was 12000.")).toBeTruthy();
    expect(screen.getByText(/too close together to tell which was last/)).toBeTruthy();
  });

  it("in Italian, and not at all without a notice", () => {
    renderControl({ values: { ...synced, conflictNotice: notice }, languageId: 1040 });
    expect(screen.getByText("Modificato anche in Partner Center")).toBeTruthy();
    expect(screen.getByText("notes: è stato mantenuto il valore di questa opportunità; in Partner Center era Partner Center's notes.")).toBeTruthy();
    cleanup();
    renderControl({ values: synced });
    expect(screen.queryByText("Changed in Partner Center too")).toBeNull();
  });
});
