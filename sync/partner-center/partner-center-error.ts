/**
 * The one error type every Partner Center call throws. Callers branch on `code` (the documented error
 * codes, reference §1.10, plus our own `networkError`, `invalidResponse`, `invalidRequest`) and on
 * `retryable`; `retryAfterMs` carries the server's Retry-After so a queue can wait exactly that long.
 */
import { z } from "zod";
import { PartnerCenterErrorBodySchema } from "./referral-types";

export interface PartnerCenterErrorDetails {
  /** HTTP status; 0 when no response came back. */
  status: number;
  code: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** Partner Center's `request-id` response header, for support tickets. */
  requestId?: string;
  /** The `client-request-id` we sent. */
  clientRequestId?: string;
  target?: string;
  method?: string;
  url?: string;
  cause?: unknown;
}

export class PartnerCenterError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly requestId?: string;
  readonly clientRequestId?: string;
  readonly target?: string;
  readonly method?: string;
  readonly url?: string;

  constructor(message: string, details: PartnerCenterErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "PartnerCenterError";
    this.status = details.status;
    this.code = details.code;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.requestId = details.requestId;
    this.clientRequestId = details.clientRequestId;
    this.target = details.target;
    this.method = details.method;
    this.url = details.url;
  }

  /** 412 preconditionFailed / resourceModified: re-read, merge, write again (docs/DESIGN.md §5). */
  get isConflict(): boolean {
    return this.status === 412 || this.code === "preconditionFailed" || this.code === "resourceModified";
  }
}

/** 429 and 5xx are transient; 500 is marked retryable in the connector swagger (§1.10). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}` (api-throttling-guidance). */
const ThrottlingBodySchema = z.looseObject({ statusCode: z.number(), message: z.string() });

/** Builds the typed error from a non-2xx response, reading the documented error body when present. */
export async function errorFromResponse(response: Response, context: { method: string; url: string; clientRequestId?: string }): Promise<PartnerCenterError> {
  const text = await response.text().catch(() => "");
  let code = `http${response.status}`;
  let message = `${context.method} ${new URL(context.url).pathname} failed with HTTP ${response.status}`;
  let target: string | undefined;
  let retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  try {
    const json: unknown = JSON.parse(text);
    const parsed = PartnerCenterErrorBodySchema.safeParse(json);
    const throttled = ThrottlingBodySchema.safeParse(json);
    if (parsed.success) {
      code = parsed.data.error.code;
      message = `${message}: ${parsed.data.error.message}`;
      target = parsed.data.error.target ?? undefined;
    } else if (throttled.success) {
      // The documented throttling body is not the usual error body; its message names the wait.
      code = "tooManyRequests";
      message = `${message}: ${throttled.data.message}`;
      const seconds = /try again in (\d+) seconds?/i.exec(throttled.data.message)?.[1];
      if (retryAfterMs === undefined && seconds !== undefined) retryAfterMs = Number(seconds) * 1000;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty 503): keep the generic message.
  }
  return new PartnerCenterError(message, {
    status: response.status,
    code,
    retryable: isRetryableStatus(response.status),
    retryAfterMs,
    requestId: response.headers.get("request-id") ?? undefined,
    clientRequestId: context.clientRequestId,
    target,
    method: context.method,
    url: context.url,
  });
}

/** Validates a response body against its documented shape; a mismatch is a typed, non-retryable error. */
export function parseOrThrow<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new PartnerCenterError(`Partner Center returned ${what} that does not match the documented shape: ${z.prettifyError(parsed.error)}`, {
    status: 200,
    code: "invalidResponse",
    retryable: false,
    cause: parsed.error,
  });
}
