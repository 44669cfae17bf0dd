/**
 * The admin stories of issue 18 in Debian Chromium, on the sandbox form page over the whole
 * sandboxed product: the Co-sell app's navigation from the site map in the built solution; pausing
 * and resuming all sync from the settings form (the form of the settings table in the zip), with the
 * backend following within seconds; the field mapping form (a column that does not exist, its fix,
 * a test on an opportunity); the Teams card of a new Microsoft referral, posted to a local receiver
 * that checks it with the Adaptive Cards SDK (and rendered by it for the screenshot); the Sync health page (the web resource in the zip) reading the
 * backend's heartbeat: running, retrying the errors, an expiring Partner Center sign-in, and a stopped
 * backend. The test clicks and types as an admin does; it reads the sandboxes' APIs to check.
 *
 * Screenshots of every page looked at go to test-results/screenshots/ (not committed).
 */
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountColumns, ContactColumns, CoSellMappingColumns as M, CoSellMappingTable, CoSellSettingsColumns as SC, CoSellSettingsTable, OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus, Tables } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { defaultSolutionZip, startFormPage, type FormPage } from "../../sandbox/form-page/form-page-server";
import { COSELL_APP } from "../../solution/xml/app-module";
import { OPPORTUNITY_VIEWS } from "../../solution/xml/views";
import { HEALTH_PAGE_NAME } from "../../webresources/health/public-names";
import { createRow, createSharableOpportunity, listReferrals, patchReferral, readOpportunity, waitFor, waitForSynced, webApi } from "../e2e-api/story-kit";
import { formPageReady, openFormPage, openOfflinePage } from "../support/offline-browser";
import { startTeamsReceiver } from "../support/teams-receiver";

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-results", "screenshots");
/** The Adaptive Cards SDK's browser bundle, to render the received card as a channel would. */
const ADAPTIVE_CARDS_UMD = createRequire(import.meta.url).resolve("adaptivecards/dist/adaptivecards.js");

let env: SandboxEnvironment;
let formPage: FormPage;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let workDir = "";
let tokenFile = "";
let serviceStopped = false;
/** The deal the first story shares and the pause story edits. */
let syncedDealId = "";

const open = (hash: string) => openFormPage(page, formPage.url, hash);
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The health page's frame, once its script has drawn it. */
async function healthFrame(): Promise<Frame> {
  const element = await page.locator(`iframe[data-webresource="${HEALTH_PAGE_NAME}"]`).elementHandle();
  const frame = await element!.contentFrame();
  await frame!.waitForFunction(() => document.body.dataset["ready"] === "true");
  return frame!;
}

