/**
 * Reading collections as the backend and the reconcile loop do: $filter (comparisons, and/or/not,
 * contains/startswith, null, lookup _x_value), $orderby, $top, $count, server-driven paging with
 * Prefer: odata.maxpagesize, $expand of a lookup, and change tracking with delta links.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccountColumns as A, OpportunityColumns, OpportunityStandardColumns as O, Tables } from "../../entities";
import { odataString, type OpportunityValues } from "../../sync/dataverse";
import { api, solutionZip, startFixture, type Fixture } from "./sandbox-fixture";

describe("queries", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(() => fixture.sandbox.reset());

  async function seedAccounts() {
    const { client } = fixture;
    const names = ["Contoso Italia", "Contoso GmbH", "Fabrikam", "Northwind Traders", "Tailspin Toys"];
    const ids: Record<string, string> = {};
    for (const [index, name] of names.entries()) {
      ids[name] = await client.createAccount({ [A.name]: name, [A.country]: index % 2 === 0 ? "IT" : "DE", [A.numberOfEmployees]: (index + 1) * 100 });
    }
    return ids;
  }

  it("filters with comparisons, and/or/not, string functions and null checks, case-insensitively", async () => {
    await seedAccounts();
    const names = async (filter: string, orderBy = `${A.name} asc`) =>
      (await fixture.client.queryAccounts({ filter, orderBy })).map((row) => row.values[A.name]);

    expect(await names(`startswith(${A.name},'contoso')`)).toEqual(["Contoso GmbH", "Contoso Italia"]);
    expect(await names(`contains(${A.name},'TRADERS') or ${A.numberOfEmployees} ge 500`)).toEqual(["Northwind Traders", "Tailspin Toys"]);
    expect(await names(`${A.country} eq 'it' and not (${A.numberOfEmployees} gt 100)`)).toEqual(["Contoso Italia"]);
    expect(await names(`${A.websiteUrl} eq null and ${A.name} eq ${odataString("Fabrikam")}`)).toEqual(["Fabrikam"]);
    expect(await names(`${A.numberOfEmployees} lt 300`, `${A.numberOfEmployees} desc`)).toEqual(["Contoso GmbH", "Contoso Italia"]);
  });

  it("filters opportunities by a lookup's _x_value and by our referral identifier", async () => {
    await fixture.client.importSolution(await solutionZip());
    const ids = await seedAccounts();
    const contoso = ids["Contoso Italia"] ?? "";
    const linked = await fixture.client.createOpportunity({
      [O.name]: "Linked",
      [O.parentAccount]: { logicalName: Tables.account.logicalName, id: contoso },
      [OpportunityColumns.referralIdentifier]: "ref-0001",
    });
    await fixture.client.createOpportunity({ [O.name]: "Other" });

    const byAccount = await fixture.client.query<OpportunityValues>(Tables.opportunity, [O.id, O.name], { filter: `_${O.parentAccount}_value eq ${contoso}` });
    expect(byAccount.map((row) => row.id)).toEqual([linked]);
    expect((await fixture.client.findOpportunityByReferralId("REF-0001"))?.id).toBe(linked);
    expect(await fixture.client.findOpportunityByReferralId("ref-0002")).toBeUndefined();
  });

  it("pages with odata.maxpagesize and @odata.nextLink, counts with $count and honours $top", async () => {
    for (let i = 0; i < 7; i += 1) await fixture.client.createAccount({ [A.name]: `Account ${i}` });
    const first = await api(fixture.sandbox, `${Tables.account.entitySetName}?$select=${A.name}&$count=true&$orderby=${A.name}`, {
      headers: { prefer: "odata.maxpagesize=3" },
    });
    expect(first.json?.["@odata.count"]).toBe(7);
    expect(first.json?.["value"]).toHaveLength(3);
    expect(first.json?.["@odata.nextLink"]).toEqual(expect.stringContaining("$skiptoken="));

    const all = await fixture.client.queryAccounts({ orderBy: `${A.name} asc`, pageSize: 3 });
    expect(all.map((row) => row.values[A.name])).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `Account ${i}`));
    expect(fixture.sandbox.counters.snapshot()[`GET /api/data/v9.2/${Tables.account.entitySetName}`]).toBe(1 + 3);

    const top = await fixture.client.queryAccounts({ orderBy: `${A.name} desc`, top: 2 });
    expect(top.map((row) => row.values[A.name])).toEqual(["Account 6", "Account 5"]);
  });

  it("expands a single-valued lookup and reports unknown names with Dataverse's error", async () => {
    const accountId = await fixture.client.createAccount({ [A.name]: "Expanded" });
    const created = await api(fixture.sandbox, `${Tables.opportunity.entitySetName}?$select=${O.name}&$expand=${O.customer}_account($select=${A.name})`, {
      method: "POST",
      headers: { prefer: "return=representation" },
      body: { [O.name]: "With customer", [`${O.customer}_account@odata.bind`]: `/${Tables.account.entitySetName}(${accountId})` },
    });
    expect(created.status).toBe(201);
    expect(created.json?.[`${O.customer}_account`]).toMatchObject({ [A.name]: "Expanded", [A.id]: accountId });

    const bad = await api(fixture.sandbox, `${Tables.account.entitySetName}?$filter=Name eq 'x'`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: "0x80060888", message: "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'." } });
    const unauthenticated = await fetch(`${fixture.sandbox.apiUrl}/${Tables.account.entitySetName}`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });
});

describe("change tracking", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
    await fixture.client.importSolution(await solutionZip());
  });
  afterAll(() => fixture.sandbox.close());

  async function readAll(deltaLink?: string) {
    const changed: string[] = [];
    const deleted: string[] = [];
    let link: string | undefined;
    for await (const page of fixture.client.opportunityChanges(deltaLink, 2)) {
      changed.push(...page.changed.map((row) => String(row.values[O.name])));
      deleted.push(...page.deleted);
      link = page.deltaLink ?? link;
    }
    return { changed, deleted, deltaLink: link };
  }

  it("answers only once change tracking was enabled on the table, which cannot be undone", async () => {
    await expect(readAll()).rejects.toMatchObject({ status: 400, message: expect.stringContaining("not enabled for change tracking") });
    expect(await fixture.client.changeTrackingEnabled(Tables.opportunity.logicalName)).toBe(false);
    await fixture.client.enableChangeTracking(Tables.opportunity.logicalName);
    expect(await fixture.client.changeTrackingEnabled(Tables.opportunity.logicalName)).toBe(true);
    const disable = await api(fixture.sandbox, `EntityDefinitions(LogicalName='opportunity')`, { method: "PUT", body: { ChangeTrackingEnabled: false } });
    expect(disable.status).toBe(400);
  });

  it("refuses a delta token older than ExpireChangeTrackingInDays (7): the client must read everything again", async () => {
    await fixture.client.enableChangeTracking(Tables.opportunity.logicalName);
    const { deltaLink } = await readAll();
    fixture.sandbox.advanceClock(6 * 86_400_000);
    await expect(readAll(deltaLink)).resolves.toMatchObject({ changed: [] });
    fixture.sandbox.advanceClock(1 * 86_400_000 + 2000);
    await expect(readAll(deltaLink)).rejects.toMatchObject({ status: 400, message: expect.stringContaining("has expired") });
    // A fresh read from scratch works and gives a new token.
    await expect(readAll()).resolves.toMatchObject({ deltaLink: expect.stringContaining("$deltatoken=") });
  });

  it("returns everything first, then only rows changed or deleted since the delta link", async () => {
    const { client } = fixture;
    await client.enableChangeTracking(Tables.opportunity.logicalName);
    const a = await client.createOpportunity({ [O.name]: "A" });
    const b = await client.createOpportunity({ [O.name]: "B" });
    const c = await client.createOpportunity({ [O.name]: "C" });

    const initial = await readAll();
    expect(initial.changed.sort()).toEqual(["A", "B", "C"]);
    expect(initial.deltaLink).toEqual(expect.stringContaining("$deltatoken="));

    const nothing = await readAll(initial.deltaLink);
    expect(nothing).toMatchObject({ changed: [], deleted: [] });

    await client.updateOpportunity(b, { [O.name]: "B2" });
    await client.delete(Tables.opportunity, c);
    await client.createOpportunity({ [O.name]: "D" });
    const delta = await readAll(nothing.deltaLink);
    expect(delta.changed.sort()).toEqual(["B2", "D"]);
    expect(delta.deleted).toEqual([c]);
    expect(delta.changed).not.toContain("A");
    expect(a).toBeTruthy();
  });
});
