/**
 * Dataverse redelivers nothing it lost (use-webhooks.md: one retry after 502/503/504, nothing else):
 * a seller's save whose webhook never arrived still reaches Partner Center, through the backend's
 * change-tracking catch-up pass, on its own timer and well within a minute; a delta token the org no
 * longer accepts falls back to reading every opportunity again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tables } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { WATERMARKS } from "../../sync/reconcile/reconciler";
import { C, S, callsOf, counters, createSharableOpportunity, getReferral, resetCounters, setFaults, settle, updateOpportunity, waitFor, waitForSynced } from "./story-kit";

let env: SandboxEnvironment;
beforeAll(async () => {
  env = await startSandboxEnvironment({ catchUpIntervalSeconds: 5 });
});
afterAll(() => env?.close());

const DAY_MS = 86_400_000;

async function sharedOpportunity(): Promise<{ opportunityId: string; referralId: string }> {
  const { opportunityId } = await createSharableOpportunity(env);
  const synced = await waitForSynced(env, opportunityId);
  await settle(env);
  return { opportunityId, referralId: synced[C.referralIdentifier] as string };
}

/** The seller saves new notes and Dataverse's delivery of that save is lost. */
async function saveWithLostWebhook(opportunityId: string, notes: string): Promise<void> {
  await setFaults(env.dataverse.url, { webhookDropRate: 1 });
  try {
    await updateOpportunity(env, opportunityId, { [S.description]: notes });
    await env.dataverse.webhooksIdle();
  } finally {
    await setFaults(env.dataverse.url, {});
  }
}

describe("catch-up after a lost Dataverse delivery", () => {
  it("brings the seller's save to Partner Center on the catch-up timer, within a minute", async () => {
    const { opportunityId, referralId } = await sharedOpportunity();
    await env.service!.reconciler.catchUp(); // the first pass keeps a delta token
    await saveWithLostWebhook(opportunityId, "Saved while the webhook was lost");
    const lostAt = Date.now();
    await waitFor("notes in Partner Center", async () => (await getReferral(env, referralId)).details?.notes === "Saved while the webhook was lost", 60_000);
    // Its own timer (5 s here, 30 s by default) found it: no full reconcile ran (that one is every 300 s).
    expect(Date.now() - lostAt).toBeLessThan(15_000);
  }, 70_000);

  it("costs one request when nothing changed", async () => {
    // Until a pass finds nothing (our own write-backs are changes too) and their jobs are done.
    await waitFor("a quiet catch-up pass", async () => {
      await settle(env);
      return (await env.service!.reconciler.catchUp()) === 0;
    });
    await settle(env);
    await resetCounters(env.dataverse.url);
    expect(await env.service!.reconciler.catchUp()).toBe(0);
    const calls = await counters(env.dataverse.url);
    expect(Object.values(calls).reduce((total, count) => total + count, 0), JSON.stringify(calls)).toBe(1);
    expect(callsOf(calls, "GET", `/${Tables.opportunity.entitySetName}`)).toBe(1);
  });

  it("reads every opportunity again when the org refuses its old delta token", async () => {
    const { opportunityId, referralId } = await sharedOpportunity();
    await env.service!.reconciler.catchUp();
    const oldToken = await env.service!.store.getWatermark(WATERMARKS.dataverseDelta);
    // Eight days pass on the org (ExpireChangeTrackingInDays is 7), and a save's delivery is lost.
    env.dataverse.advanceClock(8 * DAY_MS);
    await saveWithLostWebhook(opportunityId, "Saved after the token expired");
    expect(await env.service!.reconciler.catchUp()).toBeGreaterThanOrEqual(1);
    expect(await env.service!.store.getWatermark(WATERMARKS.dataverseDelta)).not.toBe(oldToken);
    await waitFor("notes in Partner Center", async () => (await getReferral(env, referralId)).details?.notes === "Saved after the token expired", 20_000);
  }, 40_000);
});