/** How many opportunities Dataverse holds with a sync status: what the page's count must say. */
async function countWithStatus(status: number): Promise<number> {
  const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$select=${C.syncStatus}&$filter=${C.syncStatus} eq ${status}`);
  return (json.value as unknown[]).length;
}

async function openHealthPage(): Promise<Frame> {
  await open("#/");
  await page.locator('[data-subarea="pcc_subarea_sync_health"]').click();
  await formPageReady(page);
  return healthFrame();
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "cosell-admin-app-"));
  tokenFile = join(workDir, "partner-center-token.json");
  const solutionZip = await defaultSolutionZip();
  env = await startSandboxEnvironment({ solutionZip, settingsRefreshMs: 300, heartbeatIntervalMs: 500, maxAttempts: 1, workers: 2, partnerCenterTokenFile: tokenFile });
  formPage = await startFormPage({ dataverseUrl: env.dataverse.url, partnerCenterUrl: env.partnerCenter.url, solutionZip });
  const opened = await openOfflinePage({ height: 1000, screenshotDir: SCREENSHOTS });
  ({ browser, page } = opened);
  pageErrors = opened.pageErrors;
});

afterAll(async () => {
  await browser?.close();
  await formPage?.close();
  if (serviceStopped) {
    await env?.dataverse.close();
    await env?.partnerCenter.close();
  } else await env?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("the Co-sell app in Dynamics 365 (the form page)", () => {
  it("shows the app's navigation from the solution's site map, and its views open with their filters", async () => {
    // Shared as a seller does on the form: with the customer's contact, which the form's save check wants.
    const contact = await createRow(env, Tables.contact.entitySetName, { [ContactColumns.firstName]: "Marta", [ContactColumns.lastName]: "Verdi", [ContactColumns.email]: "marta.verdi@fabrikam.example" });
    syncedDealId = (await createSharableOpportunity(env, { [`${S.parentContact}@odata.bind`]: `/${Tables.contact.entitySetName}(${contact})` })).opportunityId;
    await waitForSynced(env, syncedDealId);
    await createRow(env, Tables.opportunity.entitySetName, { name: "Not shared with Microsoft", estimatedvalue: 500 });

    await open("#/");
    const nav = page.locator(`nav.site-map[data-app="${COSELL_APP.uniqueName}"]`);
    expect(await nav.locator(".app-name").innerText()).toBe("Co-sell");
    expect(await nav.locator("[data-area]").evaluateAll((areas) => areas.map((area) => area.querySelector(".area-title")?.textContent))).toEqual(["Co-sell", "Administration"]);
    expect(await nav.locator("[data-subarea]").allInnerTexts()).toEqual([
      ...OPPORTUNITY_VIEWS.map((view) => view.names[1033]), "Co-sell settings", "Co-sell field mappings", "Sync health",
    ]);
    await shot("app-01-navigation");

    await nav.getByText("Co-sell opportunities").click();
    await formPageReady(page);
    const rows = page.locator("table.grid tbody tr[data-row]");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toMatch(/Fabrikam cloud migration[\s\S]*Synced/);
    await shot("app-02-cosell-opportunities-view");

    // The language switch draws the navigation in Italian, from the same site map.
    await page.locator("[data-language]").selectOption("1040");
    await formPageReady(page);
    expect(await nav.locator("[data-subarea]").allInnerTexts()).toContain("Stato della sincronizzazione");
    await page.locator("[data-language]").selectOption("1033");
    await formPageReady(page);
    expect(pageErrors).toEqual([]);
  });

  it("pauses all sync from the settings form, the backend stops within seconds; resuming syncs what waited", async () => {
    await open("#/");
    await page.locator('[data-subarea="pcc_subarea_settings"]').click();
    await formPageReady(page);
    await page.locator('[data-command="new-record"]').click();
    await formPageReady(page);
    await page.locator(`#field-${SC.name}`).fill("Co-sell settings");
    await page.locator(`#field-${SC.name}`).dispatchEvent("change");
    await page.locator(`#field-${SC.pauseAllSync}`).check();
    await page.locator('[data-command="save"]').click();
    await page.waitForFunction(() => /#\/record\/pcc_cosellsetting\/[0-9a-f-]{36}$/.test(location.hash));
    await formPageReady(page);
    const settingsId = page.url().split("/").pop()!;
    const started = Date.now();
    await waitFor("the backend to pause", async () => env.service!.settings.isPaused(), 5_000);
    const pausedAfterMs = Date.now() - started;
    expect(pausedAfterMs).toBeLessThan(5_000);
    await shot("app-03-settings-paused");

    // While paused, a seller's shared deal is received but waits.
    const { opportunityId } = await createSharableOpportunity(env);
    await sleep(2_000);
    expect((await readOpportunity(env, opportunityId))[C.syncStatus]).not.toBe(SyncStatus.Synced);

    // A seller changes the value of a synced deal on its form: the save says Pending, and it waits too.
    await open(`#/opportunity/${syncedDealId}`);
    await page.locator(`#field-${S.estimatedValue}`).fill("32000");
    await page.locator(`#field-${S.estimatedValue}`).press("Tab");
    await page.locator('[data-command="save"]').click();
    await shot("app-03b-seller-saves-while-paused");
    await waitFor("the seller's save to say Pending", async () => (await readOpportunity(env, syncedDealId))[C.syncStatus] === SyncStatus.Pending);
    await sleep(1_000);
    expect((await readOpportunity(env, syncedDealId))[C.syncStatus]).toBe(SyncStatus.Pending);
    const health = await openHealthPage();
    expect(await health.locator('[data-health="oldest-pending"] p').innerText()).toMatch(/^Fabrikam cloud migration — waiting since \w{3} \d+, \d{4}, \d+:\d{2}/);
    await shot("health-00-paused-oldest-pending");
    await open(`#/record/${CoSellSettingsTable.logicalName}/${settingsId}`);

    await page.locator(`#field-${SC.pauseAllSync}`).uncheck();
    await page.locator('[data-command="save"]').click();
    await waitFor("the backend to resume", async () => !env.service!.settings.isPaused(), 5_000);
    await waitForSynced(env, opportunityId);
    await waitForSynced(env, syncedDealId);
    await page.reload();
    await formPageReady(page);
    expect(await page.locator(`#field-${SC.pauseAllSync}`).isChecked()).toBe(false);
    await shot("app-04-settings-resumed");
    expect(pageErrors).toEqual([]);
  });
});

