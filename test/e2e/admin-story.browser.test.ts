/**
 * The admin story of docs/DESIGN.md 1 end to end: from an empty Dataverse sandbox and a Partner Center
 * sandbox that already holds referrals, the admin imports the solution zip through ImportSolution,
 * starts the sync service, points both sides at it with `cosell register-webhooks`, imports the
 * existing referrals with `cosell backfill` (progress shown), and the sellers find them as
 * opportunities in the form page, in Debian Chromium. The two CLI commands run as child processes
 * with the same environment an admin sets; the service runs in-process on the same store file.
 *
 * One browser for the file; every non-loopback request is aborted.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { formPageReady, openFormPage, openOfflinePage } from "../support/offline-browser";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus, Tables } from "../../entities";
import { startDataverseSandbox, type DataverseSandbox } from "../../sandbox/dataverse/dataverse-sandbox";
import { SANDBOX_TOKEN, sandboxEnv } from "../../sandbox/environment/sandbox-environment";
import { defaultSolutionZip, startFormPage, type FormPage } from "../../sandbox/form-page/form-page-server";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { parseConfig } from "../../sync/service/config";
import { createSyncService, type SyncService } from "../../sync/service/sync-service";
import { SyncMetrics } from "../../sync/observability/metrics";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCREENSHOTS = join(tmpdir(), "cosell-e2e");
const AUTH = { authorization: `Bearer ${SANDBOX_TOKEN}`, "content-type": "application/json" };
const EXISTING = ["Adatum ERP rollout", "Litware security review", "Woodgrove analytics"];

let dataverse: DataverseSandbox;
let partnerCenter: PartnerCenterSandbox;
let formPage: FormPage;
let service: SyncService | null = null;
let browser: Browser;
let page: Page;
let workDir = "";
/** What the admin puts in the environment (or .env) of the service and of every cosell command. */
let adminEnv: Record<string, string> = {};
let pageErrors: string[] = [];

