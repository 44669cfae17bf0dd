/**
 * Equality filters are answered from column indexes (so lookups stay fast as a backfill fills the
 * org). The index must never change an answer: every filter here is also sent wrapped in
 * `not (not (…))`, which no index serves, and both must return the same rows, order, etags, counts
 * and pages — including after updates and deletes have moved rows between index keys.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccountColumns as A, ContactColumns, Tables } from "../../entities";
import { odataString } from "../../sync/dataverse";
import { api, startFixture, type Fixture } from "./sandbox-fixture";

describe("indexed equality filters", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(() => fixture.sandbox.reset());

  /** Every page of a query as the raw Web API answers it (maxpagesize 2, so paging is exercised). */
  async function pages(entitySet: string, filter: string, extra = "") {
    const answers: unknown[] = [];
    let path: string | undefined = `${entitySet}?$filter=${encodeURIComponent(filter)}&$count=true${extra}`;
    while (path) {
      const { status, json } = await api(fixture.sandbox, path, { headers: { prefer: "odata.maxpagesize=2" } });
      expect(status).toBe(200);
      const nextLink = json?.["@odata.nextLink"] as string | undefined;
      // The next link repeats the query as sent: compare it without the wrapping.
      answers.push({ ...json, "@odata.nextLink": nextLink?.replace(/not%20\(not%20\((.*)\)\)(&|$)/, "$1$2") });
      path = nextLink ? nextLink.slice(fixture.sandbox.apiUrl.length + 1) : undefined;
    }
    return answers;
  }

  async function expectSameAsScan(entitySet: string, filter: string, extra = "") {
    const indexed = await pages(entitySet, filter, extra);
    const scanned = await pages(entitySet, `not (not (${filter}))`, extra);
    expect(indexed).toEqual(scanned);
    return indexed.flatMap((page) => (page as { value: Record<string, unknown>[] }).value);
  }

  async function seed() {
    const { client } = fixture;
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      ids.push(await client.createAccount({ [A.name]: `Customer ${i % 4}`, [A.postalCode]: String(10000 + (i % 3)), [A.country]: i % 2 ? "DE" : "IT" }));
    }
    return ids;
  }

  it("answers eq, or-chains and and-combinations exactly like a scan, page by page", async () => {
    await seed();
    const set = Tables.account.entitySetName;
    const one = await expectSameAsScan(set, `${A.name} eq 'customer 1'`, `&$select=${A.name}`);
    expect(one.map((row) => row[A.name])).toEqual(["Customer 1", "Customer 1", "Customer 1"]);
    await expectSameAsScan(set, `${A.name} eq 'Customer 2' or ${A.postalCode} eq '10001' or ${A.name} eq 'Customer 3'`);
    await expectSameAsScan(set, `${A.name} eq 'Customer 0' and ${A.country} eq 'IT'`, `&$orderby=${A.postalCode} desc`);
    await expectSameAsScan(set, `(${A.name} eq 'Customer 0' and ${A.postalCode} eq '10000') or ${A.name} eq 'Customer 3'`);
    await expectSameAsScan(set, `${A.name} eq 'Customer 0' or startswith(${A.name},'Customer 1')`);
    await expectSameAsScan(set, `${A.websiteUrl} eq null and ${A.name} eq ${odataString("Customer 2")}`, `&$top=1`);
    expect(await expectSameAsScan(set, `${A.name} eq 'nobody'`)).toEqual([]);
  });

  it("stays exact after updates and deletes move rows between keys, and on lookups", async () => {
    const { client } = fixture;
    const ids = await seed();
    const set = Tables.account.entitySetName;
    await expectSameAsScan(set, `${A.name} eq 'Customer 1' or ${A.name} eq 'Renamed'`);
    await client.updateAccount(ids[1] ?? "", { [A.name]: "Renamed" });
    await client.delete(Tables.account, ids[5] ?? "");
    const after = await expectSameAsScan(set, `${A.name} eq 'Customer 1' or ${A.name} eq 'Renamed'`, `&$select=${A.name}`);
    expect(after.map((row) => row[A.name])).toEqual(["Renamed", "Customer 1"]);
    expect(await expectSameAsScan(set, `${A.name} eq 'Renamed'`)).toHaveLength(1);
    expect(await expectSameAsScan(set, `${A.name} eq 'Customer 1'`)).toHaveLength(1);

    const contact = await client.createContact({ [ContactColumns.email]: "a@example.com", [ContactColumns.parentCustomer]: { logicalName: Tables.account.logicalName, id: ids[0] ?? "" } });
    const byAccount = await expectSameAsScan(Tables.contact.entitySetName, `_${ContactColumns.parentCustomer}_value eq ${ids[0] ?? ""}`);
    expect(byAccount.map((row) => row[Tables.contact.primaryId])).toEqual([contact]);
    const byId = await expectSameAsScan(Tables.contact.entitySetName, `${Tables.contact.primaryId} eq ${contact} or ${ContactColumns.email} eq 'A@EXAMPLE.COM'`);
    expect(byId).toHaveLength(1);
  });

  it("stays exact when a $batch change set that renamed a row is rolled back", async () => {
    const set = Tables.account.entitySetName;
    const id = await fixture.client.createAccount({ [A.name]: "Before" });
    expect(await expectSameAsScan(set, `${A.name} eq 'Before'`)).toHaveLength(1);
    const part = (request: string, body: unknown) =>
      ["--changeset_1", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", `${request} HTTP/1.1`, "Content-Type: application/json;type=entry", "", JSON.stringify(body)].join("\r\n");
    const body = [
      "--batch_1",
      "Content-Type: multipart/mixed;boundary=changeset_1",
      "",
      part(`PATCH /api/data/v9.2/${set}(${id})`, { [A.name]: "Renamed in the batch" }),
      part(`POST /api/data/v9.2/${set}`, { [A.name]: "x".repeat(500) }),
      "--changeset_1--",
      "--batch_1--",
      "",
    ].join("\r\n");
    const failed = await fetch(`${fixture.sandbox.apiUrl}/$batch`, { method: "POST", headers: { "content-type": "multipart/mixed;boundary=batch_1", authorization: "Bearer t" }, body });
    expect(await failed.text()).toContain("HTTP/1.1 400 Bad Request");
    expect(await expectSameAsScan(set, `${A.name} eq 'Before'`)).toHaveLength(1);
    expect(await expectSameAsScan(set, `${A.name} eq 'Renamed in the batch'`)).toEqual([]);
  });

  it("refuses an unknown name in $filter even when no row is read", async () => {
    const bad = await api(fixture.sandbox, `${Tables.account.entitySetName}?$filter=Name eq 'x'`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: "0x80060888" } });
  });
});
