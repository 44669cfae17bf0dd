/**
 * The seller stories of docs/DESIGN.md 1 end to end, in Debian Chromium: the sandbox form page (the
 * shipped form, command bar, web resource and PCF control from the built zip) over the whole
 * sandboxed product (both sandboxes, our solution imported, the sync backend with its webhooks
 * registered on both sides). The test only clicks and types on the page, as a seller does; it reads
 * the sandboxes' APIs to check what reached Partner Center.
 *
 * The form shows what the record held when it was (re)loaded; the backend writes to the record
 * afterwards, so the seller (and this test) reloads the page to see them, as in Dynamics 365.
 *
 * One browser for the file; every non-loopback request is aborted (the page must work offline).
 * Screenshots of each state go to $TMPDIR/cosell-e2e (not committed).
 */

import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { formPageReady, openFormPage, openOfflinePage } from "../support/offline-browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccountColumns,
  ContactColumns,
  HOW_CAN_MICROSOFT_HELP_OPTIONS,
  HowCanMicrosoftHelp,
  OpportunityColumns as C,
  OpportunityStandardColumns as S,
  SyncStatus,
  Tables,
} from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { defaultSolutionZip, startFormPage, type FormPage } from "../../sandbox/form-page/form-page-server";
import { english } from "../../webresources/src/messages/en";
import { createRow, currencyId, getReferral, listReferrals, readOpportunity, waitFor } from "../e2e-api/story-kit";

const SCREENSHOTS = join(tmpdir(), "cosell-e2e");
const HELP = HowCanMicrosoftHelp.ProofOfConceptOrDemo;
const HELP_LABEL = HOW_CAN_MICROSOFT_HELP_OPTIONS.find((option) => option.value === HELP)!.label[1033];

let env: SandboxEnvironment;
let formPage: FormPage;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let contosoId = "";
let northwindId = "";

const section = () => page.locator('.pcf-container section[aria-label="Co-sell with Microsoft"]');
const command = (id: string) => page.locator(`[data-command="${id}"]`);
const field = (column: string) => page.locator(`#field-${column}`);
const SYNC_NOW = "pcc.opportunity.Form.SyncNow.Button";
const ACCEPT = "pcc.opportunity.Form.AcceptReferral.Button";
const DECLINE = "pcc.opportunity.Form.DeclineReferral.Button";

const pageReady = () => formPageReady(page);
const open = (hash: string) => openFormPage(page, formPage.url, hash);

async function openOpportunity(id: string): Promise<void> {
  await open(`#/opportunity/${id}`);
  await section().waitFor();
}

/** Reloads the page, as a seller presses Refresh, until the check passes. */
async function reloadUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - start > timeoutMs) {
      await shot(`timeout-${what.replace(/[^a-z0-9]+/gi, "-")}`);
      throw new Error(`timed out waiting for ${what} on the page`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await page.reload();
    await pageReady();
  }
}

const sectionText = async () => ((await section().count()) ? await section().innerText() : "");

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Closes the alert a command or the OnSave check opened, returning its text. */
async function closeAlert(): Promise<string> {
  const alert = page.locator('[data-dialog="alert"]');
  await alert.waitFor({ timeout: 20_000 });
  const text = await alert.innerText();
  await alert.getByRole("button", { name: "OK" }).click();
  return text;
}

async function pcCounters(): Promise<Record<string, number>> {
  return (await (await fetch(`${env.partnerCenter.url}/_sandbox/counters`)).json()) as Record<string, number>;
}

