/**
 * Privileges per caller: each bearer token signs in as an identity with security roles, and the
 * stand-in refuses what the roles do not grant with Dataverse's 403 (0x80040220) naming the missing
 * privilege. The service's own role comes from our solution zip, as in a real org.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OpportunityStandardColumns as O, RegistrationTables, Tables } from "../../entities";
import { SYNC_SERVICE_ROLE } from "../../solution/xml/security-role";
import { DataverseClient, DEFAULT_OPPORTUNITY_STEPS, registerWebhook, StaticTokenProvider } from "../../sync/dataverse";
import { startDataverseSandbox, type DataverseSandbox } from "../../sandbox/dataverse/dataverse-sandbox";
import { solutionZip } from "./sandbox-fixture";

const SERVICE = "service-token";
const CUSTOMIZER = "customizer-token";

describe("privileges per identity", () => {
  let sandbox: DataverseSandbox;
  const client = (token: string) => new DataverseClient({ orgUrl: sandbox.url, tokens: new StaticTokenProvider(token), transport: { sleep: async () => undefined } });
  const register = (token: string) =>
    registerWebhook(client(token), { name: "Co-sell", url: "https://backend.example/webhooks/dataverse", webhookKey: "k3y-with-enough-entropy", steps: DEFAULT_OPPORTUNITY_STEPS });

  beforeAll(async () => {
    sandbox = await startDataverseSandbox({
      identities: { [SERVICE]: { roles: [SYNC_SERVICE_ROLE.name] }, [CUSTOMIZER]: { roles: ["System Customizer"] } },
      defaultRoles: [],
    });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const post = (token: string, body: unknown) =>
    fetch(`${sandbox.apiUrl}/${Tables.opportunity.entitySetName}`, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, body: (await response.json().catch(() => undefined)) as unknown }));

  it("a token with no role may do nothing, and is told which privilege it lacks", async () => {
    expect(await post("stranger", { [O.name]: "Nope" })).toEqual({
      status: 403,
      body: { error: { code: "0x80040220", message: expect.stringContaining("is missing prvCreateOpportunity privilege on OTC=3 for entity 'opportunity'") } },
    });
    const read = await fetch(`${sandbox.apiUrl}/${Tables.opportunity.entitySetName}?$select=name`, { headers: { authorization: "Bearer stranger" } });
    expect(read.status).toBe(403);
    expect(await read.text()).toContain("is missing prvReadOpportunity privilege");
  });

  it("the shipped role arrives with our solution: then the service syncs deals but cannot delete them", async () => {
    expect((await post(SERVICE, { [O.name]: "Before the role exists" })).status).toBe(403);
    await client(CUSTOMIZER).importSolution(await solutionZip());
    const service = client(SERVICE);
    const id = await service.createOpportunity({ [O.name]: "Synced deal" });
    await service.updateOpportunity(id, { [O.name]: "Synced deal, renamed" });
    await service.winOpportunity(id);
    expect((await service.retrieveOpportunity(id))?.values[O.name]).toBe("Synced deal, renamed");
    await expect(service.delete(Tables.opportunity, id)).rejects.toMatchObject({ status: 403, message: expect.stringContaining("prvDeleteOpportunity") });
  });

  it("the shipped role cannot register webhooks or import solutions; a System Customizer can", async () => {
    await client(CUSTOMIZER).importSolution(await solutionZip());
    await expect(register(SERVICE)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/is missing prv\w*(ServiceEndpoint|SdkMessage)\w* privilege/) });
    await expect(client(SERVICE).importSolution(await solutionZip())).rejects.toMatchObject({ status: 403, message: expect.stringContaining("prvImportCustomizations") });
    expect(await client(CUSTOMIZER).query(RegistrationTables.serviceEndpoint, [RegistrationTables.serviceEndpoint.primaryId])).toEqual([]);
    await register(CUSTOMIZER);
    expect(await client(CUSTOMIZER).query(RegistrationTables.step, [RegistrationTables.step.primaryId])).toHaveLength(DEFAULT_OPPORTUNITY_STEPS.length);
  });

  it("checks each request inside a $batch with the caller's roles", async () => {
    await client(CUSTOMIZER).importSolution(await solutionZip());
    const body = [
      "--batch_1", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "",
      `DELETE /api/data/v9.2/${Tables.account.entitySetName}(6d81597f-0f9f-e711-80e0-00155db0d8b8) HTTP/1.1`, "", "",
      "--batch_1--", "",
    ].join("\r\n");
    const response = await fetch(`${sandbox.apiUrl}/$batch`, {
      method: "POST", headers: { authorization: `Bearer ${SERVICE}`, "content-type": "multipart/mixed;boundary=batch_1" }, body,
    });
    expect(await response.text()).toMatch(/HTTP\/1\.1 403[\s\S]*prvDeleteAccount/);
  });
});
