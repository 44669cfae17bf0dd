/**
 * The admin's field mapping rows, over real HTTP against both stand-ins: the service seeds the shipped
 * mapping into the empty table and calls every row OK; a row pointing at a column that does not exist
 * gets a verdict saying so while the field keeps syncing through its old column; fixing the row makes
 * the field follow the new column within seconds, both ways; a value map that misses a value is called out; and
 * "test on an opportunity" writes a preview without sending anything to Partner Center.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoSellMappingColumns as M, CoSellMappingTable, MappingDirectionOption, Tables } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import {
  C,
  S,
  callsOf,
  counters,
  createSharableOpportunity,
  getReferral,
  listReferrals,
  patchReferral,
  readOpportunity,
  resetCounters,
  settle,
  waitFor,
  waitForSynced,
  webApi,
} from "./story-kit";

let env: SandboxEnvironment;
/** The pair the re-pointing test synced (notes now in customerneed), previewed again at the end. */
let shared: { opportunityId: string; referralId: string } | null = null;
beforeAll(async () => {
  // A short catch-up pass: a seller's edit of a newly mapped column reaches Partner Center through it
  // (the Dataverse webhook step is filtered to the shipped columns).
  env = await startSandboxEnvironment({ settingsRefreshMs: 200, catchUpIntervalSeconds: 5 });
});
afterAll(async () => {
  await env?.close();
});

type Row = Record<string, unknown>;

async function mappingRows(): Promise<Row[]> {
  const { json } = await webApi(env, "GET", `${CoSellMappingTable.entitySetName}?$orderby=createdon asc`);
  return json.value as Row[];
}

async function rowFor(field: string): Promise<Row> {
  const row = (await mappingRows()).find((r) => r[M.partnerCenterField] === field);
  if (!row) throw new Error(`no mapping row for ${field}`);
  return row;
}

async function patchRow(field: string, values: Row): Promise<string> {
  const id = (await rowFor(field))[CoSellMappingTable.primaryId] as string;
  const { status } = await webApi(env, "PATCH", `${CoSellMappingTable.entitySetName}(${id})`, values, { "If-Match": "*" });
  expect(status).toBe(204);
  return id;
}

async function verdictOf(field: string, matching: RegExp): Promise<string> {
  return waitFor(`the verdict of ${field} to match ${matching}`, async () => {
    const verdict = (await rowFor(field))[M.verdict];
    return typeof verdict === "string" && matching.test(verdict) ? verdict : null;
  });
}

