/**
 * One limiter per Dataverse identity, shared by every caller in the process (workers, reconcile,
 * backfill): Dataverse's service protection limits count per user (api-limits.md: 52 requests at
 * once, 6,000 per 5 minutes), so the callers of one identity must pace themselves together.
 * Concurrency adapts (AIMD): a 429 halves it and holds every new request until its Retry-After has
 * passed; a run of successes raises it by one, up to the documented 52.
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
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RequestLimiter {
  private readonly limit: LimitFunction;
  private readonly max: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** No request starts before this time (the last 429's Retry-After). */
  private resumeAt = 0;
  private successes = 0;
  /** 429s seen, for figures and tests. */
  throttles = 0;

  constructor(options: LimiterOptions = {}) {
    this.max = options.maxConcurrency ?? DATAVERSE_MAX_CONCURRENCY;
    this.limit = pLimit(Math.min(this.max, options.initialConcurrency ?? 16));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  get concurrency(): number {
    return this.limit.concurrency;
  }

  /** Runs one request when a slot is free and no Retry-After is pending. */
  run<T>(request: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      for (let wait = this.resumeAt - this.now(); wait > 0; wait = this.resumeAt - this.now()) await this.sleep(wait);
      return request();
    });
  }

  /** A 429: fewer at once, and nobody starts before Retry-After has passed. */
  throttled(retryAfterMs: number): void {
    this.throttles += 1;
    this.successes = 0;
    this.limit.concurrency = Math.max(1, Math.floor(this.limit.concurrency / 2));
    this.resumeAt = Math.max(this.resumeAt, this.now() + retryAfterMs);
  }

  /** A request got through: after as many successes as there are slots, one slot more. */
  succeeded(): void {
    this.successes += 1;
    if (this.successes >= this.limit.concurrency && this.limit.concurrency < this.max) {
      this.successes = 0;
      this.limit.concurrency += 1;
    }
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
