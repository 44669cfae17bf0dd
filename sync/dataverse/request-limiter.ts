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
 * Two exceptions to "each request waits on its own": a Retry-After of QUOTA_SPENT_MS or more means the
 * identity's window is spent for everyone, so the whole identity holds until then (every request sent
 * before would only collect another 429); and the documented x-ms-ratelimit-time-remaining header,
 * read on every answer, stops the growth and halves the concurrency when little execution time is left,
 * because running that budget out costs a lockout of up to the whole 5-minute window.
 */
import pLimit, { type LimitFunction } from "p-limit";
import type { DataverseTokenProvider } from "./token-provider";

/** Dataverse's limit on one user's concurrent requests. */
export const DATAVERSE_MAX_CONCURRENCY = 52;
/** Dataverse's limit on one user's combined execution time in the 5-minute window (api-limits.md). */
export const DATAVERSE_EXECUTION_MS_PER_WINDOW = 1_200_000;
/** A Retry-After this long says the quota is spent, not that one request came at a busy moment. */
export const QUOTA_SPENT_MS = 5_000;
/** Below this share of execution time left, the limiter slows down instead of growing. */
const LOW_EXECUTION_TIME_SHARE = 0.25;
/** Slowing down on the header at most this often: answers in flight all carry the same news. */
const SLOW_DOWN_EVERY_MS = 2_000;

export interface LimiterOptions {
  /** Requests in flight at first (default 16). */
  initialConcurrency?: number;
  /** Never more than this (default 52). */
  maxConcurrency?: number;
}

export class RequestLimiter {
  private readonly limit: LimitFunction;
  private readonly max: number;
  private readonly now: () => number;
  /** Until when (epoch ms) the identity's quota is spent: nobody sends before then. */
  private heldUntil = 0;
  private lastSlowDownAt = -Infinity;
  private executionTimeLow = false;
  /** 429s seen, for figures and tests. */
  throttles = 0;

  constructor(options: LimiterOptions & { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
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

  /** A 429: half as many at once; a Retry-After of QUOTA_SPENT_MS or more holds the whole identity until then. */
  throttled(retryAfterMs?: number): void {
    this.throttles += 1;
    this.limit.concurrency = Math.max(1, Math.floor(this.limit.concurrency / 2));
    if (retryAfterMs !== undefined && retryAfterMs >= QUOTA_SPENT_MS) this.heldUntil = Math.max(this.heldUntil, this.now() + retryAfterMs);
  }

  /** A request got through: one slot more, unless the execution time left is running low. */
  succeeded(): void {
    if (this.executionTimeLow) return;
    if (this.limit.concurrency < this.max) this.limit.concurrency += 1;
  }

  /** Reads the documented x-ms-ratelimit-* headers of an answer (lower-case names). */
  observe(headers: Record<string, string>): void {
    const left = Number(headers["x-ms-ratelimit-time-remaining-xrm-requests"]);
    if (!Number.isFinite(left) || headers["x-ms-ratelimit-time-remaining-xrm-requests"] === undefined) return;
    this.executionTimeLow = left < DATAVERSE_EXECUTION_MS_PER_WINDOW * LOW_EXECUTION_TIME_SHARE;
    if (!this.executionTimeLow || this.now() - this.lastSlowDownAt < SLOW_DOWN_EVERY_MS) return;
    this.lastSlowDownAt = this.now();
    this.limit.concurrency = Math.max(1, Math.floor(this.limit.concurrency / 2));
  }

  /** How long (ms) the identity must still wait before sending anything; 0 when it may send. */
  heldForMs(): number {
    return Math.max(0, this.heldUntil - this.now());
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