async function setPartnerCenterFaults(faults: Record<string, number>): Promise<void> {
  const response = await fetch(`${env.partnerCenter.url}/_sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(faults) });
  expect(response.ok).toBe(true);
}

async function createAccount(name: string, address: { country?: string; city?: string; postalCode?: string }): Promise<string> {
  return createRow(env, Tables.account.entitySetName, {
    [AccountColumns.name]: name,
    [AccountColumns.country]: address.country ?? null,
    [AccountColumns.city]: address.city ?? null,
    [AccountColumns.postalCode]: address.postalCode ?? null,
  });
}

/** An opportunity a seller has been working on, not yet shared: sync off, customer set. */
async function createOpportunity(name: string, accountId: string, extra: Record<string, unknown> = {}): Promise<string> {
  return createRow(env, Tables.opportunity.entitySetName, {
    [S.name]: name,
    [S.estimatedValue]: 25000,
    [S.estimatedCloseDate]: "2027-03-31",
    [S.description]: "Move 40 VMs to Azure",
    [`${S.transactionCurrency}@odata.bind`]: `/${Tables.transactionCurrency.entitySetName}(${await currencyId(env, "USD")})`,
    [`${S.customer}_${Tables.account.logicalName}@odata.bind`]: `/${Tables.account.entitySetName}(${accountId})`,
    ...extra,
  });
}

beforeAll(async () => {
  const solutionZip = await defaultSolutionZip();
  // maxAttempts 2: one retry, then the backend gives up and says why on the record (the error story).
  env = await startSandboxEnvironment({ solutionZip, maxAttempts: 2, workers: 2 });
  formPage = await startFormPage({ dataverseUrl: env.dataverse.url, partnerCenterUrl: env.partnerCenter.url, solutionZip });
  contosoId = await createAccount("Contoso Ltd", { country: "US", city: "Seattle", postalCode: "98101" });
  await createRow(env, Tables.contact.entitySetName, {
    [ContactColumns.firstName]: "Dana",
    [ContactColumns.lastName]: "Reyes",
    [ContactColumns.email]: "dana.reyes@contoso.example",
    [`${ContactColumns.parentCustomer}_${Tables.account.logicalName}@odata.bind`]: `/${Tables.account.entitySetName}(${contosoId})`,
  });
  northwindId = await createAccount("Northwind Traders", {});

  const opened = await openOfflinePage({ height: 1400, screenshotDir: SCREENSHOTS });
  ({ browser, page } = opened);
  pageErrors = opened.pageErrors;
});

afterAll(async () => {
  await browser?.close();
  await formPage?.close();
  await env?.close();
});

describe("seller: share an opportunity with Microsoft", () => {
  let opportunityId = "";
  let referralId = "";

  it("switch sync on, choose help and a solution id, save → ✔ Synced, referral id and link within seconds", async () => {
    opportunityId = await createOpportunity("Contoso cloud migration", contosoId);
    await open("#/");
    await page.locator(`tr[data-opportunity="${opportunityId}"] a`).click();
    await section().waitFor();
    await pageReady();

    // Asking Microsoft for help needs someone at the customer to talk to.
    await field(S.parentContact).selectOption({ label: "Dana Reyes" });
    await section().getByRole("switch", { name: "Sync with Partner Center" }).click();
    await section().locator(".ms-Dropdown").click();
    await page.getByRole("option", { name: HELP_LABEL }).click();
    // Help shares the deal with Microsoft sellers, irreversibly: the seller consents, and confirms.
    await section().getByRole("switch", { name: /^Share with Microsoft sellers/ }).click();
    await section().getByRole("button", { name: "Share with Microsoft sellers" }).click();
    await section().getByPlaceholder("Type an id like SOL-12345-ABC, then Enter").fill("SOL-12345-ABC");
    await page.keyboard.press("Enter");
    const savedAt = Date.now();
    await command("save").click();

    await reloadUntil("✔ Synced", async () => (await sectionText()).includes("✔ Synced"));
    const elapsed = Date.now() - savedAt;
    const row = await readOpportunity(env, opportunityId);
    referralId = String(row[C.referralIdentifier]);
    expect(row[C.syncStatus]).toBe(SyncStatus.Synced);
    expect(referralId).toMatch(/\S/);
    expect(await sectionText()).toContain(referralId);
    const link = section().getByRole("link", { name: /Open in Partner Center/ });
    expect(await link.getAttribute("href")).toContain(referralId);
    expect(elapsed).toBeLessThan(10_000);
    await shot("01-synced");

    const referral = await getReferral(env, referralId);
    expect(referral.externalReferenceId).toBe(opportunityId);
    expect(referral.name).toBe("Contoso cloud migration");
    expect(referral.details.dealValue).toBe(25000);
    expect(referral.details.currency).toBe("USD");
    expect(referral.details.closingDateTime?.slice(0, 10)).toBe("2027-03-31");
    expect(referral.details.notes).toBe("Move 40 VMs to Azure");
    expect(referral.details.requirements?.solutions?.map((solution) => solution.id)).toEqual(["SOL-12345-ABC"]);
    expect(referral.inviteContext?.assistanceRequestCode).toBe("ProofOfConceptOrDemo");
    expect(referral.customerProfile?.name).toBe("Contoso Ltd");
    expect(referral.customerProfile?.address?.country).toBe("US");
  });

  it("change the deal value → Partner Center updated, audit line in the section", async () => {
    expect(referralId).not.toBe("");
    await field(S.estimatedValue).fill("32000");
    await field(S.estimatedValue).press("Tab");
    await command("save").click();
    await waitFor("deal value in Partner Center", async () => (await getReferral(env, referralId)).details.dealValue === 32000);

    await reloadUntil("the audit line", async () => {
      const toggle = section().getByRole("button", { name: /audit trail/ });
      if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
      return (await sectionText()).includes("deal value 25000 → 32000");
    });
    const audit = await section().getByRole("list", { name: "Audit" }).innerText().catch(() => sectionText());
    expect(audit).toMatch(/CRM → Partner Center[\s\S]*updated[\s\S]*deal value 25000 → 32000/);
    await shot("02-audit");
  });

  it("Partner Center failing → the Error state with its reason; Sync now after the fault clears brings ✔ back", async () => {
    await setPartnerCenterFaults({ serverErrorRate: 1 });
    try {
      await field(S.estimatedValue).fill("40000");
      await field(S.estimatedValue).press("Tab");
      await command("save").click();
      await reloadUntil("the Error state", async () => (await sectionText()).includes("Error:"), 25_000);
    } finally {
      await setPartnerCenterFaults({});
    }
    const text = await sectionText();
    expect(text).toContain("Partner Center is not answering right now (503). Use Sync now to try again.");
    expect(text).not.toContain("✔ Synced");
    await shot("03-error");

    await expect.poll(() => command(SYNC_NOW).isEnabled()).toBe(true);
    await command(SYNC_NOW).click();
    expect(await closeAlert()).toContain(english.syncDone);
    expect(await sectionText()).toContain("✔ Synced");
    expect(await sectionText()).not.toContain("Error:");
    expect((await getReferral(env, referralId)).details.dealValue).toBe(40000);
    await shot("04-synced-again");
  });
});

describe("seller: the co-sell check before anything is sent", () => {
  it("a missing country and a bad solution id block the save with one message; nothing reaches Partner Center", async () => {
    // An opportunity migrated from an older system, its Products holding a malformed id.
    const opportunityId = await createOpportunity("Northwind retail analytics", northwindId, { [C.products]: "SOL-1234-AB" });
    const referralsBefore = (await listReferrals(env)).length;
    const countersBefore = await pcCounters();
    await openOpportunity(opportunityId);

    await section().getByRole("switch", { name: "Sync with Partner Center" }).click();
    await command("save").click();
    const text = await closeAlert();
    expect(text).toContain(english.saveBlocked([english.accountWithoutCountry("Northwind Traders"), english.invalidSolutionIds(["SOL-1234-AB"]), english.missingSolution]));
    await shot("05-blocked");

    const row = await readOpportunity(env, opportunityId);
    expect(row[C.syncWithPartnerCenter]).toBe(false);
    expect(row[C.referralIdentifier]).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await listReferrals(env)).length).toBe(referralsBefore);
    const countersAfter = await pcCounters();
    const creates = (counters: Record<string, number>) => counters["POST /v1.0/engagements/referrals"] ?? 0;
    expect(creates(countersAfter)).toBe(creates(countersBefore));
  });
});

describe("seller: inbound Microsoft referrals", () => {
  async function sendReferral(name: string, customer: string): Promise<string> {
    await open("#/partner-center");
    const form = page.getByRole("form", { name: "Send a referral as a Microsoft seller" });
    await form.getByLabel("Deal name").fill(name);
    await form.getByLabel("Customer").fill(customer);
    await form.getByRole("button", { name: "Send a referral as a Microsoft seller" }).click();
    await page.locator("tr", { hasText: name }).waitFor();
    const referral = (await listReferrals(env)).find((candidate) => candidate.name === name);
    expect(referral?.direction).toBe("Incoming");
    return referral!.id;
  }

  /** The referral shows up in the opportunity list; returns the opportunity's id. */
  async function findInList(name: string): Promise<string> {
    await open("#/");
    const row = page.locator("tr[data-opportunity]", { hasText: name });
    await reloadUntil(`"${name}" in the opportunity list`, async () => (await row.count()) === 1);
    return String(await row.getAttribute("data-opportunity"));
  }

  it("a referral sent by a Microsoft seller appears in the list; Accept from the command bar → Active/Accepted", async () => {
    const referralId = await sendReferral("Fabrikam data platform", "Fabrikam Inc");
    const opportunityId = await findInList("Fabrikam data platform");
    await shot("06-inbound-list");
    await page.locator(`tr[data-opportunity="${opportunityId}"] a`).click();
    await section().waitFor();
    await pageReady();
    expect(await sectionText()).toContain(referralId);
    // Created with its account (matched or created from the referral's customer) and contacts.
    expect(await field(S.parentAccount).locator("option:checked").innerText()).toBe("Fabrikam Inc");

    const auditLines = async () => String((await readOpportunity(env, opportunityId))[C.audit] ?? "").split("\n").filter(Boolean).length;
    const auditBefore = await auditLines();
    await expect.poll(() => command(ACCEPT).isEnabled()).toBe(true);
    await command(ACCEPT).click();
    expect(await closeAlert()).toContain(english.referralAccepted);
    await waitFor("Active/Accepted in Partner Center", async () => {
      const referral = await getReferral(env, referralId);
      return referral.status === "Active" && referral.substatus === "Accepted";
    });
    // The service has written its answer back to the record (so the next save does not race it).
    await waitFor("the accept's audit line on the record", async () => (await auditLines()) > auditBefore);

    // The seller works the deal in Dynamics 365: a deal value edit is not held to what a new referral needs.
    await openOpportunity(opportunityId);
    await field(S.estimatedValue).fill("60000");
    await field(S.estimatedValue).press("Tab");
    await command("save").click();
    await waitFor("deal value in Partner Center", async () => (await getReferral(env, referralId)).details.dealValue === 60000);
    expect(await page.locator('[data-dialog="alert"]').count()).toBe(0);

    await open("#/partner-center");
    await expect.poll(() => page.locator(`tr[data-referral="${referralId}"]`).innerText()).toContain("Active / Accepted");
    await shot("07-accepted-in-partner-center");
  });

  it("another one declined with a reason from the command bar → Closed/Declined with that reason", async () => {
    const referralId = await sendReferral("Tailspin analytics", "Tailspin Toys");
    const opportunityId = await findInList("Tailspin analytics");
    await openOpportunity(opportunityId);

    const reason = "The customer chose to stay on premises this year.";
    let prompted = "";
    page.once("dialog", (dialog) => {
      prompted = dialog.message();
      void dialog.accept(reason);
    });
    await expect.poll(() => command(DECLINE).isEnabled()).toBe(true);
    await command(DECLINE).click();
    expect(await closeAlert()).toContain(english.referralDeclined);
    expect(prompted).toBe(english.declineReasonPrompt);
    const referral = await waitFor("Closed/Declined in Partner Center", async () => {
      const current = await getReferral(env, referralId);
      return current.status === "Closed" && current.substatus === "Declined" ? current : null;
    });
    expect(referral.statusReason).toBe(reason);
    await shot("08-declined");
    expect(pageErrors).toEqual([]);
  });
});
