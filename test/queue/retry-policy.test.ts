import { describe, expect, it } from "vitest";
import { decideRetry, retryDelayMs, type RetryPolicy } from "../../sync/queue/retry-policy";

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000 };

describe("retry policy", () => {
  it("backs off exponentially with jitter between half and all of the step", () => {
    expect(retryDelayMs(1, { retryable: true }, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, { retryable: true }, policy, () => 1)).toBe(100);
    expect(retryDelayMs(4, { retryable: true }, policy, () => 1)).toBe(800);
    expect(retryDelayMs(30, { retryable: true }, policy, () => 1)).toBe(10_000);
  });

  it("never retries sooner than Retry-After", () => {
    expect(retryDelayMs(1, { retryable: true, retryAfterMs: 3000 }, policy, () => 0)).toBe(3000);
  });

  it("gives up on errors that are not retryable, and after the last attempt", () => {
    expect(decideRetry(1, Object.assign(new Error("bad request"), { retryable: false }), policy)).toEqual({ action: "give-up", reason: "not-retryable" });
    expect(decideRetry(1, new Error("a bug"), policy)).toEqual({ action: "give-up", reason: "not-retryable" });
    const throttled = Object.assign(new Error("429"), { retryable: true, retryAfterMs: 2000 });
    expect(decideRetry(2, throttled, policy, () => 0)).toEqual({ action: "retry", delayMs: 2000 });
    expect(decideRetry(5, throttled, policy)).toEqual({ action: "give-up", reason: "out-of-attempts" });
  });
});
