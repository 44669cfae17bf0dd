/**
 * Partner Center closes a linked deal as Error (a duplicate, a test, bad data; "Close as Error" in
 * its bulk operations): the opportunity shows the referral Closed / Error with the reason and is
 * closed, never left open as a live deal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpportunityState, ReferralStatus } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { C, S, createSharableOpportunity, patchReferral, readOpportunity, settle, waitFor, waitForSynced } from "./story-kit";

let env: SandboxEnvironment;
beforeAll(async () => {
  env = await startSandboxEnvironment();
});
afterAll(() => env?.close());

describe("a referral closed as Error", () => {
  it("shows as Closed / Error on its opportunity, which is closed with the reason", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await patchReferral(env, synced[C.referralIdentifier] as string, [
      { op: "replace", path: "/status", value: "Closed" },
      { op: "replace", path: "/substatus", value: "Error" },
      { op: "add", path: "/statusReason", value: "DuplicateReferral" },
    ]);
    const row = await waitFor("Closed / Error", async () => {
      const current = await readOpportunity(env, opportunityId);
      return current[C.referralStatus] === ReferralStatus.ClosedError && current[S.stateCode] === OpportunityState.Lost ? current : null;
    });
    expect(row[C.statusReason]).toBe("DuplicateReferral");
  });
});
