/**
 * The stand-in is as strict as a real org on the points the documentation and Microsoft's published
 * payloads state (../shared/reference/real-world-contract.md, Dataverse): sequential ids, client-chosen
 * ids, whole-second times on the org's own clock, and the Web API's payload rules.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { api, startFixture, type Fixture } from "./sandbox-fixture";

/** The 60-bit timestamp a sequential GUID carries (its first three groups, byte-swapped). */
function sequentialTimestamp(id: string): bigint {
  const swap = (group: string) => (group.match(/../g) ?? []).reverse().join("");
  const [low = "", mid = "", high = ""] = id.split("-").map(swap);
  return BigInt(`0x${high.slice(1)}${mid}${low}`);
}

const HOUR = 3_600_000;

describe("ids and times as a real org makes them", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture({ clockOffsetMs: HOUR });
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(() => fixture.sandbox.reset());

  it("mints sequential GUIDs, which an RFC uuid validator refuses", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await fixture.client.createAccount({ name: `Sequential ${i}` }));
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(z.uuid().safeParse(id).success).toBe(false);
    }
    // One server's ids: the same node, increasing timestamps.
    expect(new Set(ids.map((id) => id.split("-")[4])).size).toBe(1);
    const stamps = ids.map(sequentialTimestamp);
    expect(stamps.every((stamp, index) => index === 0 || stamp > (stamps[index - 1] ?? 0n))).toBe(true);
  });

  it("creates a row with the id the client chose in the body, and refuses a second row with it", async () => {
    const id = "6D81597F-0F9F-E711-80E0-00155DB0D8B8";
    const created = await api(fixture.sandbox, "accounts", { method: "POST", body: { accountid: id, name: "Chosen id" } });
    expect(created.status).toBe(204);
    expect(created.headers.get("odata-entityid")).toContain(`accounts(${id.toLowerCase()})`);
    expect((await api(fixture.sandbox, `accounts(${id.toLowerCase()})?$select=name`)).json).toMatchObject({ name: "Chosen id" });
    const again = await api(fixture.sandbox, "accounts", { method: "POST", body: { accountid: id, name: "Same id" } });
    expect(again.status).toBe(412);
  });

  it("stamps createdon and modifiedon in whole seconds on the org's clock, offset from this machine's", async () => {
    const before = Date.now();
    const id = await fixture.client.createAccount({ name: "Clock" });
    const row = (await api(fixture.sandbox, `accounts(${id})?$select=createdon,modifiedon`)).json ?? {};
    const createdOn = String(row["createdon"]);
    expect(createdOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(row["modifiedon"]).toBe(createdOn);
    // An hour ahead of the backend's clock, to the second.
    expect(Date.parse(createdOn)).toBeGreaterThanOrEqual(Math.floor((before + HOUR) / 1000) * 1000);
    expect(Date.parse(createdOn)).toBeLessThanOrEqual(Date.now() + HOUR);
  });
});

