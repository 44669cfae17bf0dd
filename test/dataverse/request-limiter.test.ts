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
});
