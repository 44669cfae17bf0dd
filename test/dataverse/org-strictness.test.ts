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
