/**
 * Browser smoke test of the sandbox form page: the real built solution zip (form XML, RibbonDiffXml,
 * web resource, PCF bundle) in Debian Chromium against both sandboxes. The sync backend is not
 * running here, so nothing syncs; the end-to-end story tests come with it (issue 8).
 *
 * One browser for the file; every non-loopback request is aborted (the page must work offline).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { openOfflinePage } from "../support/offline-browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpportunityColumns } from "../../entities/opportunity-columns";
import { AccountColumns, OpportunityStandardColumns, Tables } from "../../entities/standard-tables";
import { startDataverseSandbox, type DataverseSandbox } from "../../sandbox/dataverse/dataverse-sandbox";
import { defaultSolutionZip, startFormPage, type FormPage } from "../../sandbox/form-page/form-page-server";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { NOTIFICATION_IDS } from "../../webresources/src/forms/sync-notification";

const S = OpportunityStandardColumns;
const C = OpportunityColumns;
const AUTH = { authorization: "Bearer test" };
const SCREENSHOTS = join(tmpdir(), "cosell-form-page");

let dataverse: DataverseSandbox;
let partnerCenter: PartnerCenterSandbox;
let formPage: FormPage;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

async function dataverseJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${dataverse.apiUrl}/${path}`, { ...init, headers: { ...AUTH, "content-type": "application/json", ...init.headers } });
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? {} : await response.json()) as T;
}

async function createAccount(name: string, country: string | null): Promise<void> {
  await dataverseJson(Tables.account.entitySetName, { method: "POST", body: JSON.stringify({ [AccountColumns.name]: name, [AccountColumns.country]: country }) });
}

async function opportunity(id: string): Promise<Record<string, unknown>> {
  return dataverseJson(`${Tables.opportunity.entitySetName}(${id})?$select=${[S.name, C.syncWithPartnerCenter, C.products].join(",")}`);
}

async function opportunityCount(): Promise<number> {
  return (await dataverseJson<{ value: unknown[] }>(`${Tables.opportunity.entitySetName}?$select=${S.id}`)).value.length;
}

const field = (column: string) => page.locator(`#field-${column}`);
const command = (id: string) => page.locator(`[data-command="${id}"]`);

beforeAll(async () => {
  const zipPath = await defaultSolutionZip();
  if (!existsSync(zipPath)) throw new Error(`${zipPath} is missing: run npm run build first (pcf, web resources, solution).`);
  [dataverse, partnerCenter] = await Promise.all([startDataverseSandbox(), startPartnerCenterSandbox()]);
  // As an admin would: import the zip, which is what defines the pcc_ columns in the org.
  await dataverseJson("ImportSolution", {
    method: "POST",
    body: JSON.stringify({ CustomizationFile: (await readFile(zipPath)).toString("base64"), OverwriteUnmanagedCustomizations: true, ImportJobId: crypto.randomUUID() }),
  });
  await createAccount("Contoso Ltd", "US");
  await createAccount("Fabrikam Inc", null);
  formPage = await startFormPage({ dataverseUrl: dataverse.url, partnerCenterUrl: partnerCenter.url, solutionZip: zipPath });

  const opened = await openOfflinePage({ height: 1400, screenshotDir: SCREENSHOTS });
  ({ browser, page } = opened);
  pageErrors = opened.pageErrors;
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([formPage?.close(), dataverse?.close(), partnerCenter?.close()]);
});

describe("sandbox form page", () => {
  let opportunityId = "";

  it("creates an opportunity on the shipped form, with the PCF control rendered in the co-sell section", async () => {
    await page.goto(formPage.url);
    await command("new-opportunity").click();
    const section = page.locator('.pcf-container section[aria-label="Co-sell with Microsoft"]');
    await expect.poll(() => section.count()).toBe(1);
    // Until the record is saved the custom enable rules keep Sync now off.
    expect(await command("pcc.opportunity.Form.SyncNow.Button").isDisabled()).toBe(true);

    await field(S.name).fill("Contoso cloud migration");
    await field(S.customer).selectOption({ label: "Fabrikam Inc" });
    await field(S.transactionCurrency).selectOption({ label: "US Dollar" });
    await field(S.estimatedValue).fill("25000");
    await field(S.estimatedCloseDate).fill("2027-03-31");
    await command("save").click();

    await page.waitForURL(/#\/opportunity\/[0-9a-f-]{36}$/);
    opportunityId = /([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "";
    const saved = await opportunity(opportunityId);
    expect(saved[S.name]).toBe("Contoso cloud migration");
    expect(saved[C.syncWithPartnerCenter]).toBe(false);
  });

  it("blocks a save with sync on and a customer without country, with one message and nothing written", async () => {
    await page.getByRole("switch", { name: "Sync with Partner Center" }).click();
    // The form's OnChange handler on the switch ran (the control's output reached the record).
    await expect.poll(() => page.locator(`[data-notification="${NOTIFICATION_IDS.requirements}"]`).count()).toBe(1);
    await page.getByPlaceholder("Type an id like SOL-12345-ABC, then Enter").fill("SOL-12345-ABC");
    await page.keyboard.press("Enter");
    await command("save").click();

    const alert = page.locator('[data-dialog="alert"]');
    await expect.poll(() => alert.count()).toBe(1);
    const text = await alert.innerText();
    expect(text).toContain('The customer account "Fabrikam Inc" has no country in its address.');
    expect(text).not.toContain("Choose the currency.");
    await alert.getByRole("button", { name: "OK" }).click();
    expect((await opportunity(opportunityId))[C.syncWithPartnerCenter]).toBe(false);
    expect(await opportunityCount()).toBe(1);
  });

  it("saves the switch and the solution id to Dataverse once the customer has a country", async () => {
    await field(S.customer).selectOption({ label: "Contoso Ltd" });
    await command("save").click();
    await expect.poll(async () => (await opportunity(opportunityId))[C.syncWithPartnerCenter], { timeout: 10_000 }).toBe(true);
    expect((await opportunity(opportunityId))[C.products]).toBe("SOL-12345-ABC");
    // Saved, writable and syncing: the web resource's enable rule now turns Sync now on.
    await expect.poll(() => command("pcc.opportunity.Form.SyncNow.Button").isEnabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, "form-en.png"), fullPage: true });
  });

  it("shows the control and the command bar in Italian when the user's language is Italian", async () => {
    await page.locator("[data-language]").selectOption("1040");
    await expect.poll(() => page.locator('.pcf-container section[aria-label="Co-sell con Microsoft"]').count()).toBe(1);
    expect(await page.getByRole("switch", { name: "Sincronizza con Partner Center" }).isChecked()).toBe(true);
    expect(await command("pcc.opportunity.Form.SyncNow.Button").innerText()).toBe("Sincronizza ora");
    await page.screenshot({ path: join(SCREENSHOTS, "form-it.png"), fullPage: true });
    await page.locator("[data-language]").selectOption("1033");
  });

  it("sends a referral as a Microsoft seller from the Partner Center page", async () => {
    await page.getByRole("link", { name: "Partner Center" }).click();
    const form = page.getByRole("form", { name: "Send a referral as a Microsoft seller" });
    await form.getByLabel("Deal name").fill("Fabrikam data platform");
    await form.getByRole("button", { name: "Send a referral as a Microsoft seller" }).click();
    await expect.poll(() => page.locator("tr", { hasText: "Fabrikam data platform" }).count()).toBe(1);

    const response = await fetch(`${partnerCenter.url}/v1.0/engagements/referrals`, { headers: AUTH });
    const referrals = ((await response.json()) as { value: { name: string; direction: string; status: string }[] }).value;
    expect(referrals.filter((referral) => referral.name === "Fabrikam data platform")).toEqual([
      expect.objectContaining({ direction: "Incoming", status: "New" }),
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, "partner-center.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
