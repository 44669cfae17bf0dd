/**
 * The backfill's page lookups (PageLookupGateway) against the Dataverse sandbox: a page's answer is
 * the live query's answer for each customer and e-mail, an account or contact created after the
 * page was looked up sends the next question to Dataverse live (so it is found, never created twice),
 * and an account that existed before the page is among the page's candidates.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccountColumns as A, ContactColumns, Tables } from "../../entities";
import { comparisonKey, PageLookupGateway } from "../../sync/cli/backfill-lookups";
import type { Referral } from "../../sync/partner-center/referral-types";
import { CrmGateway } from "../../sync/worker/crm-gateway";
import { startFixture, type Fixture } from "../dataverse/sandbox-fixture";

function referral(id: string, name: string, postalCode: string, email: string): Referral {
  return {
    id,
    customerProfile: { name, address: { postalCode, country: "DE" }, team: [{ firstName: "Jonas", lastName: "Weber", email }] },
  } as unknown as Referral;
}

const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

describe("backfill page lookups", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(() => fixture.sandbox.reset());

  const accountQueries = () => fixture.sandbox.counters.snapshot()[`GET /api/data/v9.2/${Tables.account.entitySetName}`] ?? 0;
  const contactQueries = () => fixture.sandbox.counters.snapshot()[`GET /api/data/v9.2/${Tables.contact.entitySetName}`] ?? 0;

  it("answers each customer and e-mail of the page as the live query does, from one query of each kind", async () => {
    const { client } = fixture;
    // Existed before the backfill: same name as a customer (other postal code), and one sharing a postal code.
    await client.createAccount({ [A.name]: "Contoso Pharma GmbH", [A.postalCode]: "80331" });
    await client.createAccount({ [A.name]: "Fabrikam", [A.postalCode]: "10115" });
    await client.createAccount({ [A.name]: "Unrelated", [A.postalCode]: "99999" });
    await client.createContact({ [ContactColumns.lastName]: "Weber", [ContactColumns.email]: "Jonas@Contoso.example" });
    const page = [
      referral("r1", "contoso pharma gmbh", "10117", "jonas@contoso.example"),
      referral("r2", "Tailspin", "10115", "ana@tailspin.example"),
    ];
    const live = new CrmGateway(client);
    const paged = new PageLookupGateway(client);
    await paged.prefetchPage(page);
    const before = { accounts: accountQueries(), contacts: contactQueries() };

    for (const [name, postal] of [["contoso pharma gmbh", "10117"], ["Tailspin", "10115"]] as const) {
      expect(ids(await paged.accountCandidates(name, postal))).toEqual(ids(await live.accountCandidates(name, postal)));
    }
    expect(ids(await paged.contactsByEmail(["jonas@contoso.example"]))).toEqual(ids(await live.contactsByEmail(["jonas@contoso.example"])));
    expect(await paged.contactsByEmail(["ana@tailspin.example"])).toEqual([]);
    // Only the live gateway's three questions reached Dataverse.
    expect(accountQueries() - before.accounts).toBe(2);
    expect(contactQueries() - before.contacts).toBe(1);
  });

  it("asks live once an account or contact that could answer the question was created after the page's query", async () => {
    const paged = new PageLookupGateway(fixture.client);
    await paged.prefetchPage([referral("r1", "Northwind GmbH", "20095", "a@northwind.example"), referral("r2", "Northwind GmbH", "20095", "a@northwind.example")]);
    expect(await paged.accountCandidates("Northwind GmbH", "20095")).toEqual([]);
    // The first referral of the customer creates its account and contact…
    const accountId = await paged.createAccount({ [A.name]: "Northwind GmbH", [A.postalCode]: "20095" });
    await paged.createContact({ [ContactColumns.lastName]: "A", [ContactColumns.email]: "a@northwind.example" });
    const queries = accountQueries();
    // …and the second one finds both (asked live), instead of the page's empty answers.
    expect(ids(await paged.accountCandidates("Northwind GmbH", "20095"))).toEqual([accountId]);
    expect(await paged.contactsByEmail(["A@northwind.example"])).toHaveLength(1);
    expect(accountQueries()).toBe(queries + 1);
    // A create of an unrelated customer leaves other answers to the page.
    await paged.prefetchPage([referral("r3", "Litware", "30159", "b@litware.example")]);
    await paged.createAccount({ [A.name]: "Adatum", [A.postalCode]: "40210" });
    const afterUnrelated = accountQueries();
    expect(await paged.accountCandidates("Litware", "30159")).toEqual([]);
    expect(accountQueries()).toBe(afterUnrelated);
  });

  it("compares text as Dataverse does, loosely: case, accents, ß and outer or repeated spaces", () => {
    expect(comparisonKey(" Müller  Straße GmbH ")).toBe(comparisonKey("MULLER STRASSE gmbh"));
    expect(comparisonKey("Contoso")).not.toBe(comparisonKey("Contoso Ltd"));
    expect(comparisonKey("   ")).toBeNull();
    expect(comparisonKey(null)).toBeNull();
  });
});
