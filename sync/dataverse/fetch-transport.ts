/**
 * The HTTP transport behind dataverse-ify's WebApiRequest interface, replacing its NodeWebApiRequest:
 * - Node's own fetch instead of node-fetch (no proxy agent surprises, one HTTP stack in the service);
 * - ONE JSON encoding: dataverse-ify hands create/update bodies over already stringified and its Node
 *   transport stringifies them again (the wire body becomes a JSON string); a string payload is sent
 *   as it is here, an object is stringified once;
 * - a fresh token from the provider on every request (the provider renews before expiry);
 * - every request through the identity's shared limiter (request-limiter.ts), which a 429 slows down;
 * - 429 (service protection limits) retried after Retry-After, a bounded number of times; while the
 *   identity's quota is spent (the limiter holds) a request waits for it, or fails at once (retryable,
 *   with the wait as its Retry-After) when the wait is longer than this transport honours;
 * - any other non-2xx thrown as DataverseError with status, Dataverse code and message.
 * The client also uses `call` directly for what dataverse-ify cannot express (headers such as If-Match
 * and Prefer: odata.track-changes, absolute next/delta links).
 */
import type { WebApiRequest, WebApiResponse } from "dataverse-ify/lib/webapi/WebApiRequest";
import { DataverseError } from "./dataverse-error";
import { limiterFor, type RequestLimiter } from "./request-limiter";
import type { DataverseTokenProvider } from "./token-provider";

export type HttpMethod = "POST" | "PATCH" | "PUT" | "GET" | "DELETE";

export interface TransportOptions {
  /** Retries of a throttled (429) request before giving up. */
  maxThrottleRetries?: number;
  /** Longest wait honoured from Retry-After; a longer one fails at once (retryable) for the queue to reschedule. */
  maxRetryAfterMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The identity's limiter; default: the one shared by every client of the same token provider. */
  limiter?: RequestLimiter;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined for an empty body. */
  json: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export class FetchTransport implements WebApiRequest {
  readonly server: string;
  readonly apiVersion = "9.2";
  private readonly options: Required<Omit<TransportOptions, "sleep" | "limiter">> & { sleep: (ms: number) => Promise<void> };
  readonly limiter: RequestLimiter;

  constructor(orgUrl: string, private readonly tokens: DataverseTokenProvider, options: TransportOptions = {}) {
    this.server = orgUrl.replace(/\/+$/, "");
    this.options = {
      maxThrottleRetries: options.maxThrottleRetries ?? 3,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      sleep: options.sleep ?? sleep,
    };
    this.limiter = options.limiter ?? limiterFor(tokens);
  }

  get apiUrl(): string {
    return `${this.server}/api/data/v${this.apiVersion}`;
  }

  /** dataverse-ify's entry point. */
  async send(method: HttpMethod, uri: string, headers: Record<string, string>, payload?: unknown): Promise<WebApiResponse> {
    let body: string | undefined;
    if (method !== "GET" && method !== "DELETE" && payload !== undefined) {
      body = typeof payload === "string" ? payload : JSON.stringify(payload);
    }
    return this.fetchWithRetry(method, this.absolute(uri), headers, body);
  }

  /** A direct Web API call: `path` relative to the API root, or an absolute next/delta link. */
  async call(method: HttpMethod, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<CallResult> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
      ...(options.body === undefined ? {} : { "Content-Type": "application/json; charset=utf-8" }),
      ...options.headers,
    };
    const url = /^https?:\/\//.test(path) ? path : `${this.apiUrl}/${path.replace(/^\//, "")}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const response = await this.fetchWithRetry(method, url, headers, body);
    return { status: response.status, headers: response.headers, json: response.body ? (JSON.parse(response.body) as unknown) : undefined };
  }

  private absolute(uri: string): string {
    if (!uri.startsWith("/")) return uri;
    return uri.startsWith("/api/") ? `${this.server}${uri}` : `${this.apiUrl}${uri}`;
  }

  private async fetchWithRetry(method: HttpMethod, url: string, headers: Record<string, string>, body: string | undefined): Promise<WebApiResponse> {
    for (let attempt = 0; ; attempt += 1) {
      const held = this.limiter.heldForMs();
      if (held > this.options.maxRetryAfterMs) throw quotaSpentError(method, url, held);
      if (held > 0) await this.options.sleep(held);
      const token = await this.tokens.getToken();
      const { response, text } = await this.limiter.run(async () => {
        let answer: Response;
        try {
          answer = await fetch(url, {
            method,
            headers: { ...headers, Authorization: `Bearer ${token}` },
            body,
            signal: AbortSignal.timeout(this.options.timeoutMs),
          });
        } catch (error) {
          throw new DataverseError(`${method} ${url} failed: ${(error as Error).message}`, { status: 0, cause: error });
        }
        return { response: answer, text: await answer.text() };
      });
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, key) => (responseHeaders[key] = value));
      const wait = retryAfterMs(response.headers.get("retry-after"));
      this.limiter.observe(responseHeaders);
      if (response.status === 429) this.limiter.throttled(wait);
      else this.limiter.succeeded();
      if (response.ok) {
        return { headers: responseHeaders, status: response.status, statusText: response.statusText, ok: true, body: text, data: {} };
      }
      if (response.status === 429 && attempt < this.options.maxThrottleRetries && (wait ?? 0) <= this.options.maxRetryAfterMs) {
        // A spent quota holds the identity (the top of the loop waits for it); otherwise this request waits alone.
        if (this.limiter.heldForMs() === 0) await this.options.sleep(wait ?? 1000 * 2 ** attempt);
        continue;
      }
      throw errorFromResponse(method, url, response.status, text, wait);
    }
  }
}

/** Not sent: the identity's quota is spent for longer than this transport waits (the queue reschedules). */
function quotaSpentError(method: string, url: string, heldMs: number): DataverseError {
  const path = url.replace(/^https?:\/\/[^/]+/, "").split("?")[0];
  return new DataverseError(`${method} ${path} not sent: Dataverse's service protection limit for this user is spent for another ${Math.ceil(heldMs / 1000)} s`, {
    status: 429,
    retryAfterMs: heldMs,
  });
}

function errorFromResponse(method: string, url: string, status: number, text: string, retryAfter: number | undefined): DataverseError {
  let code: string | undefined;
  let message = text.slice(0, 500);
  let cause: unknown;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    cause = parsed;
    if (parsed.error) {
      code = parsed.error.code;
      message = parsed.error.message ?? message;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty 401): keep the raw text.
  }
  const path = url.replace(/^https?:\/\/[^/]+/, "").split("?")[0];
  return new DataverseError(`${method} ${path} → ${status}${code ? ` ${code}` : ""}: ${message || "(no body)"}`, { status, code, retryAfterMs: retryAfter, cause });
}
