/**
 * Paging and queries as Partner Center documents them: the next-page link in its documented form
 * (http, another path) followed on the configured host only, upgraded to the configured https, the
 * token never sent elsewhere; `$top` a total; the documented throttling body; and a `$filter` outside
 * the documented examples refused with a 400 without breaking the lookups that use it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { followableNextLink } from "../../sync/partner-center/next-link";
import { PartnerCenterError } from "../../sync/partner-center/partner-center-error";
import { ReferralsClient } from "../../sync/partner-center/referrals-client";
import { StaticTokenProvider } from "../../sync/partner-center/token-provider";
import { clientFor, sampleReferral } from "./partner-center-test-kit";

describe("following @odata.nextLink", () => {
  const base = "https://api.partner.microsoft.com";

  it("takes the documented http link on the same host to https, keeping its path and token", () => {
    expect(followableNextLink("http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=abc%3D", base)).toBe(
      "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=abc%3D",
    );
    expect(followableNextLink("/v1.0/referrals?$skiptoken=x", base)).toBe("https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=x");
  });

  it("refuses a link to another host or port", () => {
    for (const link of ["https://evil.example/v1.0/referrals?$skiptoken=x", "http://api.partner.microsoft.com.evil.example/v1.0/referrals", "https://api.partner.microsoft.com:8443/v1.0/referrals"]) {
      expect(() => followableNextLink(link, base), link).toThrow(/Refusing to follow/);
    }
  });

  it("never sends the bearer token to a host a page points at", async () => {
    const calls: { url: string; authorization: string | null }[] = [];
    const fakeFetch: typeof fetch = async (input, init) => {
      calls.push({ url: String(input), authorization: new Headers(init?.headers).get("authorization") });
      const body = { value: [], "@odata.nextLink": "https://collector.example/v1.0/referrals?$skiptoken=x" };
      return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
    };
    const client = new ReferralsClient({ baseUrl: base, tokenProvider: new StaticTokenProvider("secret"), fetch: fakeFetch, retry: { maxAttempts: 1 } });
    const pages = client.pages();
    await pages.next();
    await expect(pages.next()).rejects.toThrow(/Refusing to follow .*collector\.example/);
    expect(calls.map((call) => new URL(call.url).host)).toEqual(["api.partner.microsoft.com"]);
  });
});

describe("against the stand-in", () => {
  let sandbox: PartnerCenterSandbox;

  beforeAll(async () => {
    sandbox = await startPartnerCenterSandbox({ pageSize: 2, refusedFilterFields: ["externalReferenceId", "updatedDateTime"] });
  });
  afterAll(async () => sandbox.close());

  it("a refused externalReferenceId filter falls back to listing and comparing here, and is reported once", async () => {
    const refusals: string[] = [];
    const client = new ReferralsClient({
      baseUrl: sandbox.url,
      tokenProvider: new StaticTokenProvider("t"),
      retry: { maxAttempts: 1 },
      onFilterRefused: (kind) => refusals.push(kind),
    });
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await client.create(sampleReferral({ externalReferenceId: `opp-${i}`, name: `deal ${i}` })));
    // The service itself refuses the filter…
    await expect(client.list({ filter: "externalReferenceId eq 'opp-1'" }).next()).rejects.toMatchObject({ status: 400 });
    // …and the lookup still finds the referral, across pages, on every call.
    expect((await client.findByExternalReferenceId("opp-1"))?.id).toBe(created[1]!.id);
    expect((await client.findByExternalReferenceId("OPP-3"))?.id).toBe(created[3]!.id);
    expect(await client.findByExternalReferenceId("opp-404")).toBeUndefined();
    expect(refusals).toEqual(["externalReferenceId eq"]);
  });

  it("a refused updatedDateTime filter lists newest first down to the watermark and hands changes out oldest first", async () => {
    sandbox.reset();
    const client = clientFor(sandbox.url);
    const first = await client.create(sampleReferral({ externalReferenceId: "a", name: "a" }));
    const second = await client.create(sampleReferral({ externalReferenceId: "b", name: "b" }));
    const third = await client.create(sampleReferral({ externalReferenceId: "c", name: "c" }));
    const touched = await client.patch(first.id, [{ op: "replace", path: "/name", value: "a renamed" }], { eTag: first.eTag });
    const changed = [];
    for await (const referral of client.updatedSince(second.updatedDateTime)) changed.push(referral.id);
    expect(changed).toEqual([third.id, touched.id]);
  });

  it("answers throttling with the documented body, whose wait the client reads", async () => {
    sandbox.faults.set({ throttleRate: 1, retryAfterSeconds: 57 });
    try {
      const raw = await fetch(`${sandbox.url}/v1.0/engagements/referrals`, { headers: { authorization: "Bearer t" } });
      expect(raw.status).toBe(429);
      expect(await raw.json()).toEqual({ statusCode: 429, message: "Rate limit is exceeded. Try again in 57 seconds." });
      const error = await clientFor(sandbox.url).list().next().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PartnerCenterError);
      expect(error).toMatchObject({ status: 429, code: "tooManyRequests", retryAfterMs: 57_000, message: expect.stringContaining("Try again in 57 seconds") });
    } finally {
      sandbox.faults.set({});
    }
  });
});