describe("payload rules a real org enforces", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(() => fixture.sandbox.reset());

  const opportunityCount = async () => ((await api(fixture.sandbox, "opportunities?$select=name")).json?.["value"] as unknown[]).length;

  it("refuses a write whose body is not declared as JSON, and writes nothing", async () => {
    const response = await api(fixture.sandbox, "opportunities", { method: "POST", body: { name: "No JSON type" }, headers: { "content-type": "text/plain" } });
    expect(response.status).toBe(415);
    expect(response.json).toMatchObject({ error: { code: "0x80048d19", message: expect.stringContaining("Content-Type: application/json") } });
    expect(await opportunityCount()).toBe(0);
  });

  it("takes a date-only column as YYYY-MM-DD and nothing else", async () => {
    const refused = await api(fixture.sandbox, "opportunities", { method: "POST", body: { name: "Date with time", estimatedclosedate: "2026-11-25T00:00:00Z" } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: "0x80048d19", message: expect.stringContaining("Edm.Date") } });
    const taken = await api(fixture.sandbox, "opportunities", { method: "POST", body: { name: "Bare date", estimatedclosedate: "2026-11-25" }, headers: { prefer: "return=representation" } });
    expect(taken.status).toBe(201);
    expect(taken.json?.["estimatedclosedate"]).toBe("2026-11-25");
    expect(await opportunityCount()).toBe(1);
  });

  it("refuses money and whole numbers outside the column's range", async () => {
    for (const body of [{ estimatedvalue: 1e12 + 1 }, { estimatedvalue: -1e12 - 1 }, { closeprobability: 101 }, { closeprobability: -1 }]) {
      const response = await api(fixture.sandbox, "opportunities", { method: "POST", body: { name: "Out of range", ...body } });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json).toMatchObject({ error: { code: "0x8004431a", message: expect.stringContaining("outside the valid range") } });
    }
    expect(await opportunityCount()).toBe(0);
    const edge = await api(fixture.sandbox, "opportunities", { method: "POST", body: { name: "Edges", estimatedvalue: 1e12, closeprobability: 100 } });
    expect(edge.status).toBe(204);
  });

  it("answers a literal of the wrong type with the payload error and an unknown name with the unknown-property error", async () => {
    const wrongType = await api(fixture.sandbox, "opportunities", { method: "POST", body: { name: "Wrong", estimatedvalue: "lots" } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json).toMatchObject({ error: { code: "0x80048d19", message: expect.stringContaining("Error identified in Payload provided by the user") } });
    const unknown = await api(fixture.sandbox, "opportunities", { method: "POST", body: { name: "Unknown", pcc_nothing: 1 } });
    expect(unknown.json).toMatchObject({ error: { code: "0x80060888" } });
    expect(await opportunityCount()).toBe(0);
  });

  it("clears a lookup with `nav: null` as with `nav@odata.bind: null`", async () => {
    const accountId = await fixture.client.createAccount({ name: "Customer" });
    for (const clear of [{ parentaccountid: null }, { "parentaccountid@odata.bind": null }]) {
      const created = await api(fixture.sandbox, "opportunities", {
        method: "POST", body: { name: "Linked", "parentaccountid@odata.bind": `/accounts(${accountId})` }, headers: { prefer: "return=representation" },
      });
      const id = String(created.json?.["opportunityid"]);
      expect(created.json?.["_parentaccountid_value"]).toBe(accountId);
      expect((await api(fixture.sandbox, `opportunities(${id})`, { method: "PATCH", body: clear })).status).toBe(204);
      expect((await api(fixture.sandbox, `opportunities(${id})?$select=_parentaccountid_value`)).json?.["_parentaccountid_value"]).toBeNull();
    }
  });

  it("creates an opportunity with its new account and the account's contacts in one request (deep insert), all or nothing", async () => {
    const count = async (set: string) => ((await api(fixture.sandbox, `${set}?$select=${set === "contacts" ? "fullname" : "name"}`)).json?.["value"] as unknown[]).length;
    const created = await api(fixture.sandbox, "opportunities", {
      method: "POST",
      headers: { prefer: "return=representation" },
      body: {
        name: "Deep deal",
        parentaccountid: { name: "Deep customer", contact_customer_accounts: [{ firstname: "Ada", lastname: "Lovelace" }, { firstname: "Alan", lastname: "Turing" }] },
      },
    });
    expect(created.status).toBe(201);
    const accountId = String(created.json?.["_parentaccountid_value"]);
    const contacts = (await api(fixture.sandbox, `contacts?$select=fullname,_parentcustomerid_value`)).json?.["value"] as Record<string, unknown>[];
    expect(contacts.map((contact) => [contact["fullname"], contact["_parentcustomerid_value"]])).toEqual([["Ada Lovelace", accountId], ["Alan Turing", accountId]]);

    const failed = await api(fixture.sandbox, "opportunities", {
      method: "POST",
      body: { name: "Half deal", parentaccountid: { name: "Half customer", contact_customer_accounts: [{ firstname: "x".repeat(51) }] } },
    });
    expect(failed.status).toBe(400);
    expect([await count("opportunities"), await count("accounts"), await count("contacts")]).toEqual([1, 1, 2]);
  });

  it("matches text regardless of letter case and accents, as the database collation does", async () => {
    await fixture.client.createAccount({ name: "Società Ënergia" });
    for (const filter of ["name eq 'SOCIETA ENERGIA'", "contains(name,'societa')", "startswith(name,'società ë')"]) {
      const found = await api(fixture.sandbox, `accounts?$select=name&$filter=${encodeURIComponent(filter)}`);
      expect(found.json?.["value"], filter).toEqual([expect.objectContaining({ name: "Società Ënergia" })]);
    }
  });
});

describe("service protection limits, per user", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture({
      serviceProtection: { requests: 5, windowMs: 2000, concurrent: 2, executionMs: 60_000 },
      identities: { "seller-token": { roles: ["System Administrator"] }, "harness-token": { roles: ["System Administrator"] } },
      unlimitedTokens: ["harness-token"],
    });
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(() => fixture.sandbox.reset());

  const whoAmI = (token: string) => api(fixture.sandbox, "WhoAmI", { headers: { authorization: `Bearer ${token}` } });

  it("refuses the request over the window's quota with 429, Retry-After and the documented code, and counts per user", async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await whoAmI("service-token"));
    expect(answers.slice(0, 5).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((answer) => answer.headers.get("x-ms-ratelimit-burst-remaining-xrm-requests"))).toEqual(["4", "3", "2", "1", "0", "0"]);
    const refused = answers[5];
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused?.json).toMatchObject({ error: { code: "0x80072322", message: "Number of requests exceeded the limit of 5 over time window of 2 seconds." } });
    // Another user has a quota of its own.
    expect((await whoAmI("seller-token")).status).toBe(200);
    // The window slides: after Retry-After the user may call again.
    await new Promise((resolve) => setTimeout(resolve, Number(refused?.headers.get("retry-after")) * 1000));
    expect((await whoAmI("service-token")).status).toBe(200);
  });

  it("applies no limit to a benchmark harness's token, and its calls spend no user's quota", async () => {
    for (let i = 0; i < 12; i += 1) expect((await whoAmI("harness-token")).status).toBe(200);
    const service = [];
    for (let i = 0; i < 6; i += 1) service.push((await whoAmI("service-token")).status);
    expect(service).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("refuses a request over the concurrent limit with 0x80072326", async () => {
    fixture.sandbox.faults.set({ latencyMs: 300 });
    try {
      const answers = await Promise.all([1, 2, 3].map(() => whoAmI("service-token")));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
      expect(answers.find((answer) => answer.status === 429)?.json).toMatchObject({ error: { code: "0x80072326" } });
    } finally {
      fixture.sandbox.faults.set({});
    }
  });

  it("counts each request inside a $batch", async () => {
    const part = ["--batch_1", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "GET /api/data/v9.2/WhoAmI HTTP/1.1", "", ""].join("\r\n");
    const response = await fetch(`${fixture.sandbox.apiUrl}/$batch`, {
      method: "POST",
      headers: { authorization: "Bearer service-token", "content-type": "multipart/mixed;boundary=batch_1" },
      body: [part, part, part, "--batch_1--", ""].join("\r\n"),
    });
    expect(response.status).toBe(200);
    await response.text();
    // The batch itself and its three requests: one left.
    expect((await whoAmI("service-token")).status).toBe(200);
    expect((await whoAmI("service-token")).status).toBe(429);
  });
});
