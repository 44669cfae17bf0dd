/**
 * The HTTP core shared by the referrals client and the webhook registration client: bearer token,
 * tracing headers, JSON, typed errors, and retries.
 *
 * Retry policy (docs/DESIGN.md §6, reference §1.10): only 429, 5xx and network failures are retried, with
 * exponential backoff and full jitter, waiting at least the server's Retry-After; never longer than
 * `maxDelayMs` per wait and never more than `maxAttempts` tries. 412 and other 4xx are returned to the
 * caller at once: they need a decision (re-read and merge), not a repeat.
 *
 * A request that may create something (POST) is retried only when the server said it did not process
 * it (429, 503); after a 500 or a dropped connection the create may have happened, so the caller's
 * idempotent path (look up by externalReferenceId first) decides instead.
 */
import { randomUUID } from "node:crypto";
import { PartnerCenterError, errorFromResponse } from "./partner-center-error";
import type { TokenProvider } from "./token-provider";

export interface RetryPolicy {
  /** Total tries including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  /** Cap for a single wait, Retry-After included; a longer Retry-After fails the call with retryAfterMs set. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface PartnerCenterHttpOptions {
  baseUrl: string;
  tokenProvider: TokenProvider;
  retry?: Partial<RetryPolicy>;
  /** Sent as MS-CorrelationId on every call, to tie one sync job's calls together. */
  correlationId?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
}

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH";
  /** A path under baseUrl, or an absolute URL on the same origin (nextLink). */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  // Full jitter: spreads the retries of many workers hit by the same outage.
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(random() * exponential);
  return Math.max(jittered, retryAfterMs ?? 0);
}

export class PartnerCenterHttp {
  readonly baseUrl: string;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: PartnerCenterHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  private resolve(url: string): string {
    if (!/^https?:\/\//i.test(url)) return `${this.baseUrl}${url.startsWith("/") ? "" : "/"}${url}`;
    // Links from responses (nextLink) are followed as given, but the bearer token only ever goes to
    // the configured origin.
    if (new URL(url).origin !== new URL(this.baseUrl).origin) {
      throw new PartnerCenterError(`Refusing to follow ${url}: it is not on ${this.baseUrl}`, { status: 0, code: "invalidResponse", retryable: false, url });
    }
    return url;
  }

  async request(request: HttpRequest): Promise<HttpResult> {
    const url = this.resolve(request.url);
    const mayRetryAfterUnknownOutcome = request.method !== "POST";
    for (let attempt = 1; ; attempt++) {
      const clientRequestId = randomUUID();
      let error: PartnerCenterError;
      try {
        return await this.once(request, url, clientRequestId);
      } catch (caught) {
        if (!(caught instanceof PartnerCenterError)) throw caught;
        error = caught;
      }
      const notProcessed = error.status === 429 || error.status === 503;
      const retryable = error.retryable && (mayRetryAfterUnknownOutcome || notProcessed);
      if (!retryable || attempt >= this.policy.maxAttempts) throw error;
      if (error.retryAfterMs !== undefined && error.retryAfterMs > this.policy.maxDelayMs) throw error;
      await this.sleep(backoffDelay(attempt, this.policy, this.random, error.retryAfterMs));
    }
  }

  private async once(request: HttpRequest, url: string, clientRequestId: string): Promise<HttpResult> {
    let token: string;
    try {
      token = await this.options.tokenProvider.getToken();
    } catch (cause) {
      throw new PartnerCenterError(`No Partner Center token: ${cause instanceof Error ? cause.message : String(cause)}`, {
        status: 0,
        code: "unauthenticated",
        retryable: false,
        cause,
        method: request.method,
        url,
      });
    }
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${token}`,
      "client-request-id": clientRequestId,
      ...(this.options.correlationId ? { "ms-correlationid": this.options.correlationId } : {}),
      ...request.headers,
    };
    if (request.body !== undefined) headers["content-type"] ??= "application/json";
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (cause) {
      throw new PartnerCenterError(`${request.method} ${new URL(url).pathname} could not reach Partner Center: ${cause instanceof Error ? cause.message : String(cause)}`, {
        status: 0,
        code: "networkError",
        retryable: true,
        clientRequestId,
        method: request.method,
        url,
        cause,
      });
    }
    if (!response.ok) throw await errorFromResponse(response, { method: request.method, url, clientRequestId });
    const text = await response.text();
    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new PartnerCenterError(`${request.method} ${new URL(url).pathname} answered ${response.status} with a body that is not JSON`, {
          status: response.status,
          code: "invalidResponse",
          retryable: false,
          requestId: response.headers.get("request-id") ?? undefined,
          clientRequestId,
          method: request.method,
          url,
          cause,
        });
      }
    }
    return { status: response.status, headers: response.headers, body };
  }
}
