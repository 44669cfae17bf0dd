/**
 * The seller stories of docs/DESIGN.md 1 at the API level: both sandboxes and the backend over real HTTP,
 * webhooks registered as an admin would, nothing called directly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncStatus } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { ContactColumns, Tables } from "../../entities";
import { C, S, createRow, createSharableOpportunity, getReferral, readOpportunity, updateOpportunity, waitFor, waitForSynced } from "./story-kit";

let env: SandboxEnvironment;
beforeAll(async () => {
  env = await startSandboxEnvironment();
});
afterAll(() => env?.close());

describe("CRM → Partner Center", () => {
  it("a flagged opportunity becomes a referral with the mapped values; id, link, ✔ and audit come back", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitFor("✔ Synced", async () => {
      const row = await readOpportunity(env, opportunityId);
      return row[C.syncStatus] === SyncStatus.Synced ? row : null;
    });
    const referralId = synced[C.referralIdentifier] as string;
    expect(referralId).toBeTruthy();
    expect(synced[C.referralLink]).toContain(referralId);
    expect(synced[C.syncError]).toBeNull();
    expect(String(synced[C.audit])).toMatch(/CRM → Partner Center \| created \| referral/);
    const referral = await getReferral(env, referralId);
    expect(referral.externalReferenceId).toBe(opportunityId);
    expect(referral.name).toBe("Fabrikam cloud migration");
    expect(referral.details.dealValue).toBe(10000);
    expect(referral.details.currency).toBe("EUR");
    expect(referral.details.closingDateTime?.slice(0, 10)).toBe("2027-03-31");
    expect(referral.details.requirements?.solutions?.map((s) => s.id)).toEqual(["SOL-12345-ABC"]);
    expect(referral.inviteContext?.assistanceRequestCode).toBe("ProofOfConceptOrDemo");
    expect(referral.customerProfile?.address?.country).toBe("IT");
    // The backend's /metrics counts the calls it made on each side and the jobs it ran.
    const metrics = await (await fetch(`${env.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/cosell_api_calls_total\{target="partner-center",method="POST",status="2xx"\} [1-9]/);
    expect(metrics).toMatch(/cosell_api_calls_total\{target="dataverse",method="PATCH",status="2xx"\} [1-9]/);
    expect(metrics).toMatch(/cosell_jobs_finished_total\{outcome="synced"\} [1-9]/);
    expect(metrics).toMatch(/cosell_queue_depth \d+/);
  });

  it("a deal value edit reaches Partner Center with an audit line, and the echo writes nothing", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const first = await waitFor("✔ Synced", async () => {
      const row = await readOpportunity(env, opportunityId);
      return row[C.syncStatus] === SyncStatus.Synced ? row : null;
    });
    const referralId = first[C.referralIdentifier] as string;
    await updateOpportunity(env, opportunityId, { estimatedvalue: 12000 });
    await waitFor("deal value in Partner Center", async () => (await getReferral(env, referralId)).details.dealValue === 12000);
    const row = await waitFor("audit line", async () => {
      const r = await readOpportunity(env, opportunityId);
      return String(r[C.audit]).includes("deal value 10000 → 12000") ? r : null;
    });
    expect(String(row[C.audit]).split("\n")[0]).toMatch(/CRM → Partner Center \| updated \| deal value 10000 → 12000/);
  });

  it("the contact the seller picked on the form goes to Partner Center as the customer contact", async () => {
    const contactId = await createRow(env, Tables.contact.entitySetName, {
      [ContactColumns.firstName]: "Marco", [ContactColumns.lastName]: "Bianchi", [ContactColumns.email]: "marco.bianchi@elsewhere.example",
    });
    const { opportunityId } = await createSharableOpportunity(env, {
      [`${S.parentContact}@odata.bind`]: `/${Tables.contact.entitySetName}(${contactId})`,
    });
    const synced = await waitForSynced(env, opportunityId);
    const referral = await getReferral(env, synced[C.referralIdentifier] as string);
    expect(referral.customerProfile?.team?.[0]?.email).toBe("marco.bianchi@elsewhere.example");
  });

  it("a missing country is reported on the record in plain words and nothing reaches Partner Center", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [C.products]: "not-a-solution" });
    const row = await waitFor("Error status", async () => {
      const r = await readOpportunity(env, opportunityId);
      return r[C.syncStatus] === SyncStatus.Error ? r : null;
    });
    expect(String(row[C.syncError])).toMatch(/solution/i);
    expect(row[C.referralIdentifier]).toBeNull();
  });
});
