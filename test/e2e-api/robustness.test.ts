/**
 * What makes the sync trustworthy: no ping-pong, no duplicates, no lost updates, under races,
 * throttling, duplicated / reordered / lost webhooks and a crash between create and write-back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SyncStatus, Tables } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { opportunityLinkKey } from "../../sync/store";
import {
  C,
  S,
  callsOf,
  counters,
  createPartnerCenterDeal,
  createSharableOpportunity,
  getReferral,
  listReferrals,
  patchReferral,
  readOpportunity,
  resetCounters,
  setFaults,
  settle,
  updateOpportunity,
  waitFor,
  waitForSynced,
} from "./story-kit";

let env: SandboxEnvironment;
beforeAll(async () => {
  env = await startSandboxEnvironment();
});
afterAll(() => env?.close());
afterEach(async () => {
  await setFaults(env.partnerCenter.url, {});
  await setFaults(env.dataverse.url, {});
});

const REFERRAL_PATH = "/v1.0/engagements/referrals";
const OPPORTUNITY_PATH = `/${Tables.opportunity.entitySetName}`;

describe("API economy and echo suppression", () => {
  it("one field edit costs one write per side, and the echo of our own write writes nothing", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await resetCounters(env.partnerCenter.url);
    await resetCounters(env.dataverse.url);

    await updateOpportunity(env, opportunityId, { [S.description]: "Scope grew to 60 VMs" });
    // Wait on the opportunity's audit line, not by polling Partner Center, so the counters hold only the backend's calls.
    await waitFor("audit line", async () => String((await readOpportunity(env, opportunityId))[C.audit]).includes("Scope grew to 60 VMs"));
    await settle(env);

    const pc = await counters(env.partnerCenter.url);
    const dv = await counters(env.dataverse.url);
    // Partner Center: exactly one write (our PATCH).
    expect(callsOf(pc, "PATCH", REFERRAL_PATH)).toBe(1);
    expect(callsOf(pc, "POST", REFERRAL_PATH)).toBe(0);
    // Dataverse: the seller's PATCH and our one write-back (✔, last synced, audit); none for the echo.
    expect(callsOf(dv, "PATCH", OPPORTUNITY_PATH)).toBe(2);
    // Reads stay small: the edit's job and the echo's job each read the referral once.
    expect(callsOf(pc, "GET", REFERRAL_PATH)).toBeLessThanOrEqual(2);
    expect((await getReferral(env, synced[C.referralIdentifier] as string)).details.notes).toBe("Scope grew to 60 VMs");
  });
});

describe("faults", () => {
  it("412 races on Partner Center: the edit still lands, once", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await setFaults(env.partnerCenter.url, { preconditionRaceRate: 0.5 });
    await updateOpportunity(env, opportunityId, { [S.estimatedValue]: 20000 });
    await waitFor("value in Partner Center", async () => (await getReferral(env, synced[C.referralIdentifier] as string)).details.dealValue === 20000, 20_000);
  });

  it("a 429 storm on both sides delays but does not lose or duplicate", async () => {
    await setFaults(env.partnerCenter.url, { throttleRate: 0.4, retryAfterSeconds: 0 });
    await setFaults(env.dataverse.url, { throttleRate: 0.3, retryAfterSeconds: 0 });
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await setFaults(env.partnerCenter.url, {});
    await setFaults(env.dataverse.url, {});
    await settle(env);
    expect(await listReferrals(env, `externalReferenceId eq '${opportunityId}'`)).toHaveLength(1);
    expect(synced[C.referralIdentifier]).toBeTruthy();
  });

  it("duplicated and reordered webhooks from both sides cause no duplicate and converge", async () => {
    await setFaults(env.partnerCenter.url, { webhookDuplicateRate: 1, webhookReorderRate: 0.5 });
    await setFaults(env.dataverse.url, { webhookDuplicateRate: 1 });
    const deal = await createPartnerCenterDeal(env, {
      name: "Twice told", type: "Independent",
      customerProfile: { name: "Echo Ltd", address: { country: "GB", postalCode: "EC1A 1BB" } },
      consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: { dealValue: 700, currency: "GBP", closingDateTime: "2027-02-28T00:00:00Z" },
    });
    await patchReferral(env, deal.id, [{ op: "replace", path: "/details/dealValue", value: 800 }]);
    await settle(env);
    const { json } = await (await import("./story-kit")).webApi(env, "GET", `${Tables.opportunity.entitySetName}?$filter=${C.referralIdentifier} eq '${deal.id}'`);
    const rows = json.value as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]![S.estimatedValue]).toBe(800);
  });

  it("a lost webhook is caught by reconcile", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await env.service!.reconciler.reconcile(); // first pass sets the watermarks
    await settle(env);
    await setFaults(env.partnerCenter.url, { webhookDropRate: 1 });
    await patchReferral(env, synced[C.referralIdentifier] as string, [{ op: "replace", path: "/details/notes", value: "Changed while webhooks were down" }]);
    await settle(env);
    expect((await readOpportunity(env, opportunityId))[S.description]).not.toBe("Changed while webhooks were down");
    const result = await env.service!.reconciler.reconcile();
    expect(result.referrals).toBeGreaterThanOrEqual(1);
    await waitFor("notes after reconcile", async () => (await readOpportunity(env, opportunityId))[S.description] === "Changed while webhooks were down");
    // The next pass lists the same referral again (its overlap window) but does not count or queue it twice.
    await settle(env);
    const again = await env.service!.reconciler.reconcile();
    expect(again.referrals).toBeLessThan(result.referrals);
  });
});

describe("idempotent creates", () => {
  it("a crash after creating the referral but before writing its id back never yields a second referral", async () => {
    // Stop the workers, so the opportunity's webhook only queues a job (as if the process died).
    await env.service!.pool.stop();
    const { opportunityId } = await createSharableOpportunity(env);
    await env.dataverse.webhooksIdle();
    // The "first life" of the job got as far as creating the referral in Partner Center.
    const body = {
      name: "Fabrikam cloud migration", externalReferenceId: opportunityId, type: "Shared",
      customerProfile: {
        name: "Fabrikam", address: { country: "IT" },
        team: [{ firstName: "Giulia", lastName: "Rossi", email: "giulia@fabrikam.example" }],
      },
      consent: { consentToShareReferralWithMicrosoftSellers: true, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: {
        dealValue: 10000, currency: "EUR", closingDateTime: "2027-03-31T00:00:00Z", notes: "Move 40 VMs to Azure",
        requirements: { solutions: [{ id: "SOL-12345-ABC", type: "Name" }] },
      },
      inviteContext: { assistanceRequestCode: "ProofOfConceptOrDemo" },
    };
    const orphan = await createPartnerCenterDeal(env, body);
    // The restarted worker finds it by externalReferenceId and links it instead of creating another.
    env.service!.pool.start();
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    expect(synced[C.referralIdentifier]).toBe(orphan.id);
    expect(await listReferrals(env, `externalReferenceId eq '${opportunityId}'`)).toHaveLength(1);
    expect((await env.service!.store.getLink(opportunityLinkKey(opportunityId)))?.referralId).toBe(orphan.id);
  });

  it("an invalid solution id is reported on the record without calling Partner Center", async () => {
    await resetCounters(env.partnerCenter.url);
    const { opportunityId } = await createSharableOpportunity(env, { [C.products]: "SOL-1-X" });
    const row = await waitFor("Error", async () => {
      const r = await readOpportunity(env, opportunityId);
      return r[C.syncStatus] === SyncStatus.Error ? r : null;
    });
    expect(String(row[C.syncError])).toMatch(/SOL-1-X/);
    await settle(env);
    expect(callsOf(await counters(env.partnerCenter.url), "POST", REFERRAL_PATH)).toBe(0);
  });
});
