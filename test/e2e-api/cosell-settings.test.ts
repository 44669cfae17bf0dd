/**
 * The admin's settings row, over real HTTP against both stand-ins: "Pause all sync" stops the sync
 * within seconds while changes keep arriving and queue, the row's conflict policy decides the
 * conflict the pause set up, and a new Microsoft referral posts one Adaptive Card to the row's
 * Teams Workflows URL (a local receiver that checks the card with the Adaptive Cards SDK).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConflictPolicyOption, CoSellSettingsColumns as SC, CoSellSettingsTable, SyncStatus, Tables } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { startTeamsReceiver, type TeamsReceiver } from "../support/teams-receiver";
import {
  C,
  S,
  createPartnerCenterDeal,
  createRow,
  createSharableOpportunity,
  getReferral,
  patchReferral,
  readOpportunity,
  sendMicrosoftReferral,
  settle,
  waitFor,
  waitForSynced,
  webApi,
  updateOpportunity,
} from "./story-kit";

let env: SandboxEnvironment;
let receiver: TeamsReceiver;
let settingsId: string;
beforeAll(async () => {
  receiver = await startTeamsReceiver();
  env = await startSandboxEnvironment({ settingsRefreshMs: 200 });
  settingsId = await createRow(env, CoSellSettingsTable.entitySetName, { [SC.name]: "Co-sell settings" });
});
afterAll(async () => {
  await env?.close();
  await receiver?.close();
});

async function setSettings(values: Record<string, unknown>): Promise<void> {
  await webApi(env, "PATCH", `${CoSellSettingsTable.entitySetName}(${settingsId})`, values, { "If-Match": "*" });
}

async function opportunityForReferral(referralId: string): Promise<Record<string, unknown>> {
  return waitFor(`opportunity for ${referralId}`, async () => {
    const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$filter=${C.referralIdentifier} eq '${referralId}'`);
    const rows = json.value as Record<string, unknown>[];
    return rows.length > 0 && rows[0]![C.syncStatus] === SyncStatus.Synced ? rows[0] : null;
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Pause all sync and the conflict policy", () => {
  it("paused: changes on both sides are received and queued but nothing syncs; resumed: they sync within seconds, Partner Center winning the conflict as the row says", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const referralId = (await waitForSynced(env, opportunityId))[C.referralIdentifier] as string;
    await settle(env);

    await setSettings({ [SC.pauseAllSync]: true, [SC.conflictPolicy]: ConflictPolicyOption.PartnerCenterWins });
    await waitFor("the backend to pause", async () => env.service!.settings.isPaused(), 5_000);

    // Partner Center changes the value first, the seller a second later: latest-wins would keep the seller's.
    await patchReferral(env, referralId, [{ op: "replace", path: "/details/dealValue", value: 77777 }]);
    await sleep(1_100);
    await updateOpportunity(env, opportunityId, { [S.estimatedValue]: 55555 });
    await Promise.all([env.dataverse.webhooksIdle(), env.partnerCenter.webhooksIdle()]);
    await sleep(1_000);
    expect((await env.service!.store.countJobs()).pending).toBeGreaterThan(0);
    expect((await readOpportunity(env, opportunityId))[S.estimatedValue]).toBe(55555);
    expect((await getReferral(env, referralId)).details.dealValue).toBe(77777);
    const metrics = await (await fetch(`${env.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^cosell_sync_paused 1$/m);

    const resumedAt = Date.now();
    await setSettings({ [SC.pauseAllSync]: false });
    await waitFor("the queued changes to sync", async () => (await readOpportunity(env, opportunityId))[S.estimatedValue] === 77777, 10_000);
    expect(Date.now() - resumedAt).toBeLessThan(5_000);
    expect((await getReferral(env, referralId)).details.dealValue).toBe(77777);
    await settle(env);
    await setSettings({ [SC.conflictPolicy]: null });
  });
});

describe("The catch-up interval", () => {
  it("the row's interval restarts the catch-up timer with it; cleared, the service's CATCH_UP_INTERVAL_SECONDS applies again", async () => {
    const start = vi.spyOn(env.service!.reconciler, "start");
    const { RECONCILE_INTERVAL_SECONDS, CATCH_UP_INTERVAL_SECONDS } = env.config;
    await setSettings({ [SC.catchUpIntervalSeconds]: 7 });
    await waitFor("the catch-up timer at 7 s", async () => start.mock.calls.some(([full, catchUp]) => full === RECONCILE_INTERVAL_SECONDS * 1000 && catchUp === 7_000), 5_000);
    await setSettings({ [SC.catchUpIntervalSeconds]: null });
    await waitFor("the configured catch-up interval", async () => start.mock.calls.at(-1)?.[1] === CATCH_UP_INTERVAL_SECONDS * 1000, 5_000);
    expect(CATCH_UP_INTERVAL_SECONDS).not.toBe(7);
    start.mockRestore();
  });
});

describe("Teams notification of a new Microsoft referral", () => {
  it("posts one valid card with customer, value, close date, the ask and the opportunity link, retrying a failing webhook; other deals and later changes post nothing", async () => {
    await setSettings({ [SC.teamsWebhookUrl]: receiver.url });
    await waitFor("the backend to read the Teams URL", async () => env.service!.settings.current().teamsWebhookUrl === receiver.url, 5_000);
    receiver.respondWith(503);

    const inbound = await sendMicrosoftReferral(env, {
      name: "Microsoft lead: Woodgrove analytics",
      customerProfile: { name: "Woodgrove Bank", address: { addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US" } },
      details: { dealValue: 42000, currency: "USD", closingDateTime: "2027-05-31T00:00:00Z" },
      inviteContext: { assistanceRequestCode: "CustomerTechnicalArchitecture", notes: "Needs an architecture review" },
    });
    const opportunity = await opportunityForReferral(inbound.id);
    await waitFor("the Teams card", async () => receiver.received.length > 0, 15_000);
    const [received] = receiver.received;
    expect(received!.problems).toEqual([]);
    const facts = ((received!.card.body as Record<string, unknown>[]).find((element) => element.type === "FactSet")!.facts as { title: string; value: string }[]);
    expect(Object.fromEntries(facts.map((fact) => [fact.title, fact.value]))).toMatchObject({
      Customer: "Woodgrove Bank",
      Value: "$42,000.00",
      "Close date": "2027-05-31",
      "Microsoft asks for": "Customer technical architecture",
    });
    const links = (received!.card.actions as { url: string }[]).map((action) => action.url);
    expect(links[0]).toContain(`id=${String(opportunity[S.id])}`);

    const deal = await createPartnerCenterDeal(env, {
      name: "Own deal", type: "Independent",
      customerProfile: { name: "Litware Inc", address: { addressLine1: "2 Elm St", city: "Austin", state: "TX", postalCode: "73301", country: "US" } },
      consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: { dealValue: 1000, currency: "USD", closingDateTime: "2027-06-30T00:00:00Z" },
    });
    await opportunityForReferral(deal.id);
    await patchReferral(env, inbound.id, [{ op: "replace", path: "/details/dealValue", value: 43000 }]);
    await waitFor("the change to sync", async () => (await readOpportunity(env, opportunity[S.id] as string))[S.estimatedValue] === 43000);
    await settle(env);
    expect(receiver.received).toHaveLength(1);
    const metrics = await (await fetch(`${env.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^cosell_teams_notifications_total\{outcome="sent"\} 1$/m);
    expect(metrics).toMatch(/^cosell_teams_notifications_total\{outcome="retry"\} 1$/m);
  });
});