async function dataverseJson<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${dataverse.apiUrl}/${path}`, { ...init, headers: { ...AUTH, ...init.headers } });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

async function opportunities(): Promise<Record<string, unknown>[]> {
  const { status, body } = await dataverseJson<{ value: Record<string, unknown>[] }>(
    `${Tables.opportunity.entitySetName}?$select=${[S.name, C.referralIdentifier, C.syncStatus].join(",")}`,
  );
  expect(status).toBe(200);
  return body.value;
}

async function sendReferral(name: string): Promise<string> {
  const response = await fetch(`${partnerCenter.url}/_sandbox/microsoft/referrals`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name,
      customerProfile: { name: `${name.split(" ")[0]} Corp`, address: { addressLine1: "1 Main St", city: "Redmond", postalCode: "98052", country: "US" } },
      details: { dealValue: 80000, currency: "USD" },
    }),
  });
  expect(response.ok).toBe(true);
  return ((await response.json()) as { id: string }).id;
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run cosell -- <args>` as the admin runs it, in a child process with the admin's environment. */
function cosell(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    // node --import tsx: what `npm run cosell` runs, without the extra process the tsx wrapper starts.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    execFile(process.execPath, ["--import", tsx, join(root, "sync", "cli", "cosell.ts"), ...args], {
      cwd: workDir,
      env: { ...process.env, ...adminEnv },
      timeout: 60_000,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const pageReady = () => formPageReady(page);
const open = (hash: string) => openFormPage(page, formPage.url, hash);

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "cosell-admin-e2e-"));
  partnerCenter = await startPartnerCenterSandbox({ webhookDelivery: { initialBackoffMs: 100, maxBackoffMs: 2000 } });
  dataverse = await startDataverseSandbox({ webhookRetryDelayMs: 100 });
  // Referrals Microsoft sent before the connector existed: nobody listens for their webhooks yet.
  for (const name of EXISTING) await sendReferral(name);
  formPage = await startFormPage({ dataverseUrl: dataverse.url, partnerCenterUrl: partnerCenter.url, solutionZip: await defaultSolutionZip() });

  const opened = await openOfflinePage({ height: 900, screenshotDir: SCREENSHOTS });
  ({ browser, page } = opened);
  pageErrors = opened.pageErrors;
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await formPage?.close();
  await dataverse?.close();
  await partnerCenter?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("admin: install, connect and backfill", () => {
  it("imports the solution zip into an empty org through ImportSolution", async () => {
    const column = `EntityDefinitions(LogicalName='${Tables.opportunity.logicalName}')/Attributes(LogicalName='${C.syncStatus}')`;
    expect((await dataverseJson(column)).status).toBe(404);

    const managedZip = (await defaultSolutionZip()).replace(/\.zip$/, "_managed.zip");
    const imported = await dataverseJson("ImportSolution", {
      method: "POST",
      body: JSON.stringify({ CustomizationFile: (await readFile(managedZip)).toString("base64"), OverwriteUnmanagedCustomizations: true, PublishWorkflows: true, ImportJobId: crypto.randomUUID() }),
    });
    expect(imported.status).toBeLessThan(300);
    expect((await dataverseJson(column)).status).toBe(200);
    expect(await opportunities()).toEqual([]);
  });

  it("starts the service and registers the webhooks of both sides with `cosell register-webhooks`", async () => {
    adminEnv = {
      ...sandboxEnv(dataverse, partnerCenter, { storePath: join(workDir, "cosell.sqlite"), workers: 2 }),
      PARTNER_CENTER_TOKEN_FILE: join(workDir, "partner-center-token.json"),
    };
    service = createSyncService(parseConfig(adminEnv), pino({ level: "silent" }), { workers: 2, metrics: new SyncMetrics({ collectDefaults: false }) });
    const backendUrl = await service.app.listen({ host: "127.0.0.1", port: 0 });
    service.start();
    adminEnv["PUBLIC_BASE_URL"] = backendUrl;

    const run = await cosell("register-webhooks");
    expect(run.stderr).not.toMatch(/unexpected failure/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${backendUrl}/webhooks/dataverse`);
    expect(run.stdout).toContain(`${backendUrl}/webhooks/partner-center`);
  });

  it("imports the existing referrals with `cosell backfill`, showing progress and a summary", async () => {
    const run = await cosell("backfill");
    expect(run.code).toBe(0);
    // Not a terminal here: progress comes as plain lines on stderr, first and last at least.
    expect(run.stderr).toContain(`backfill: 0/${EXISTING.length}`);
    expect(run.stderr).toContain(`backfill: ${EXISTING.length}/${EXISTING.length}`);
    expect(run.stdout).toContain(`Backfill finished: ${EXISTING.length} referrals in Partner Center`);
    expect(run.stdout).toMatch(new RegExp(`created\\s+${EXISTING.length}\\s`));
    const rows = await opportunities();
    expect(rows.map((row) => row[S.name]).sort()).toEqual(EXISTING);
    expect(rows.every((row) => row[C.syncStatus] === SyncStatus.Synced && typeof row[C.referralIdentifier] === "string")).toBe(true);
  });

  it("the sellers see the imported referrals as opportunities, and new ones arrive by webhook", async () => {
    await open("#/");
    for (const name of EXISTING) {
      const row = page.locator("tr[data-opportunity]", { hasText: name });
      expect(await row.innerText()).toMatch(/✔ Synced[\s\S]*Incoming/);
    }
    await shot("10-admin-backfilled-list");

    // The registered webhooks work: a referral sent now shows up without another backfill.
    const referralId = await sendReferral("Proseware data estate");
    const row = page.locator("tr[data-opportunity]", { hasText: "Proseware data estate" });
    const start = Date.now();
    while ((await row.count()) === 0) {
      if (Date.now() - start > 15_000) throw new Error("the referral sent after register-webhooks did not arrive");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await page.reload();
      await pageReady();
    }
    expect(await row.innerText()).toContain(referralId);
    await row.locator("a").click();
    await page.locator('.pcf-container section[aria-label="Co-sell with Microsoft"]').waitFor();
    expect(await page.locator(`#field-${S.parentAccount} option:checked`).innerText()).toBe("Proseware Corp");
    await shot("11-admin-webhook-arrival");
    expect(pageErrors).toEqual([]);
  });
});
