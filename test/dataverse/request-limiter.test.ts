/**
 * One limiter per Dataverse identity: callers of one identity share it, it never has more requests in
 * flight than its concurrency, a 429 halves that, and successes raise it again. Against the stand-in's service protection limits, a burst of
 * reads that would exceed the concurrent limit all succeed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpportunityStandardColumns as O, Tables } from "../../entities";
import { DataverseClient, RequestLimiter, StaticTokenProvider } from "../../sync/dataverse";
import { startFixture, type Fixture } from "./sandbox-fixture";

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe("RequestLimiter", () => {
  it("keeps at most its concurrency in flight", async () => {
    const limiter = new RequestLimiter({ initialConcurrency: 3 });
    let active = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 12 }, () => limiter.run(async () => {
      active += 1;
      most = Math.max(most, active);
      await tick();
      active -= 1;
    })));
    expect(most).toBe(3);
  });

  it("each 429 halves the concurrency, down to one", () => {
    const limiter = new RequestLimiter({ initialConcurrency: 8 });
    limiter.throttled();
    expect(limiter.concurrency).toBe(4);
    for (let i = 0; i < 5; i += 1) limiter.throttled();
    expect(limiter.concurrency).toBe(1);
  });

  it("a Retry-After of minutes holds the whole identity until then; one of a second holds nobody", () => {
    let now = 1_000_000;
    const limiter = new RequestLimiter({ initialConcurrency: 8, now: () => now });
    limiter.throttled(1000);
    expect(limiter.heldForMs()).toBe(0);
    limiter.throttled(240_000);
    expect(limiter.heldForMs()).toBe(240_000);
    now += 200_000;
    expect(limiter.heldForMs()).toBe(40_000);
    now += 40_000;
    expect(limiter.heldForMs()).toBe(0);
  });

  it("little execution time left in the window: halves the concurrency and stops growing until it recovers", () => {
    let now = 0;
    const limiter = new RequestLimiter({ initialConcurrency: 32, now: () => now });
    limiter.observe({ "x-ms-ratelimit-time-remaining-xrm-requests": "1100000.00" });
    limiter.succeeded();
    expect(limiter.concurrency).toBe(33);
    limiter.observe({ "x-ms-ratelimit-time-remaining-xrm-requests": "200000.00" });
    expect(limiter.concurrency).toBe(16);
    // Answers already in flight carry the same news: no second halving within two seconds.
    limiter.observe({ "x-ms-ratelimit-time-remaining-xrm-requests": "190000.00" });
    limiter.succeeded();
    expect(limiter.concurrency).toBe(16);
    now += 2_000;
    limiter.observe({ "x-ms-ratelimit-time-remaining-xrm-requests": "180000.00" });
    expect(limiter.concurrency).toBe(8);
    limiter.observe({ "x-ms-ratelimit-time-remaining-xrm-requests": "900000.00" });
    limiter.succeeded();
    expect(limiter.concurrency).toBe(9);
  });

  it("each success raises the concurrency by one, never above Dataverse's 52", async () => {
    const limiter = new RequestLimiter({ initialConcurrency: 40 });
    limiter.succeeded();
    expect(limiter.concurrency).toBe(41);
    for (let i = 0; i < 200; i += 1) limiter.succeeded();
    expect(limiter.concurrency).toBe(52);
  });
});

describe("the identity's limiter against service protection limits", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture({ serviceProtection: { concurrent: 3 } });
  });
  afterAll(() => fixture.sandbox.close());

  it("is shared by every client of one identity", () => {
    const tokens = new StaticTokenProvider("one-identity");
    const a = new DataverseClient({ orgUrl: fixture.sandbox.url, tokens });
    const b = new DataverseClient({ orgUrl: fixture.sandbox.url, tokens });
    const other = new DataverseClient({ orgUrl: fixture.sandbox.url, tokens: new StaticTokenProvider("another-identity") });
    expect(a.transport.limiter).toBe(b.transport.limiter);
    expect(other.transport.limiter).not.toBe(a.transport.limiter);
  });

  it("gets a burst wider than the concurrent limit through, slowing down at each 429", async () => {
    const tokens = new StaticTokenProvider("burst-identity");
    const client = new DataverseClient({ orgUrl: fixture.sandbox.url, tokens, transport: { maxThrottleRetries: 10 } });
    const id = await client.createOpportunity({ [O.name]: "Read many times" });
    fixture.sandbox.faults.set({ latencyMs: 30 });
    try {
      const reads = await Promise.all(Array.from({ length: 40 }, () => client.retrieve<Record<string, unknown>>(Tables.opportunity, id, [O.name])));
      expect(reads.every((read) => read?.values[O.name] === "Read many times")).toBe(true);
    } finally {
      fixture.sandbox.faults.set({});
    }
    // The stand-in refused some (more than 3 at once): the limiter saw those 429s and halved each time.
    expect(client.transport.limiter.throttles).toBeGreaterThan(0);
  });

  it("a new client reads a known table without asking EntityDefinitions for its entity set name first", async () => {
    const id = await fixture.client.createOpportunity({ [O.name]: "No metadata call" });
    fixture.sandbox.counters.reset();
    const fresh = new DataverseClient({ orgUrl: fixture.sandbox.url, tokens: new StaticTokenProvider("fresh-identity") });
    expect((await fresh.retrieve<Record<string, unknown>>(Tables.opportunity, id, [O.name]))?.values[O.name]).toBe("No metadata call");
    // The one request is the read itself (metadata reads would count under "GET /api/data/v9.2/EntityDefinitions…").
    expect(fixture.sandbox.counters.snapshot()).toEqual({ "GET /api/data/v9.2/opportunities(:key)": 1 });
  });

  it("a spent request quota: the identity waits out Retry-After once, then every read succeeds; a caller that waits less is told how long", async () => {
    const spent = await startFixture({ serviceProtection: { requests: 5, windowMs: 6_000 } });
    try {
      const tokens = new StaticTokenProvider("quota-identity");
      const patient = new DataverseClient({ orgUrl: spent.sandbox.url, tokens, transport: { maxRetryAfterMs: 10_000 } });
      const id = await patient.createOpportunity({ [O.name]: "Quota" });
      const started = Date.now();
      const reads = await Promise.all(Array.from({ length: 8 }, () => patient.retrieve<Record<string, unknown>>(Tables.opportunity, id, [O.name])));
      expect(reads.every((read) => read?.values[O.name] === "Quota")).toBe(true);
      // Five requests per 6 s: the last reads had to wait for the window to move on.
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
      // Same identity, a caller that waits at most a second (a sync job): refused with the wait to reschedule by…
      const hasty = new DataverseClient({ orgUrl: spent.sandbox.url, tokens, transport: { maxRetryAfterMs: 1_000 } });
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => hasty.retrieve(Tables.opportunity, id, [O.name])));
      const refusals = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as { status: number; retryAfterMs?: number; retryable: boolean }] : []));
      expect(refusals.length).toBeGreaterThan(0);
      for (const refused of refusals) {
        expect(refused, String((refused as unknown as Error).message)).toMatchObject({ status: 429, retryable: true });
        expect(refused.retryAfterMs).toBeGreaterThan(1_000);
      }
      // …and while the quota is spent, nothing more is sent to collect another 429.
      const sentBefore = JSON.stringify(spent.sandbox.counters.snapshot());
      await expect(hasty.retrieve(Tables.opportunity, id, [O.name])).rejects.toMatchObject({ status: 429 });
      expect(JSON.stringify(spent.sandbox.counters.snapshot())).toBe(sentBefore);
    } finally {
      await spent.sandbox.close();
    }
  }, 30_000);
});