describe("co-sell field mapping rows", () => {
  it("the service writes the shipped mapping into the empty table, and calls every row OK", async () => {
    const rows = await waitFor("the default rows with verdicts", async () => {
      const all = await mappingRows();
      return all.length === 25 && all.every((r) => typeof r[M.verdict] === "string") ? all : null;
    });
    const notes = rows.find((r) => r[M.partnerCenterField] === "notes")!;
    expect(notes).toMatchObject({ [M.dataverseColumn]: S.description, [M.direction]: MappingDirectionOption.Both, [M.verdict]: "OK: notes ↔ opportunity.description, both ways" });
    expect(rows.filter((r) => !String(r[M.verdict]).startsWith("OK"))).toEqual([]);
  });

  it("a row naming a column that does not exist gets the verdict and the old column keeps syncing; fixed, the field follows the new column", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.description]: "first notes" });
    const referralId = (await waitForSynced(env, opportunityId))[C.referralIdentifier] as string;
    await settle(env);

    await patchRow("notes", { [M.dataverseColumn]: "new_region" });
    const verdict = await verdictOf("notes", /does not exist/);
    expect(verdict).toBe("column new_region does not exist on opportunity; until it is fixed notes keeps syncing through opportunity.description (the last valid mapping)");
    expect((await rowFor("notes"))[M.verdictOn]).toEqual(expect.any(String));

    await patchReferral(env, referralId, [{ op: "replace", path: "/details/notes", value: "notes from Partner Center" }]);
    await waitFor("the notes to arrive in description", async () => (await readOpportunity(env, opportunityId))[S.description] === "notes from Partner Center");

    const fixedAt = Date.now();
    await patchRow("notes", { [M.dataverseColumn]: "customerneed" });
    await verdictOf("notes", /^OK: notes ↔ opportunity\.customerneed/);
    await waitFor("the backend to run the new mapping", async () => env.service!.mapping.current().opportunity.notes === "customerneed");
    expect(Date.now() - fixedAt).toBeLessThan(5_000);

    await patchReferral(env, referralId, [{ op: "replace", path: "/details/notes", value: "second notes" }]);
    const row = await waitFor("the notes to arrive in customerneed", async () => {
      const opportunity = await readOpportunity(env, opportunityId);
      return opportunity["customerneed"] === "second notes" ? opportunity : null;
    });
    expect(row[S.description]).toBe("notes from Partner Center");
    await settle(env);
    expect((await getReferral(env, referralId)).details.notes).toBe("second notes");

    // The other way: the seller edits the new column, and Partner Center follows.
    await webApi(env, "PATCH", `${Tables.opportunity.entitySetName}(${opportunityId})`, { customerneed: "the seller's notes" }, { "If-Match": "*" });
    await waitFor("the seller's notes in Partner Center", async () => (await getReferral(env, referralId)).details.notes === "the seller's notes", 15_000);
    await settle(env);
    shared = { opportunityId, referralId };
  });

  it("a value map that misses a Partner Center value gets a verdict and the help keeps its column", async () => {
    await patchRow("helpCode", { [M.dataverseColumn]: "budgetstatus", [M.valueMap]: JSON.stringify({ GeneralOrOther: 3, ProofOfConceptOrDemo: 2 }) });
    const verdict = await verdictOf("helpCode", /misses/);
    expect(verdict).toMatch(/^the value map misses CustomerTechnicalArchitecture, QuotesOrLicensing, PostSalesCustomerSuccess, WorkloadSpecificValueProposition; give each Partner Center value an option of budgetstatus; until it is fixed helpCode keeps syncing through opportunity\.pcc_howcanmicrosofthelp/);
    await patchRow("helpCode", { [M.valueMap]: JSON.stringify({ WorkloadSpecificValueProposition: 0, CustomerTechnicalArchitecture: 1, ProofOfConceptOrDemo: 2, QuotesOrLicensing: 3, PostSalesCustomerSuccess: 3, GeneralOrOther: 9 }) });
    expect(await verdictOf("helpCode", /not an option/)).toMatch(/^the value map names 9, which is not an option of budgetstatus \(its options: 0, 1, 2, 3\)/);
    expect(env.service!.mapping.current().opportunity.helpCode).toBe(C.howCanMicrosoftHelp);
    await patchRow("helpCode", { [M.dataverseColumn]: C.howCanMicrosoftHelp, [M.valueMap]: null });
    await verdictOf("helpCode", /^OK/);
  });

  it("test on an opportunity: the preview of what the sync would send and write appears on the row, and nothing is sent to Partner Center", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.name]: "Preview deal", [C.syncWithPartnerCenter]: false, customerneed: "needs a data platform" });
    await settle(env);
    const referralsBefore = (await listReferrals(env)).length;
    await resetCounters(env.partnerCenter.url);

    const rowId = await patchRow("notes", { [M.testOpportunity]: "Preview deal" });
    const preview = await waitFor("the test preview", async () => {
      const { json } = await webApi(env, "GET", `${CoSellMappingTable.entitySetName}(${rowId})`);
      return json[M.testOpportunity] === null && typeof json[M.testPreview] === "string" ? (json as Row) : null;
    });
    const text = preview[M.testPreview] as string;
    expect(text).toContain(`Test of the mapping on "Preview deal" (${opportunityId})`);
    expect(text).toContain("Nothing was sent to Partner Center");
    expect(text).toContain("notes (notes) ⇄ opportunity.customerneed: needs a data platform");
    expect(text).toContain("Would create this referral in Partner Center");
    expect(text).toContain('"notes": "needs a data platform"');
    expect(preview[M.testedOn]).toEqual(expect.any(String));

    const calls = await counters(env.partnerCenter.url);
    expect(callsOf(calls, "POST", "/referrals") + callsOf(calls, "PATCH", "/referrals")).toBe(0);
    expect((await listReferrals(env)).length).toBe(referralsBefore);
    expect((await readOpportunity(env, opportunityId))[C.referralIdentifier] ?? null).toBeNull();

    await patchRow("notes", { [M.testOpportunity]: "No such deal" });
    await waitFor("the answer for an unknown opportunity", async () => {
      const { json } = await webApi(env, "GET", `${CoSellMappingTable.entitySetName}(${rowId})`);
      return json[M.testPreview] === 'No opportunity is named "No such deal"; type its exact name or paste its id.';
    });
  });

  it("test on a synced opportunity: the preview shows the JSON Patch the seller's edit would send, and nothing is sent", async () => {
    const { opportunityId, referralId } = shared!;
    // No worker may sync the edit meanwhile: the preview must be the only thing that looks at it.
    await env.service!.pool.stop();
    await webApi(env, "PATCH", `${Tables.opportunity.entitySetName}(${opportunityId})`, { customerneed: "third notes" }, { "If-Match": "*" });
    await resetCounters(env.partnerCenter.url);
    const rowId = await patchRow("dealValue", { [M.testOpportunity]: opportunityId });
    const text = await waitFor("the test preview", async () => {
      const { json } = await webApi(env, "GET", `${CoSellMappingTable.entitySetName}(${rowId})`);
      return json[M.testOpportunity] === null && typeof json[M.testPreview] === "string" ? (json[M.testPreview] as string) : null;
    });
    expect(text).toContain(`Would update referral ${referralId} in Partner Center (PATCH, JSON Patch):`);
    expect(text).toMatch(/"path": "\/details\/notes",\s*"value": "third notes"/);
    expect(text).toContain("Would write nothing on the opportunity's mapped columns.");
    const calls = await counters(env.partnerCenter.url);
    expect(callsOf(calls, "POST", "/referrals") + callsOf(calls, "PATCH", "/referrals")).toBe(0);
    expect((await getReferral(env, referralId)).details.notes).toBe("the seller's notes");
  });
});
