/**
 * Parsing and validation of a Partner Center webhook event body (reference §2.4): five PascalCase
 * fields, no referral data. Call only after the signature verified.
 */
import { z } from "zod";

export const WebhookEventSchema = z.looseObject({
  EventName: z.string().min(1, "EventName must not be empty"),
  ResourceUri: z.url("ResourceUri must be an absolute URL"),
  ResourceName: z.string().min(1, "ResourceName must not be empty"),
  /** The property table misspells it AuditUrl; payloads use AuditUri. */
  AuditUri: z.string().nullable().optional(),
  ResourceChangeUtcDate: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "ResourceChangeUtcDate must be an ISO-8601 date-time"),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

export interface ParsedWebhookEvent {
  event: WebhookEvent;
  /**
   * The referral id: the last path segment of ResourceUri. The documented ResourceUri path
   * (/engagements/v1/referrals/{id} on the partnercenter host) is not the referrals API path, and its
   * runtime value is unconfirmed; the reference recommends taking the last segment and calling
   * GET /v1.0/engagements/referrals/{id} (§2.4). Undefined for non-referral events (test-created).
   */
  referralId?: string;
  /** Stable key for deduplicating repeated deliveries (reference §2.6). */
  dedupeKey: string;
}

export class WebhookEventError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "WebhookEventError";
  }
}

export function parseWebhookEvent(rawBody: Buffer | string): ParsedWebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch (cause) {
    throw new WebhookEventError("Partner Center event body is not valid JSON", ["body: not JSON"], { cause });
  }
  const parsed = WebhookEventSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
    throw new WebhookEventError(`Partner Center event body is invalid: ${issues.join("; ")}`, issues, { cause: parsed.error });
  }
  const event = parsed.data;
  let referralId: string | undefined;
  if (event.ResourceName.toLowerCase() === "referral") {
    const segments = new URL(event.ResourceUri).pathname.split("/").filter(Boolean);
    referralId = segments.at(-1) ? decodeURIComponent(segments.at(-1)!) : undefined;
    if (!referralId) throw new WebhookEventError("ResourceUri has no referral id in its last path segment", ["ResourceUri: no id"]);
  }
  return { event, referralId, dedupeKey: `${event.EventName}|${event.ResourceUri}|${event.ResourceChangeUtcDate}` };
}