describe("the field mapping, from its form", () => {
  type Row = Record<string, unknown>;
  const rowFor = async (field: string): Promise<Row> => waitFor(`the mapping row of ${field}`, async () => {
    const { json } = await webApi(env, "GET", `${CoSellMappingTable.entitySetName}?$filter=${M.partnerCenterField} eq '${field}'`);
    const row = (json.value as Row[])[0];
    return row && typeof row[M.verdict] === "string" ? row : null;
  });

  /** Opens the row from the app's navigation: Co-sell field mappings, then the row's link. */
  async function openMappingRow(id: string): Promise<void> {
    await open("#/");
    await page.locator('[data-subarea="pcc_subarea_field_mapping"]').click();
    await formPageReady(page);
    await page.locator(`a[href="#/record/${CoSellMappingTable.logicalName}/${id}"]`).click();
    await formPageReady(page);
  }

  async function setField(column: string, value: string): Promise<void> {
    const field = page.locator(`#field-${column}`);
    await field.fill(value);
    await field.dispatchEvent("change");
  }

  /** Reloads the form, as the admin presses Refresh, until the column shows what the backend wrote. */
  async function reloadUntilField(column: string, matching: RegExp): Promise<string> {
    return waitFor(`${column} to match ${matching} on the form`, async () => {
      await page.reload();
      await formPageReady(page);
      const value = await page.locator(`#field-${column}`).inputValue();
      return matching.test(value) ? value : null;
    }, 15_000);
  }

  it("points notes at a column that does not exist and sees the verdict; fixed, the field follows the new column", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.description]: "first notes" });
    const referralId = (await waitForSynced(env, opportunityId))[C.referralIdentifier] as string;
    const notes = await rowFor("notes");
    const id = String(notes[CoSellMappingTable.primaryId]);

    await openMappingRow(id);
    expect(await page.locator(`#field-${M.verdict}`).inputValue()).toBe("OK: notes ↔ opportunity.description, both ways");
    await shot("mapping-01-form-ok");
    await setField(M.dataverseColumn, "new_region");
    await page.locator('[data-command="save"]').click();
    const verdict = await reloadUntilField(M.verdict, /does not exist/);
    expect(verdict).toBe("column new_region does not exist on opportunity; until it is fixed notes keeps syncing through opportunity.description (the last valid mapping)");
    await shot("mapping-02-verdict-column-does-not-exist");

    await setField(M.dataverseColumn, "customerneed");
    await page.locator('[data-command="save"]').click();
    await reloadUntilField(M.verdict, /^OK: notes ↔ opportunity\.customerneed/);
    await shot("mapping-03-verdict-fixed");
    await waitFor("the backend to run the new mapping", async () => env.service!.mapping.current().opportunity.notes === "customerneed");
    await patchReferral(env, referralId, [{ op: "replace", path: "/details/notes", value: "notes after the fix" }]);
    const row = await waitFor("the notes to arrive in customerneed", async () => {
      const opportunity = await readOpportunity(env, opportunityId);
      return opportunity["customerneed"] === "notes after the fix" ? opportunity : null;
    }, 15_000);
    expect(row[S.description]).toBe("first notes");
    expect(pageErrors).toEqual([]);
  });

  it("tests the mapping on an opportunity from the form: the preview appears, nothing is sent", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.name]: "Preview deal", [C.syncWithPartnerCenter]: false, customerneed: "needs a data platform" });
    const referralsBefore = (await listReferrals(env)).length;
    const id = String((await rowFor("notes"))[CoSellMappingTable.primaryId]);
    await openMappingRow(id);
    await setField(M.testOpportunity, "Preview deal");
    await page.locator('[data-command="save"]').click();
    const preview = await reloadUntilField(M.testPreview, /Test of the mapping on "Preview deal"/);
    expect(preview).toContain(`Test of the mapping on "Preview deal" (${opportunityId})`);
    expect(preview).toContain("Nothing was sent to Partner Center");
    expect(preview).toContain("notes (notes) ⇄ opportunity.customerneed: needs a data platform");
    expect(await page.locator(`#field-${M.testOpportunity}`).inputValue()).toBe("");
    await shot("mapping-04-test-on-an-opportunity");
    expect((await listReferrals(env)).length).toBe(referralsBefore);
    expect((await readOpportunity(env, opportunityId))[C.referralIdentifier] ?? null).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});

