/**
 * The lookup that keeps a crashed share from creating a second referral must see referrals the
 * connector cannot read: one that could be the match stops the lookup with an error instead of
 * answering "none". Where Partner Center refuses the `externalReferenceId eq` filter, the scan that
 * replaces it stops at the opportunity's creation instead of reading the whole tenant.
 */
import { describe, expect, it } from "vitest";
import { ReferralsClient } from "../../sync/partner-center/referrals-client";
import { StaticTokenProvider } from "../../sync/partner-center/token-provider";
import { recordedReferral } from "../fixtures/partner-center/recorded-referrals";

const BASE = "https://api.partner.microsoft.com";
const PAGE_SIZE = 2;

function referral(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const created = new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
  return { ...recordedReferral("won-percentage-stage.json"), id: `ref-${n}`, externalReferenceId: `opp-${n}`, createdDateTime: created, updatedDateTime: created, ...overrides };
}

/** A Partner Center answering list calls from `referrals`, optionally refusing the externalReferenceId filter. */
function fakePartnerCenter(referrals: Record<string, unknown>[], options: { refuseFilter: boolean }) {
  const requests: string[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(String(input));
    requests.push(url.search);
    const filter = url.searchParams.get("$filter");
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (filter && options.refuseFilter) return json(400, { error: { code: "invalidRequest", message: "Unsupported filter", target: "$filter" } });
    let rows = [...referrals].sort((a, b) => String(b.createdDateTime).localeCompare(String(a.createdDateTime)));
    const wanted = filter ? /externalReferenceId eq '(.*)'/.exec(filter)?.[1] : undefined;
    if (wanted) rows = rows.filter((row) => row.externalReferenceId === wanted);
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
    const next = skip + PAGE_SIZE < rows.length ? `http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=${skip + PAGE_SIZE}` : undefined;
    return json(200, { value: rows.slice(skip, skip + PAGE_SIZE), ...(next ? { "@odata.nextLink": next } : {}) });
  };
  const client = new ReferralsClient({ baseUrl: BASE, tokenProvider: new StaticTokenProvider("t"), fetch, retry: { maxAttempts: 1 } });
  return { client, requests };
}

describe("findByExternalReferenceId with a referral it cannot read", () => {
  const unreadableMatch = referral(5, { id: "ref-unreadable", externalReferenceId: "opp-wanted", substatus: "OnHold" });

  it.each([true, false])("throws instead of answering none when the match is unreadable (filter refused: %s)", async (refuseFilter) => {
    const { client } = fakePartnerCenter([referral(1), unreadableMatch, referral(7)], { refuseFilter });
    await expect(client.findByExternalReferenceId("opp-wanted")).rejects.toMatchObject({
      code: "unreadableReferral",
      message: expect.stringMatching(/ref-unreadable.*will not create another/),
    });
  });

  it("an unreadable referral of another opportunity does not block the lookup", async () => {
    const { client } = fakePartnerCenter([referral(1), referral(5, { id: "ref-unreadable", substatus: "OnHold" }), referral(7)], { refuseFilter: true });
    expect(await client.findByExternalReferenceId("opp-nothing")).toBeUndefined();
    expect((await client.findByExternalReferenceId("opp-1"))?.id).toBe("ref-1");
  });
});

describe("findByExternalReferenceId when the filter is refused", () => {
  it("scans newest first only down to the opportunity's creation (an hour's clock slack)", async () => {
    const referrals = Array.from({ length: 20 }, (_, n) => referral(n));
    const { client, requests } = fakePartnerCenter(referrals, { refuseFilter: true });
    // The opportunity was created on 18 January: the scan reads the page that reaches past that, no further.
    expect(await client.findByExternalReferenceId("opp-none", { notBefore: new Date(Date.UTC(2026, 0, 18)).toISOString() })).toBeUndefined();
    const listings = requests.filter((search) => !search.includes("filter"));
    expect(listings.length).toBeLessThanOrEqual(2);
    expect(listings[0]).toContain("createdDateTime+desc");
  });

  it("without a creation time it still reads everything rather than miss the referral", async () => {
    const referrals = Array.from({ length: 20 }, (_, n) => referral(n));
    const { client, requests } = fakePartnerCenter(referrals, { refuseFilter: true });
    expect((await client.findByExternalReferenceId("opp-0"))?.id).toBe("ref-0");
    expect(requests.filter((search) => !search.includes("filter"))).toHaveLength(10);
  });
});
