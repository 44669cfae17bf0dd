/** The referrals client against the Partner Center sandbox, over real HTTP on 127.0.0.1. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { PartnerCenterError } from "../../sync/partner-center/partner-center-error";
import type { Referral } from "../../sync/partner-center/referral-types";
import { ReferralsClient } from "../../sync/partner-center/referrals-client";
import { clientFor, sampleReferral } from "./partner-center-test-kit";

let sandbox: PartnerCenterSandbox;
let client: ReferralsClient;

beforeAll(async () => {
  sandbox = await startPartnerCenterSandbox();
  client = clientFor(sandbox.url);
});
afterAll(async () => sandbox.close());
beforeEach(() => sandbox.reset());

async function caught(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PartnerCenterError);
  return error as PartnerCenterError;
}

async function rawRequest(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sandbox.url}${path}`, { ...init, headers: { authorization: "Bearer t", "content-type": "application/json", ...init.headers } });
}

describe("create and read", () => {
  it("creates an outgoing referral that starts Active/Accepted with an eTag, and reads it back", async () => {
    const created = await client.create(sampleReferral());
    expect(created).toMatchObject({ status: "Active", substatus: "Accepted", direction: "Outgoing", externalReferenceId: "opportunity-1" });
    expect(created.eTag).toMatch(/^".+"$/);
    expect(created.createdDateTime).toBe(created.updatedDateTime);
    const read = await client.get(created.id);
    expect(read).toEqual(created);
    expect(await client.findByExternalReferenceId("opportunity-1")).toMatchObject({ id: created.id });
    expect(await client.findByExternalReferenceId("nope")).toBeUndefined();
  });

  it("answers 400 invalidRequest with the documented error body naming every missing required field", async () => {
    const response = await rawRequest("/v1.0/engagements/referrals", { method: "POST", body: JSON.stringify({ name: "x", type: "Independent" }) });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toEqual({
      error: { code: "invalidRequest", message: "The following required fields are missing: customerProfile, consent, details", target: "customerProfile" },
    });
    const error = await caught(client.create({ name: "x" } as never));
    expect(error).toMatchObject({ status: 400, code: "invalidRequest", retryable: false });
    expect(error.requestId).toBeTruthy();
  });

  it("rejects a co-sell referral without a solution and a country that is not ISO alpha-2", async () => {
    const noSolution = sampleReferral({ details: { dealValue: 1, currency: "USD" } });
    expect((await caught(client.create(noSolution))).message).toMatch(/at least one solution/);
    const badCountry = sampleReferral();
    badCountry.customerProfile.address = { country: "USA" };
    expect((await caught(client.create(badCountry))).message).toMatch(/ISO 3166 alpha-2/);
  });

  it("answers 404 itemNotFound for an unknown id", async () => {
    expect(await caught(client.get("00000000-0000-0000-0000-000000000000"))).toMatchObject({ status: 404, code: "itemNotFound" });
  });

  it("answers 401 unauthenticated without a bearer token", async () => {
    const response = await fetch(`${sandbox.url}/v1.0/engagements/referrals`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "unauthenticated" } });
    const noToken = clientFor(sandbox.url, { maxAttempts: 1 }, "");
    expect(await caught(noToken.get("x"))).toMatchObject({ status: 401, code: "unauthenticated" });
  });
});

describe("list: $filter, $orderby, paging", () => {
  async function seed(count: number): Promise<Referral[]> {
    const created: Referral[] = [];
    for (let i = 0; i < count; i++) {
      const referral = sampleReferral({ externalReferenceId: `opp-${i}`, name: `deal ${i}` });
      if (i % 2 === 1) referral.customerProfile.address = { ...referral.customerProfile.address, country: "GB" };
      created.push(await client.create(referral));
    }
    return created;
  }

  it("pages as documented: nextLink is http://<host>/v1.0/referrals?$skiptoken=… and $top is a total", async () => {
    const small = await startPartnerCenterSandbox({ pageSize: 3 });
    try {
      const smallClient = clientFor(small.url);
      const created: Referral[] = [];
      for (let i = 0; i < 7; i++) created.push(await smallClient.create(sampleReferral({ externalReferenceId: `opp-${i}`, name: `deal ${i}` })));

      const first = (await (await fetch(`${small.url}/v1.0/engagements/referrals`, { headers: { authorization: "Bearer t" } })).json()) as Record<string, unknown>;
      // The documented form: plain http, the short path, the query only in the token.
      expect(first["@odata.nextLink"]).toMatch(new RegExp(`^http://${new URL(small.url).host}/v1\\.0/referrals\\?\\$skiptoken=[^&]+$`));

      const pages = [];
      for await (const page of smallClient.pages()) pages.push(page);
      expect(pages.map((page) => page.value.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap((page) => page.value.map((referral) => referral.id))).toEqual(created.map((referral) => referral.id));

      const firstFive = [];
      for await (const page of smallClient.pages({ top: 5 })) firstFive.push(page.value.length);
      expect(firstFive).toEqual([3, 2]);
    } finally {
      await small.close();
    }
  });

  it("filters on nested paths, enums and and/or, and orders by updatedDateTime desc", async () => {
    const created = await seed(4);
    const gb = [];
    for await (const referral of client.list({ filter: "customerProfile/address/country eq 'GB' and direction eq 'Outgoing'" })) gb.push(referral.name);
    expect(gb).toEqual(["deal 1", "deal 3"]);

    const either = [];
    for await (const referral of client.list({ filter: "(externalReferenceId eq 'opp-0' or externalReferenceId eq 'opp-2') and status ne 'Closed'" })) either.push(referral.name);
    expect(either).toEqual(["deal 0", "deal 2"]);

    const touched = await client.patch(created[0]!.id, [{ op: "replace", path: "/name", value: "deal 0 renamed" }], { eTag: created[0]!.eTag });
    const changedSince = [];
    for await (const referral of client.list({ filter: `updatedDateTime gt ${created[3]!.updatedDateTime}` })) changedSince.push(referral.id);
    expect(changedSince).toEqual([touched.id]);

    const newestFirst = [];
    for await (const referral of client.list({ orderBy: "updatedDateTime desc", top: 2 })) newestFirst.push(referral.name);
    // $top is the total to return, not a page size.
    expect(newestFirst).toEqual(["deal 0 renamed", "deal 3"]);

    const byContact = [];
    for await (const referral of client.list({ filter: "customerProfile/team/any(t:t/email eq 'ana@contoso.example') and externalReferenceId eq 'opp-1'" })) byContact.push(referral.name);
    expect(byContact).toEqual(["deal 1"]);
  });

  it("answers 400 for a malformed $filter and an unsupported $orderby", async () => {
    expect(await caught(client.list({ filter: "status eq" }).next())).toMatchObject({ status: 400, code: "invalidRequest", target: "$filter" });
    expect(await caught(client.list({ orderBy: "name asc" }).next())).toMatchObject({ status: 400, target: "$orderby" });
  });
});

describe("updates: eTag, PUT, PATCH", () => {
  it("changes the eTag and updatedDateTime on every write and rejects a stale eTag with 412 preconditionFailed", async () => {
    const created = await client.create(sampleReferral());
    const first = await client.patch(created.id, [{ op: "replace", path: "/details/dealValue", value: "12000" }], { eTag: created.eTag });
    expect(first.details.dealValue).toBe(12000);
    expect(first.eTag).not.toBe(created.eTag);
    expect(Date.parse(first.updatedDateTime)).toBeGreaterThan(Date.parse(created.updatedDateTime));

    const stale = await caught(client.patch(created.id, [{ op: "replace", path: "/details/notes", value: "lost update" }], { eTag: created.eTag }));
    expect(stale).toMatchObject({ status: 412, code: "preconditionFailed", isConflict: true, retryable: false });
    expect((await client.get(created.id)).details.notes).toBe("first notes");

    // The documented recovery: re-read, then write with the fresh eTag.
    const fresh = await client.get(created.id);
    const retried = await client.patch(created.id, [{ op: "replace", path: "/details/notes", value: "merged" }], { eTag: fresh.eTag });
    expect(retried.details.notes).toBe("merged");
  });

  it("PATCH without If-Match is applied unconditionally; without Prefer it answers 204 with the new ETag", async () => {
    const created = await client.create(sampleReferral());
    const response = await rawRequest(`/v1.0/engagements/referrals/${created.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json-patch+json" },
      body: JSON.stringify([{ op: "add", path: "/team/-", value: { firstName: "Sam", email: "sam@partner.example" } }]),
    });
    expect(response.status).toBe(204);
    const etag = response.headers.get("etag");
    const read = await client.get(created.id);
    expect(read.eTag).toBe(etag);
    expect(read.team?.at(-1)).toMatchObject({ email: "sam@partner.example" });
  });

  it("PATCH rejects operations other than replace/add and server-managed paths", async () => {
    const created = await client.create(sampleReferral());
    const remove = await rawRequest(`/v1.0/engagements/referrals/${created.id}`, { method: "PATCH", body: JSON.stringify([{ op: "remove", path: "/name" }]) });
    expect(remove.status).toBe(400);
    expect(await caught(client.patch(created.id, [{ op: "replace", path: "/eTag", value: "x" }]))).toMatchObject({ status: 400, target: "/eTag" });
  });

  it("PUT needs If-Match, replaces the referral and keeps server-managed fields", async () => {
    const created = await client.create(sampleReferral());
    const noIfMatch = await rawRequest(`/v1.0/engagements/referrals/${created.id}`, { method: "PUT", body: JSON.stringify(created) });
    expect(noIfMatch.status).toBe(400);
    expect(await noIfMatch.json()).toMatchObject({ error: { code: "invalidRequest", target: "If-Match" } });

    const replaced = await client.replace({ ...created, name: "renamed by PUT", createdDateTime: "2000-01-01T00:00:00Z" });
    expect(replaced).toMatchObject({ name: "renamed by PUT", createdDateTime: created.createdDateTime });
    expect(await caught(client.replace({ ...created, name: "stale" }))).toMatchObject({ status: 412 });
  });

  it("refuses to take back consent to share with Microsoft sellers", async () => {
    const created = await client.create(sampleReferral());
    const error = await caught(client.patch(created.id, [{ op: "replace", path: "/consent/consentToShareReferralWithMicrosoftSellers", value: false }], { eTag: created.eTag }));
    expect(error.message).toMatch(/cannot be unshared/);
  });
});

describe("status transitions", () => {
  async function inbound(): Promise<Referral> {
    const response = await fetch(`${sandbox.url}/_sandbox/microsoft/referrals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Fabrikam – PoC" }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Referral;
  }

  it("a Microsoft inbound referral arrives Incoming, New/Pending, invited by msft, expiring in 14 days", async () => {
    const referral = await inbound();
    expect(referral).toMatchObject({ direction: "Incoming", status: "New", substatus: "Pending", inviteContext: { invitedBy: { organizationId: "msft" } } });
    expect(Date.parse(referral.expirationDateTime!) - Date.parse(referral.createdDateTime)).toBe(14 * 86_400_000);
    const unanswered = [];
    for await (const each of client.list({ filter: "direction eq 'Incoming' and substatus eq 'Pending'" })) unanswered.push(each.id);
    expect(unanswered).toEqual([referral.id]);
  });

  it("accept then win; a Closed referral rejects any further update", async () => {
    const referral = await inbound();
    const accepted = await client.changeStatus(referral, { status: "Active", substatus: "Accepted" });
    expect(accepted).toMatchObject({ status: "Active", substatus: "Accepted" });
    expect(accepted.acceptedDateTime).toBeTruthy();
    const won = await client.changeStatus(accepted, { status: "Closed", substatus: "Won" });
    expect(won).toMatchObject({ status: "Closed", substatus: "Won" });

    const rejected = await caught(client.patch(won.id, [{ op: "replace", path: "/details/notes", value: "after close" }], { eTag: won.eTag }));
    expect(rejected).toMatchObject({ status: 400, code: "invalidRequest", target: "status" });
    expect(rejected.message).toMatch(/terminal state/);
    // The client checks the table before sending, too.
    await expect(client.changeStatus(won, { status: "Active", substatus: "Accepted" })).rejects.toThrow(/terminal state/);
  });

  it("decline needs a reason and records it; lost is Closed/Lost with its reason", async () => {
    const referral = await inbound();
    const noReason = await caught(client.patch(referral.id, [
      { op: "replace", path: "/status", value: "Closed" },
      { op: "replace", path: "/substatus", value: "Declined" },
    ], { eTag: referral.eTag }));
    expect(noReason.target).toBe("statusReason");
    const declined = await client.changeStatus(referral, { status: "Closed", substatus: "Declined", statusReason: "Customer chose another vendor" });
    expect(declined).toMatchObject({ status: "Closed", substatus: "Declined", statusReason: "Customer chose another vendor" });

    const own = await client.create(sampleReferral());
    const lost = await client.changeStatus(own, { status: "Closed", substatus: "Lost", statusReason: "Project budget isn't adequate" });
    expect(lost).toMatchObject({ status: "Closed", substatus: "Lost" });
  });

  it("rejects pairs outside the table (Active/Won) and moves back to New", async () => {
    const own = await client.create(sampleReferral());
    const badPair = await caught(client.patch(own.id, [{ op: "replace", path: "/substatus", value: "Won" }], { eTag: own.eTag }));
    expect(badPair.message).toMatch(/substatus Won is not allowed with status Active/);
    const backwards = await caught(client.patch(own.id, [
      { op: "replace", path: "/status", value: "New" },
      { op: "replace", path: "/substatus", value: "Pending" },
    ]));
    expect(backwards.message).toMatch(/cannot move from Active to New/);
  });

  it("expires unanswered invitations after 14 days, on demand", async () => {
    const referral = await inbound();
    const tooEarly = await fetch(`${sandbox.url}/_sandbox/microsoft/expire`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(((await tooEarly.json()) as { expired: unknown[] }).expired).toHaveLength(0);
    const asOf = new Date(Date.parse(referral.createdDateTime) + 15 * 86_400_000).toISOString();
    const later = await fetch(`${sandbox.url}/_sandbox/microsoft/expire`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ asOf }) });
    expect(((await later.json()) as { expired: Referral[] }).expired.map((each) => each.id)).toEqual([referral.id]);
    expect(await client.get(referral.id)).toMatchObject({ status: "Closed", substatus: "Expired" });
  });

  it("Microsoft's side of the engagement is listed through the relatedReferrals filter and is read-only to the partner", async () => {
    const own = await client.create(sampleReferral());
    const response = await fetch(`${sandbox.url}/_sandbox/microsoft/engagements/${own.engagementId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "Active", substatus: "Accepted", externalReferenceId: "MSX-123", team: [{ firstName: "Mia", email: "mia@microsoft.example" }] }),
    });
    expect(response.status).toBe(200);
    const microsoftSide = (await response.json()) as Referral;
    expect(microsoftSide).toMatchObject({ target: [{ id: "msft" }], engagementId: own.engagementId, status: "Active", externalReferenceId: "MSX-123" });

    const plain = [];
    for await (const each of client.list()) plain.push(each.id);
    expect(plain).toEqual([own.id]);
    const related = [];
    for await (const each of client.list({ filter: `engagementId eq '${own.engagementId}'` })) related.push(each.id);
    expect(related.sort()).toEqual([own.id, microsoftSide.id].sort());
    expect(await caught(client.patch(microsoftSide.id, [{ op: "replace", path: "/name", value: "x" }]))).toMatchObject({ status: 403, code: "accessDenied" });
  });
});

describe("fault injection and retries", () => {
  it("a 429 carries Retry-After, the typed error exposes it, and the retrying client waits that long", async () => {
    const key = "GET /v1.0/engagements/referrals/:id";
    const referral = await client.create(sampleReferral());
    sandbox.faults.set({ throttleRate: 1, retryAfterSeconds: 1 });
    expect(await caught(client.get(referral.id))).toMatchObject({ status: 429, code: "tooManyRequests", retryable: true, retryAfterMs: 1000 });

    sandbox.counters.reset();
    const retrying = clientFor(sandbox.url, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5_000 });
    // Lift the throttle as soon as the first call has been answered 429: only honouring Retry-After
    // can then explain a ~1 s wait (the backoff alone would be ~1 ms).
    const lift = setInterval(() => {
      if (sandbox.counters.snapshot()[key]) sandbox.faults.set({});
    }, 5);
    const started = performance.now();
    try {
      expect((await retrying.get(referral.id)).id).toBe(referral.id);
    } finally {
      clearInterval(lift);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(sandbox.counters.snapshot()[key]).toBe(2);
  });

  it("retries 503s with backoff up to the cap, and never retries a 412", async () => {
    const referral = await client.create(sampleReferral());
    sandbox.faults.set({ serverErrorRate: 1 });
    sandbox.counters.reset();
    const retrying = clientFor(sandbox.url, { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 });
    expect(await caught(retrying.get(referral.id))).toMatchObject({ status: 503, code: "serviceNotAvailable", retryable: true });
    expect(sandbox.counters.snapshot()["GET /v1.0/engagements/referrals/:id"]).toBe(3);

    sandbox.faults.set({ preconditionRaceRate: 1 });
    sandbox.counters.reset();
    expect(await caught(retrying.patch(referral.id, [{ op: "replace", path: "/name", value: "x" }], { eTag: referral.eTag }))).toMatchObject({ status: 412 });
    expect(sandbox.counters.snapshot()["PATCH /v1.0/engagements/referrals/:id"]).toBe(1);
    expect((await client.get(referral.id)).name).toBe(referral.name);
  });

  it("sends client-request-id and MS-CorrelationId, and counts calls per endpoint over HTTP", async () => {
    sandbox.counters.reset();
    const response = await rawRequest("/v1.0/engagements/referrals", { headers: { "client-request-id": "abc" } });
    expect(response.headers.get("client-request-id")).toBe("abc");
    expect(response.headers.get("request-id")).toBeTruthy();
    await client.get("missing").catch(() => undefined);
    const counters = (await (await fetch(`${sandbox.url}/_sandbox/counters`)).json()) as Record<string, number>;
    expect(counters).toEqual({ "GET /v1.0/engagements/referrals": 1, "GET /v1.0/engagements/referrals/:id": 1 });
  });
});

describe("co-sell rules the portal states, held by the stand-in on every referral", () => {
  async function inbound(body: Record<string, unknown>): Promise<Referral> {
    const response = await fetch(`${sandbox.url}/_sandbox/microsoft/referrals`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    return (await response.json()) as Referral;
  }

  it("a create must state each of the four consent flags: one left out or null is a 400 naming it", async () => {
    for (const consent of [{ ...sampleReferral().consent, consentToContact: undefined }, { ...sampleReferral().consent, consentToContact: null }]) {
      const response = await rawRequest("/v1.0/engagements/referrals", { method: "POST", body: JSON.stringify(sampleReferral({ consent })) });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: "invalidRequest", message: expect.stringMatching(/missing: consentToContact$/), target: "consent/consentToContact" } });
    }
  });

  it("partner role, solution area and solution play come together, in either place", async () => {
    const roleOnly = sampleReferral({ details: { ...sampleReferral().details, requirements: { solutions: [{ id: "SOL-12345-ABC", type: "Name" }], additionalRequirements: { partnerRole: "DeploymentServices" } } } });
    expect(await caught(client.create(roleOnly))).toMatchObject({ status: 400, code: "invalidRequest", message: expect.stringMatching(/missing: solutionArea, solutionPlay/) });
    const split = sampleReferral({
      details: {
        ...sampleReferral().details,
        additionalRequirements: { partnerRole: "DeploymentServices" },
        requirements: { solutions: [{ id: "SOL-12345-ABC", type: "Name" }], additionalRequirements: { solutionArea: "CloudAndAIPlatforms", solutionPlay: "MigrateAndModernizeYourEstate" } },
      },
    });
    const created = await client.create(split);
    const unpaired = await caught(client.patch(created.id, [{ op: "replace", path: "/details/requirements/additionalRequirements/solutionPlay", value: null }], { eTag: created.eTag }));
    expect(unpaired).toMatchObject({ status: 400, message: expect.stringMatching(/missing: solutionPlay/) });
  });

  it("the help asked of Microsoft is read-only once chosen: neither changed nor withdrawn", async () => {
    const created = await client.create(sampleReferral());
    for (const value of ["QuotesOrLicensing", "Unknown"]) {
      const refused = await caught(client.patch(created.id, [{ op: "replace", path: "/inviteContext/assistanceRequestCode", value }], { eTag: created.eTag }));
      expect(refused).toMatchObject({ status: 400, code: "invalidRequest", target: "inviteContext/assistanceRequestCode" });
    }
    const none = await client.create(sampleReferral({ externalReferenceId: "opportunity-2", inviteContext: { assistanceRequestCode: "Unknown" } }));
    expect((await client.patch(none.id, [{ op: "replace", path: "/inviteContext/assistanceRequestCode", value: "QuotesOrLicensing" }], { eTag: none.eTag })).inviteContext?.assistanceRequestCode).toBe("QuotesOrLicensing");
  });

  it("an incoming referral is held to the help and services co-sell rules too", async () => {
    const referral = await inbound({ name: "Fabrikam – PoC", inviteContext: { assistanceRequestCode: "GeneralOrOther" }, details: { dealValue: 1, currency: "USD", requirements: { solutions: [{ id: "SOL-12345-ABC", type: "Name" }] } }, customerProfile: { name: "Fabrikam", address: { country: "US" }, team: [{ firstName: "Ana", lastName: "Ruiz", email: "ana@fabrikam.example" }] } });
    const helpChanged = await caught(client.patch(referral.id, [{ op: "replace", path: "/inviteContext/assistanceRequestCode", value: "QuotesOrLicensing" }], { eTag: referral.eTag }));
    expect(helpChanged).toMatchObject({ status: 400, target: "inviteContext/assistanceRequestCode" });
    const roleOnly = await caught(client.patch(referral.id, [{ op: "add", path: "/details/additionalRequirements", value: { partnerRole: "DeploymentServices" } }], { eTag: referral.eTag }));
    expect(roleOnly).toMatchObject({ status: 400, message: expect.stringMatching(/services co-sell/) });
  });
});
