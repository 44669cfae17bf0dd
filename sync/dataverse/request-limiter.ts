/**
 * One limiter per Dataverse identity, shared by every caller in the process (workers, reconcile,
 * backfill): Dataverse's service protection limits count per user (api-limits.md: 52 requests at
 * once, 6,000 per 5 minutes), so the callers of one identity must pace themselves together.
 * Concurrency adapts: a 429 halves it, each success raises it by one, up to the documented 52.
 * When the quota is really spent every request gets a 429 and it falls to 1 at once; a stray 429
 * among successes costs little (raising it only once per round of successes was tried: under 5 %
 * random 429s it settled near 5 and the backend fell behind the edits it had to carry). The throttled request itself waits its Retry-After outside the limiter (the
 * transport does), so it holds no slot. (A global hold on every 429 was tried: under
 * random injected 429s it stalled all work while any request was throttled.)
 */
import pLimit, { type LimitFunction } from "p-limit";
import type { DataverseTokenProvider } from "./token-provider";

/** Dataverse's limit on one user's concurrent requests. */
export const DATAVERSE_MAX_CONCURRENCY = 52;

export interface LimiterOptions {
  /** Requests in flight at first (default 16). */
  initialConcurrency?: number;
  /** Never more than this (default 52). */
  maxConcurrency?: number;
}

export class RequestLimiter {
  private readonly limit: LimitFunction;
  private readonly max: number;
  /** 429s seen, for figures and tests. */
  throttles = 0;

  constructor(options: LimiterOptions = {}) {
    this.max = options.maxConcurrency ?? DATAVERSE_MAX_CONCURRENCY;
    this.limit = pLimit(Math.min(this.max, options.initialConcurrency ?? 16));
  }

  get concurrency(): number {
    return this.limit.concurrency;
  }

  /** Runs one request when a slot is free. */
  run<T>(request: () => Promise<T>): Promise<T> {
    return this.limit(request);
  }

  /** A 429: half as many at once. */
  throttled(): void {
    this.throttles += 1;
    this.limit.concurrency = Math.max(1, Math.floor(this.limit.concurrency / 2));
  }

  /** A request got through: one slot more. */
  succeeded(): void {
    if (this.limit.concurrency < this.max) this.limit.concurrency += 1;
  }
}

const limiters = new WeakMap<DataverseTokenProvider, RequestLimiter>();

/** The process's limiter for the identity behind `tokens` (one per token provider). */
export function limiterFor(tokens: DataverseTokenProvider, options?: LimiterOptions): RequestLimiter {
  let limiter = limiters.get(tokens);
  if (!limiter) {
    limiter = new RequestLimiter(options);
    limiters.set(tokens, limiter);
  }
  return limiter;
}