describe("the Teams card of a new Microsoft referral", () => {
  it("the admin pastes the Teams Workflows URL in the settings form; a referral a Microsoft seller sends arrives as one valid Adaptive Card", async () => {
    const receiver = await startTeamsReceiver();
    try {
      await open("#/");
      await page.locator('[data-subarea="pcc_subarea_settings"]').click();
      await formPageReady(page);
      await page.locator("table.grid tbody tr[data-row] a").first().click();
      await formPageReady(page);
      const url = page.locator(`#field-${SC.teamsWebhookUrl}`);
      await url.fill(receiver.url);
      await url.dispatchEvent("change");
      await page.locator('[data-command="save"]').click();
      await waitFor("the backend to read the Teams URL", async () => env.service!.settings.current().teamsWebhookUrl === receiver.url, 5_000);
      await shot("teams-01-settings-with-teams-url");

      // A Microsoft seller sends a referral (the Partner Center page stands in for their side).
      await open("#/partner-center");
      const form = page.getByRole("form", { name: "Send a referral as a Microsoft seller" });
      await form.getByLabel("Deal name").fill("Woodgrove Bank data platform");
      await form.getByLabel("Customer").fill("Woodgrove Bank");
      await form.getByLabel("Deal value (USD)").fill("180000");
      await form.getByRole("button", { name: "Send a referral as a Microsoft seller" }).click();
      await page.locator("tr", { hasText: "Woodgrove Bank data platform" }).waitFor();

      const [card] = await waitFor("the Teams card", async () => (receiver.received.length > 0 ? receiver.received : null), 15_000);
      expect(card!.problems).toEqual([]);
      const text = JSON.stringify(card!.card);
      expect(text).toContain("Woodgrove Bank");
      expect(text).toMatch(/180[,.]?000/);
      await sleep(1_000);
      expect(receiver.received).toHaveLength(1);

      // What the channel shows: the card rendered by the Adaptive Cards SDK, as Teams renders it.
      const cardPage = await browser.newPage({ viewport: { width: 600, height: 700 } });
      await cardPage.setContent("<!doctype html><html><body style=\"font-family: 'Segoe UI', sans-serif; padding: 16px; background: #f5f5f5\"><div id=\"card\" style=\"background: #fff; max-width: 520px\"></div></body></html>");
      await cardPage.addScriptTag({ path: ADAPTIVE_CARDS_UMD });
      await cardPage.evaluate((json) => {
        const sdk = (window as unknown as { AdaptiveCards: { AdaptiveCard: new () => { parse(card: unknown): void; render(): HTMLElement } } }).AdaptiveCards;
        const rendered = new sdk.AdaptiveCard();
        rendered.parse(json);
        document.getElementById("card")!.append(rendered.render());
      }, card!.card);
      await cardPage.screenshot({ path: join(SCREENSHOTS, "teams-02-card-as-rendered.png"), fullPage: true });
      await cardPage.close();
      expect(pageErrors).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe("the Sync health page", () => {
  it("shows the running service from its heartbeat, counts by status, and Retry all fixes the errors the admin has cleared", async () => {
    // A deal whose customer has no country: the sync refuses it and says why.
    const accountId = await createRow(env, Tables.account.entitySetName, { [AccountColumns.name]: "Litware Inc." });
    const { opportunityId } = await createSharableOpportunity(env, { [`${S.parentAccount}@odata.bind`]: `/${Tables.account.entitySetName}(${accountId})` });
    await waitFor("the sync error", async () => (await readOpportunity(env, opportunityId))[C.syncStatus] === SyncStatus.Error, 15_000);

    let frame = await openHealthPage();
    expect(await frame.locator('[data-service="running"]').innerText()).toBe("The sync service is running: 1 instance, version 1.0.0.");
    expect(await frame.locator('[data-fact="webhook-holder"] td').innerText()).toBe(`This service (${env.backendUrl}/webhooks/partner-center)`);
    expect(await frame.locator(`[data-status="${SyncStatus.Synced}"] td`).innerText()).toBe(String(await countWithStatus(SyncStatus.Synced)));
    expect(await frame.locator(`[data-status="${SyncStatus.Error}"] td`).innerText()).toBe("1");
    expect(await frame.locator(`[data-error-row="${opportunityId}"]`).innerText()).toMatch(/country/i);
    await shot("health-01-running-with-an-error");

    // The admin fills in the country and a contact (neither change wakes the sync), then asks for every errored deal again.
    await webApi(env, "PATCH", `${Tables.account.entitySetName}(${accountId})`, { [AccountColumns.country]: "US", [AccountColumns.city]: "Redmond", [AccountColumns.postalCode]: "98052" }, { "If-Match": "*" });
    await createRow(env, Tables.contact.entitySetName, {
      [ContactColumns.firstName]: "Ana", [ContactColumns.lastName]: "Trujillo", [ContactColumns.email]: "ana@litware.example",
      [`${ContactColumns.parentCustomer}_${Tables.account.logicalName}@odata.bind`]: `/${Tables.account.entitySetName}(${accountId})`,
    });
    await sleep(1_000);
    expect((await readOpportunity(env, opportunityId))[C.syncStatus]).toBe(SyncStatus.Error);
    const errorsBefore = await countWithStatus(SyncStatus.Error);
    await frame.locator('[data-action="retry-all"]').click();
    // The outcome line says how many were asked (or why it could not ask): wait for any, then check it.
    await frame.locator("[data-retry-outcome]", { hasText: /\S/ }).waitFor({ timeout: 20_000 });
    expect(await frame.locator("[data-retry-outcome]").innerText()).toBe(
      `Asked the sync service to retry ${errorsBefore} opportunit${errorsBefore === 1 ? "y" : "ies"}; they update within seconds.`,
    );
    await waitForSynced(env, opportunityId);
    await frame.locator('[data-action="refresh"]').click();
    await frame.waitForFunction(() => document.body.dataset["ready"] === "true");
    frame = await healthFrame();
    expect(await frame.locator('[data-health="errors"]').innerText()).toContain("No sync errors.");
    expect(await frame.locator(`[data-status="${SyncStatus.Synced}"] td`).innerText()).toBe(String(await countWithStatus(SyncStatus.Synced)));
    expect(await frame.locator(`[data-status="${SyncStatus.Error}"]`).count()).toBe(0);
    await shot("health-02-after-retry-all");
    expect(pageErrors).toEqual([]);
  });

  it("warns when the Partner Center sign-in is about to expire", async () => {
    // The stored sign-in was last refreshed 85 days ago: it dies unused in 5 days.
    await writeFile(tokenFile, "{}");
    const lastUsed = new Date(Date.now() - 85 * 24 * 3600_000);
    await utimes(tokenFile, lastUsed, lastUsed);
    await waitFor("the heartbeat to carry the expiry", async () => {
      const { json } = await webApi(env, "GET", "pcc_cosellheartbeats?$select=pcc_signinexpireson");
      return (json.value as Record<string, unknown>[])[0]?.["pcc_signinexpireson"];
    });
    const frame = await openHealthPage();
    expect(await frame.locator('[data-warning="sign-in-expiring"]').innerText()).toMatch(/^The Partner Center sign-in expires .*: run `cosell login` as a Referrals admin/);
    expect(await frame.locator('[data-fact="sign-in"] td').innerText()).toMatch(/^Warning: the stored sign-in expires/);
    await shot("health-03-sign-in-expiring");
  });

  it("says the sync service is not running, and what to check, once its heartbeat is older than 3 minutes", async () => {
    await env.service!.stop();
    serviceStopped = true;
    // The admin looks four minutes later: the browser's clock moves on, the last heartbeat stays where it was.
    await page.clock.install({ time: new Date(Date.now() + 4 * 60_000) });
    const frame = await openHealthPage();
    const banner = frame.locator('[data-service="not-running"]');
    expect(await banner.innerText()).toMatch(/^The sync service is not running\. Its last heartbeat was [\s\S]*What to check:[\s\S]*cosell doctor/);
    expect(await frame.locator('[data-service="running"]').count()).toBe(0);
    await shot("health-04-service-not-running");
    expect(pageErrors).toEqual([]);
  });
});
