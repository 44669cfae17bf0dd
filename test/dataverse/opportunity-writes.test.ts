/**
 * Writes as the sync engine relies on them: conditional updates (412 on a stale etag), upsert
 * semantics of PATCH with If-Match: * / If-None-Match: *, polymorphic customer lookups, and closing an
 * opportunity only through WinOpportunity / LoseOpportunity.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OpportunityState, OpportunityStatusCode, OpportunityStandardColumns as O, Tables } from "../../entities";
import { api, solutionZip, startFixture, type Fixture } from "./sandbox-fixture";

describe("opportunity writes", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(async () => {
    fixture.sandbox.reset();
    // The client reads opportunities with our columns, so the org needs our solution.
    await fixture.client.importSolution(await solutionZip());
  });

  it("answers 412 to an update with a stale etag and applies the one with the current etag", async () => {
    const { client } = fixture;
    const id = await client.createOpportunity({ [O.name]: "Fabrikam", [O.estimatedValue]: 10000 });
    const first = await client.retrieveOpportunity(id);
    await client.updateOpportunity(id, { [O.estimatedValue]: 11000 }, first?.etag); // someone else writes first

    await expect(client.updateOpportunity(id, { [O.estimatedValue]: 12000 }, first?.etag)).rejects.toMatchObject({
      status: 412,
      code: "0x80060882",
      isPreconditionFailed: true,
      retryable: false,
    });
    const current = await client.retrieveOpportunity(id);
    expect(current?.values[O.estimatedValue]).toBe(11000);
    await client.updateOpportunity(id, { [O.estimatedValue]: 12000 }, current?.etag);
    expect((await client.retrieveOpportunity(id))?.values[O.estimatedValue]).toBe(12000);
  });

  it("never creates a row through an update (If-Match: *) but upserts a PATCH without conditions", async () => {
    const missing = randomUUID();
    await expect(fixture.client.updateOpportunity(missing, { [O.name]: "ghost" })).rejects.toMatchObject({ status: 404, code: "0x80040217" });

    const upsert = await api(fixture.sandbox, `${Tables.opportunity.entitySetName}(${missing})`, { method: "PATCH", body: { [O.name]: "upserted" } });
    expect(upsert.status).toBe(204);
    expect(upsert.headers.get("odata-entityid")).toContain(missing);
    const again = await api(fixture.sandbox, `${Tables.opportunity.entitySetName}(${missing})`, {
      method: "PATCH",
      headers: { "if-none-match": "*" },
      body: { [O.name]: "create only" },
    });
    expect(again.status).toBe(412);
    expect((await fixture.client.retrieveOpportunity(missing))?.values[O.name]).toBe("upserted");
  });

  it("binds the polymorphic customer to an account or a contact and reads it back with its table", async () => {
    const { client } = fixture;
    const accountId = await client.createAccount({ name: "Contoso Ltd" });
    const contactId = await client.createContact({ firstname: "Ada", lastname: "Lovelace" });
    const eur = await client.currencyByIsoCode("EUR");
    const forAccount = await client.createOpportunity({
      [O.name]: "Via account",
      [O.customer]: { logicalName: Tables.account.logicalName, id: accountId },
      [O.transactionCurrency]: eur ?? null,
      [O.estimatedValue]: 5000,
    });
    const forContact = await client.createOpportunity({ [O.name]: "Via contact", [O.customer]: { logicalName: Tables.contact.logicalName, id: contactId } });

    const a = await client.retrieveOpportunity(forAccount);
    expect(a?.values[O.customer]).toEqual({ logicalName: Tables.account.logicalName, id: accountId, name: "Contoso Ltd" });
    expect(a?.values[O.transactionCurrency]).toMatchObject({ id: eur?.id, name: "Euro" });
    expect(a?.formatted[O.estimatedValue]).toBe("€5,000.00");
    expect(a?.values[O.owner]?.id).toBe(fixture.sandbox.callerId);
    const c = await client.retrieveOpportunity(forContact);
    expect(c?.values[O.customer]).toEqual({ logicalName: Tables.contact.logicalName, id: contactId, name: "Ada Lovelace" });
    // A new org's base currency is USD.
    expect(c?.values[O.transactionCurrency]?.name).toBe("US Dollar");
  });

  it("binding a lookup to a row that does not exist fails with not found", async () => {
    await expect(
      fixture.client.createOpportunity({ [O.name]: "x", [O.parentAccount]: { logicalName: Tables.account.logicalName, id: randomUUID() } }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("refuses to close an opportunity by PATCHing statecode; WinOpportunity and LoseOpportunity close it", async () => {
    const { client } = fixture;
    const won = await client.createOpportunity({ [O.name]: "Will win", [O.estimatedValue]: 7000 });
    await expect(client.updateOpportunity(won, { [O.stateCode]: OpportunityState.Won })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("WinOpportunityRequest"),
    });
    expect((await client.retrieveOpportunity(won))?.values[O.stateCode]).toBe(OpportunityState.Open);

    await client.winOpportunity(won, { actualRevenue: 7500, actualEnd: "2026-11-30" });
    const wonRow = await client.retrieveOpportunity(won);
    expect(wonRow?.values).toMatchObject({ [O.stateCode]: OpportunityState.Won, [O.statusCode]: OpportunityStatusCode.Won });
    expect(wonRow?.formatted[O.stateCode]).toBe("Won");
    await expect(client.loseOpportunity(won)).rejects.toMatchObject({ status: 400 });

    const lost = await client.createOpportunity({ [O.name]: "Will lose" });
    await client.loseOpportunity(lost, { status: OpportunityStatusCode.OutSold, description: "Chose a competitor" });
    expect((await client.retrieveOpportunity(lost))?.values).toMatchObject({ [O.stateCode]: OpportunityState.Lost, [O.statusCode]: OpportunityStatusCode.OutSold });
    await expect(client.winOpportunity(randomUUID())).rejects.toMatchObject({ status: 404 });
  });

  it("deletes a row; reading it afterwards finds nothing", async () => {
    const id = await fixture.client.createOpportunity({ [O.name]: "Short-lived" });
    await fixture.client.delete(Tables.opportunity, id);
    expect(await fixture.client.retrieveOpportunity(id)).toBeUndefined();
    await expect(fixture.client.delete(Tables.opportunity, id)).rejects.toMatchObject({ status: 404 });
  });
});
