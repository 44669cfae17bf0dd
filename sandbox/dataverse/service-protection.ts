/**
 * Dataverse's service protection limits (api-limits.md), per user (an application user counts as
 * one): requests in a 5-minute sliding window, combined execution time in that window, and requests
 * in flight at once. Over a limit the request is refused at once with 429, Retry-After and the
 * documented error code and message; every answer carries the x-ms-ratelimit-* headers. Each request
 * inside a $batch counts as a request too.
 */

export interface ServiceProtectionLimits {
  /** Requests per window (documented: 6,000). */
  requests: number;
  /** The sliding window (documented: 300 s). */
  windowMs: number;
  /** Combined execution time per window (documented: 20 minutes). */
  executionMs: number;
  /** Requests in flight at once (documented: 52). */
  concurrent: number;
}

/** Counter key prefix for refused requests (the sandbox's call counters count only served calls). */
export const SERVICE_PROTECTION_REFUSALS = "REFUSED 429";

export const DOCUMENTED_LIMITS: ServiceProtectionLimits = { requests: 6000, windowMs: 300_000, executionMs: 1_200_000, concurrent: 52 };

export interface Refusal {
  code: string;
  message: string;
  retryAfterSeconds: number;
}

interface UserUsage {
  /** Start times of the requests in the window. */
  starts: number[];
  /** Finished requests' end time and duration. */
  executions: { at: number; ms: number }[];
  inFlight: number;
}

export class ServiceProtection {
  private usage = new Map<string, UserUsage>();

  constructor(readonly limits: ServiceProtectionLimits, private readonly now: () => number = Date.now) {}

  private of(user: string): UserUsage {
    let usage = this.usage.get(user);
    if (!usage) {
      usage = { starts: [], executions: [] , inFlight: 0 };
      this.usage.set(user, usage);
    }
    const windowStart = this.now() - this.limits.windowMs;
    while ((usage.starts[0] ?? Infinity) <= windowStart) usage.starts.shift();
    while ((usage.executions[0]?.at ?? Infinity) <= windowStart) usage.executions.shift();
    return usage;
  }

  private executionTime(usage: UserUsage): number {
    return usage.executions.reduce((total, execution) => total + execution.ms, 0);
  }

  /** Admits a request (counting it and its place in flight) or says which limit refuses it. */
  admit(user: string): Refusal | null {
    const { requests, windowMs, executionMs, concurrent } = this.limits;
    const usage = this.of(user);
    const now = this.now();
    const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - now) / 1000));
    if (usage.starts.length >= requests) {
      return {
        code: "0x80072322",
        message: `Number of requests exceeded the limit of ${requests} over time window of ${windowMs / 1000} seconds.`,
        retryAfterSeconds: secondsUntil((usage.starts[0] ?? now) + windowMs),
      };
    }
    if (this.executionTime(usage) >= executionMs) {
      return {
        code: "0x80072321",
        message: `Combined execution time of incoming requests exceeded limit of ${executionMs} milliseconds over time window of ${windowMs / 1000} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
        retryAfterSeconds: secondsUntil((usage.executions[0]?.at ?? now) + windowMs),
      };
    }
    if (usage.inFlight >= concurrent) {
      return { code: "0x80072326", message: `Number of concurrent requests exceeded the limit of ${concurrent}.`, retryAfterSeconds: 1 };
    }
    usage.starts.push(now);
    usage.inFlight += 1;
    return null;
  }

  /** A request of a $batch: it counts against the window like any other. */
  count(user: string): void {
    this.of(user).starts.push(this.now());
  }

  /** The admitted request finished after `ms`. */
  finish(user: string, ms: number): void {
    const usage = this.of(user);
    usage.inFlight = Math.max(0, usage.inFlight - 1);
    usage.executions.push({ at: this.now(), ms });
  }

  /** The documented headers: requests and execution time (ms) left in the window. */
  headers(user: string): Record<string, string> {
    const usage = this.of(user);
    return {
      "x-ms-ratelimit-burst-remaining-xrm-requests": String(Math.max(0, this.limits.requests - usage.starts.length)),
      "x-ms-ratelimit-time-remaining-xrm-requests": Math.max(0, this.limits.executionMs - this.executionTime(usage)).toFixed(2),
    };
  }

  reset(): void {
    this.usage.clear();
  }
}
