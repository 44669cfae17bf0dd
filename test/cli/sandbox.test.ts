/**
 * `cosell sandbox`, what `npm start` runs: every printed URL answers at the documented path, the
 * demo records are there (Microsoft's referral already arrived as an opportunity), the first story
 * works end to end, and "Open in Partner Center" leads to the form page's Partner Center page.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus, Tables } from "../../entities";
import { SANDBOX_TOKEN } from "../../sandbox/environment/sandbox-environment";
import { sandboxCommand, type RunningSandbox } from "../../sync/cli/commands/sandbox.command";
import { recordedIo, type RecordedIo } from "./cli-test-kit";

let sandbox: RunningSandbox;
let io: RecordedIo;
let stop: () => void;
let finished: Promise<number>;

beforeAll(async () => {
  io = recordedIo();
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const ready = new Promise<RunningSandbox>((resolve, reject) => {
    finished = sandboxCommand({ io, dir: mkdtempSync(join(tmpdir(), "cosell-sandbox-")), untilStopped: stopped, onReady: resolve });
    finished.catch(reject);
  });
  sandbox = await ready;
});
afterAll(async () => {
  stop?.();
  await finished;
});

const bearer = { Authorization: `Bearer ${SANDBOX_TOKEN}` };

async function opportunity(id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.env.dataverse.apiUrl}/${Tables.opportunity.entitySetName}(${id})`, { headers: bearer });
  return (await response.json()) as Record<string, unknown>;
}

describe("cosell sandbox", () => {
  it("prints the base URL of every part, and each answers at its documented path", async () => {
    const text = io.stdout.join("\n");
    const { env, formPage } = sandbox;
    expect(text).toContain(`Web API: ${env.dataverse.url}/api/data/v9.2`);
    expect(text).toContain(`referrals: ${env.partnerCenter.url}/v1.0/engagements/referrals`);
    expect(text).toContain(`Sync backend        ${env.backendUrl}`);
    expect(text).toContain(`Form page           ${formPage.url}`);
    for (const url of [env.dataverse.url, env.partnerCenter.url, env.backendUrl!, formPage.url]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/?$/);
    expect((await fetch(`${env.dataverse.url}/api/data/v9.2/${Tables.opportunity.entitySetName}`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${env.partnerCenter.url}/v1.0/engagements/referrals`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${env.backendUrl}/healthz`)).status).toBe(200);
    expect((await fetch(formPage.url)).status).toBe(200);
  });

  it("seeds a deal ready to share, Microsoft's referral and a marketplace lead, each already an opportunity", async () => {
    const { demo } = sandbox;
    expect(demo.inboundOpportunityId).toBeTruthy();
    expect((await opportunity(demo.inboundOpportunityId!))[C.referralIdentifier]).toBe(demo.inboundReferralId);
    // The marketplace lead (nameless in Partner Center) arrived too, named after its customer.
    expect(demo.marketplaceLeadOpportunityId).toBeTruthy();
    expect(await opportunity(demo.marketplaceLeadOpportunityId!)).toMatchObject({ [C.referralIdentifier]: demo.marketplaceLeadId, [S.name]: "Tailspin Toys" });
    expect(io.stdout.join("\n")).toContain(`"Tailspin Toys": a marketplace lead`);
    expect(io.stdout.join("\n")).toContain(`${sandbox.formPage.url}#/opportunity/${demo.shareableOpportunityId}`);
    expect((await opportunity(demo.shareableOpportunityId))[C.syncWithPartnerCenter]).toBe(false);
  });

  it("turning sync on for the demo deal reaches ✔ Synced; its link opens the form page's Partner Center page", async () => {
    const id = sandbox.demo.shareableOpportunityId;
    const patched = await fetch(`${sandbox.env.dataverse.apiUrl}/${Tables.opportunity.entitySetName}(${id})`, {
      method: "PATCH",
      headers: { ...bearer, "Content-Type": "application/json", "If-Match": "*" },
      // As the seller does in the section: consent to share (the deal asks Microsoft for help), then sync.
      body: JSON.stringify({ [C.shareWithMicrosoftSellers]: true, [C.syncWithPartnerCenter]: true }),
    });
    expect(patched.ok).toBe(true);
    let row: Record<string, unknown> = {};
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      row = await opportunity(id);
      if (row[C.syncStatus] === SyncStatus.Synced) break;
    }
    expect(row[C.syncStatus]).toBe(SyncStatus.Synced);
    const referralId = row[C.referralIdentifier] as string;
    expect(row[C.referralLink]).toBe(`${sandbox.formPage.url}partner-center/referrals/${referralId}`);
    const link = await fetch(row[C.referralLink] as string, { redirect: "manual" });
    expect(link.status).toBe(302);
    expect(link.headers.get("location")).toBe(`/#/partner-center/${referralId}`);
  });
});
