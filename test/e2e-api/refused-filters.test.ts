/**
 * Against a Partner Center that refuses the `$filter`s beyond its documented examples
 * (`externalReferenceId eq`, `updatedDateTime gt`: whether the real one accepts them is unknown),
 * sharing and reconcile still work: a share interrupted before its id reached the opportunity is
 * found by listing instead of filtering, a change whose webhook was lost is caught by reconcile
 * listing newest first, and the service logs the refusal once per kind of filter.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { opportunityLinkKey } from "../../sync/store";
import { C, S, createPartnerCenterDeal, createSharableOpportunity, listReferrals, patchReferral, readOpportunity, setFaults, settle, waitFor, waitForSynced } from "./story-kit";

let env: SandboxEnvironment;
const logLines: { msg: string; filter?: string }[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as { msg: string; filter?: string });
      done();
    },
  });
  env = await startSandboxEnvironment({ logger: pino({ level: "warn" }, sink), partnerCenter: { refusedFilterFields: ["externalReferenceId", "updatedDateTime"] } });
});
afterAll(() => env?.close());
afterEach(() => setFaults(env.partnerCenter.url, {}));

const refusals = (kind: string) => logLines.filter((line) => line.filter === kind && /refused a \$filter/.test(line.msg));

describe("Partner Center refusing undocumented filters", () => {
  it("an interrupted share is still found and linked, never created twice", async () => {
    await env.service!.pool.stop();
    const { opportunityId } = await createSharableOpportunity(env);
    await env.dataverse.webhooksIdle();
    const orphan = await createPartnerCenterDeal(env, {
      name: "Fabrikam cloud migration", externalReferenceId: opportunityId, type: "Independent",
      customerProfile: { name: "Fabrikam", address: { country: "IT" } },
      consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: { dealValue: 10000, currency: "EUR", closingDateTime: "2027-03-31T00:00:00Z", requirements: { solutions: [{ id: "SOL-12345-ABC", type: "Name" }] } },
    });
    env.service!.pool.start();
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    expect(synced[C.referralIdentifier]).toBe(orphan.id);
    const all = await listReferrals(env);
    expect(all.filter((referral) => referral.externalReferenceId === opportunityId)).toHaveLength(1);
    expect((await env.service!.store.getLink(opportunityLinkKey(opportunityId)))?.referralId).toBe(orphan.id);
    expect(refusals("externalReferenceId eq")).toHaveLength(1);
  });

  it("reconcile catches a lost webhook by listing newest first, and logs the refusal once", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await env.service!.reconciler.reconcile(); // first pass sets the watermarks
    await settle(env);
    await setFaults(env.partnerCenter.url, { webhookDropRate: 1 });
    await patchReferral(env, synced[C.referralIdentifier] as string, [{ op: "replace", path: "/details/notes", value: "Changed while webhooks were down" }]);
    await settle(env);
    const result = await env.service!.reconciler.reconcile();
    expect(result.referrals).toBeGreaterThanOrEqual(1);
    await waitFor("notes after reconcile", async () => (await readOpportunity(env, opportunityId))[S.description] === "Changed while webhooks were down");
    await env.service!.reconciler.reconcile();
    expect(refusals("updatedDateTime gt")).toHaveLength(1);
  });
});
