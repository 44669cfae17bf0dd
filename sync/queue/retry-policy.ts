/**
 * When a failed sync job runs again. Exponential backoff with full jitter (so a 429 storm does not
 * come back in lockstep), never sooner than the server's Retry-After, capped. Only errors that say
 * they are retryable are retried; everything else goes straight to the record as an Error.
 */

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000 };

/** What the queue needs to know about an error; typed client errors carry these fields. */
export interface ErrorTraits {
  retryable: boolean;
  retryAfterMs?: number;
}

export function errorTraits(error: unknown): ErrorTraits {
  if (error && typeof error === "object") {
    const candidate = error as { retryable?: unknown; retryAfterMs?: unknown };
    if (typeof candidate.retryable === "boolean") {
      return {
        retryable: candidate.retryable,
        retryAfterMs: typeof candidate.retryAfterMs === "number" ? candidate.retryAfterMs : undefined,
      };
    }
  }
  // An error we do not know is a bug or a broken record: retrying would only repeat it.
  return { retryable: false };
}

/** Delay before attempt `attempts + 1`, given `attempts` tries so far (1 = the first try failed). */
export function retryDelayMs(attempts: number, traits: ErrorTraits, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exponential * (0.5 + random() / 2));
  return Math.min(policy.maxDelayMs, Math.max(jittered, traits.retryAfterMs ?? 0));
}

export type RetryDecision = { action: "retry"; delayMs: number } | { action: "give-up"; reason: "not-retryable" | "out-of-attempts" };

export function decideRetry(attempts: number, error: unknown, policy: RetryPolicy, random?: () => number): RetryDecision {
  const traits = errorTraits(error);
  if (!traits.retryable) return { action: "give-up", reason: "not-retryable" };
  if (attempts >= policy.maxAttempts) return { action: "give-up", reason: "out-of-attempts" };
  return { action: "retry", delayMs: retryDelayMs(attempts, traits, policy, random) };
}
