/**
 * The transport behind dataverse-ify: one JSON encoding on the wire, Retry-After honoured on 429,
 * typed errors; the token provider renewing before expiry; $batch change sets; and the typed records
 * agreeing with entities/.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AccountColumns as A, OPPORTUNITY_COLUMNS, OpportunityColumns, Tables, type OpportunityColumnKey } from "../../entities";
import { CredentialTokenProvider, DataverseClient, DataverseError, FetchTransport, PCC_COLUMN_KINDS, StaticTokenProvider } from "../../sync/dataverse";
import { api, startFixture, type Fixture } from "./sandbox-fixture";

describe("FetchTransport", () => {
  let server: Server;
  let baseUrl = "";
  const requests: { method: string; url: string; body: string; authorization?: string }[] = [];
  let answer: (index: number) => { status: number; headers?: Record<string, string>; body?: string } = () => ({ status: 204 });

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        requests.push({ method: request.method ?? "", url: request.url ?? "", body, authorization: request.headers.authorization });
        const reply = answer(requests.length - 1);
        response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        response.end(reply.body ?? "");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  afterEach(() => {
    requests.length = 0;
  });

  it("sends dataverse-ify's create body as one JSON object, not a JSON string holding it", async () => {
    const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    // One request: the entity set name of a table we know is not asked of EntityDefinitions first.
    answer = () => ({ status: 204, headers: { "odata-entityid": `${baseUrl}/api/data/v9.2/accounts(${id})` } });
    const client = new DataverseClient({ orgUrl: baseUrl, tokens: new StaticTokenProvider("t0k") });
    expect(await client.createAccount({ [A.name]: "Single encoding" })).toBe(id);
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual([`POST /api/data/v9.2/${Tables.account.entitySetName}`]);
    const post = requests.find((request) => request.method === "POST");
    expect(post?.authorization).toBe("Bearer t0k");
    const parsed = JSON.parse(post?.body ?? "null") as unknown;
    expect(typeof parsed).toBe("object");
    expect(parsed).toMatchObject({ [A.name]: "Single encoding" });
  });

  it("waits Retry-After on 429 and then succeeds; gives up with a retryable DataverseError after the retries", async () => {
    const waits: number[] = [];
    const transport = new FetchTransport(baseUrl, new StaticTokenProvider("t"), { maxThrottleRetries: 2, sleep: async (ms) => void waits.push(ms) });
    answer = (index) =>
      index === 0 ? { status: 429, headers: { "retry-after": "3" }, body: JSON.stringify({ error: { code: "0x80072322", message: "limit" } }) } : { status: 200, body: "{}" };
    expect((await transport.call("GET", "WhoAmI")).status).toBe(200);
    expect(waits).toEqual([3000]);

    requests.length = 0;
    answer = () => ({ status: 429, headers: { "retry-after": "1" }, body: JSON.stringify({ error: { code: "0x80072322", message: "limit" } }) });
    const failure = await transport.call("GET", "WhoAmI").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DataverseError);
    expect(failure).toMatchObject({ status: 429, code: "0x80072322", retryable: true, retryAfterMs: 1000 });
    expect(requests).toHaveLength(3);
  });

  it("keeps the cause of a network failure and marks it retryable", async () => {
    const transport = new FetchTransport("http://127.0.0.1:1", new StaticTokenProvider("t"));
    const failure = (await transport.call("GET", "WhoAmI").catch((error: unknown) => error)) as DataverseError;
    expect(failure).toMatchObject({ status: 0, retryable: true });
    expect(failure.cause).toBeInstanceOf(Error);
  });
});

describe("CredentialTokenProvider", () => {
  it("reuses a token until five minutes before it expires, then asks again", async () => {
    let now = 0;
    const issued: string[] = [];
    const credential: TokenCredential = {
      getToken: async (scope) => {
        issued.push(String(scope));
        return { token: `token-${issued.length}`, expiresOnTimestamp: now + 60 * 60 * 1000 } satisfies AccessToken;
      },
    };
    const provider = new CredentialTokenProvider(credential, "https://contoso.crm4.dynamics.com/", () => now);
    expect(await provider.getToken()).toBe("token-1");
    now += 50 * 60 * 1000;
    expect(await provider.getToken()).toBe("token-1");
    now += 6 * 60 * 1000;
    expect(await provider.getToken()).toBe("token-2");
    expect(issued).toEqual(["https://contoso.crm4.dynamics.com/.default", "https://contoso.crm4.dynamics.com/.default"]);
  });
});

describe("$batch", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.sandbox.close());

  const part = (contentId: number, body: unknown) =>
    [
      "--changeset_1",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      `Content-ID: ${contentId}`,
      "",
      `POST /api/data/v9.2/${Tables.account.entitySetName} HTTP/1.1`,
      "Content-Type: application/json;type=entry",
      "",
      JSON.stringify(body),
    ].join("\r\n");
  const batch = (...parts: string[]) =>
    ["--batch_1", "Content-Type: multipart/mixed;boundary=changeset_1", "", ...parts, "--changeset_1--", "--batch_1--", ""].join("\r\n");

  it("commits a change set as a whole, and rolls it back whole when one request fails", async () => {
    const headers = { "content-type": "multipart/mixed;boundary=batch_1" };
    const ok = await fetch(`${fixture.sandbox.apiUrl}/$batch`, {
      method: "POST",
      headers: { ...headers, authorization: "Bearer t" },
      body: batch(part(1, { [A.name]: "Batch one" }), part(2, { [A.name]: "Batch two" })),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/HTTP\/1\.1 204 No Content[\s\S]*HTTP\/1\.1 204 No Content/);

    const failed = await fetch(`${fixture.sandbox.apiUrl}/$batch`, {
      method: "POST",
      headers: { ...headers, authorization: "Bearer t" },
      body: batch(part(1, { [A.name]: "Rolled back" }), part(2, { [A.name]: "x".repeat(500) })),
    });
    expect(await failed.text()).toContain("HTTP/1.1 400 Bad Request");
    const names = (await fixture.client.queryAccounts({ orderBy: `${A.name} asc` })).map((row) => row.values[A.name]);
    expect(names).toEqual(["Batch one", "Batch two"]);
  });

  it("counts calls reaching the catch-all route under the function or entity set they reached", async () => {
    fixture.sandbox.counters.reset();
    for (const path of ["WhoAmI", "WhoAmI", "EntityDefinitions(LogicalName='account')?$select=EntitySetName"]) {
      const response = await fetch(`${fixture.sandbox.apiUrl}/${path}`, { headers: { authorization: "Bearer t", accept: "application/json" } });
      expect(response.status, path).toBe(200);
    }
    expect(fixture.sandbox.counters.snapshot()).toEqual({ "GET /api/data/v9.2/WhoAmI": 2, "GET /api/data/v9.2/EntityDefinitions(:key)": 1 });
  });

  it("throttles through the shared fault injection: the client retries, then reports a retryable 429", async () => {
    fixture.sandbox.faults.set({ throttleRate: 1, retryAfterSeconds: 0 });
    fixture.sandbox.counters.reset();
    try {
      await expect(fixture.client.queryAccounts()).rejects.toMatchObject({ status: 429, code: "0x80072322", retryable: true });
      expect(fixture.sandbox.counters.snapshot()[`GET /api/data/v9.2/${Tables.account.entitySetName}`]).toBe(4);
    } finally {
      fixture.sandbox.faults.set({});
    }
  });

  it("accepts a body that is a JSON string holding the object (dataverse-ify's Node transport sends that)", async () => {
    const created = await api(fixture.sandbox, Tables.account.entitySetName, { method: "POST", body: JSON.stringify(JSON.stringify({ [A.name]: "Double" })) });
    expect(created.status).toBe(204);
  });
});

describe("typed records", () => {
  it("state each pcc_ column's kind as entities/ defines it", () => {
    const fromEntities = Object.fromEntries(
      (Object.keys(OpportunityColumns) as OpportunityColumnKey[]).map((key) => [key, OPPORTUNITY_COLUMNS.find((c) => c.logicalName === OpportunityColumns[key])?.type]),
    );
    expect(PCC_COLUMN_KINDS).toEqual(fromEntities);
  });
});
