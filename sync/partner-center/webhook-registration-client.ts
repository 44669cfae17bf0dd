/**
 * Partner Center webhook registration (reference §2.2). Lives on the main Partner Center API host
 * (https://api.partnercenter.microsoft.com), with its own token audience, hence a separate client.
 */
import { z } from "zod";
import { PartnerCenterError, parseOrThrow } from "./partner-center-error";
import { PartnerCenterHttp, type PartnerCenterHttpOptions } from "./partner-center-http";

export const REFERRAL_WEBHOOK_EVENTS = ["referral-created", "referral-updated", "related-referral-created", "related-referral-updated"] as const;

export const WebhookRegistrationSchema = z.looseObject({
  SubscriberId: z.string().nullish(),
  WebhookUrl: z.string(),
  WebhookEvents: z.array(z.string()),
});
export type WebhookRegistration = z.infer<typeof WebhookRegistrationSchema>;

export interface WebhookRegistrationRequest {
  WebhookUrl: string;
  WebhookEvents: string[];
  /** true moves the signature from Authorization to x-ms-signature (reference §2.5). */
  SignatureTokenToMsSignatureHeader?: boolean;
}

export const ValidationEventStatusSchema = z.looseObject({
  correlationId: z.string(),
  partnerId: z.string().nullish(),
  status: z.string(),
  callbackUrl: z.string().nullish(),
  /**
   * Documented as `{"responseCode":"OK","systemError":false}`: the receiver's answer by name and
   * whether Partner Center failed to deliver. A number is read too, as its string.
   */
  results: z.array(
    z.looseObject({
      responseCode: z.union([z.string(), z.number().transform(String)]).nullish(),
      responseMessage: z.string().nullish(),
      systemError: z.boolean().nullish(),
      dateTimeUtc: z.string().nullish(),
    }),
  ),
});
export type ValidationEventStatus = z.infer<typeof ValidationEventStatusSchema>;

export class WebhookRegistrationClient {
  private readonly http: PartnerCenterHttp;
  constructor(options: PartnerCenterHttpOptions) {
    this.http = new PartnerCenterHttp(options);
  }

  async supportedEvents(): Promise<string[]> {
    const result = await this.http.request({ method: "GET", url: "/webhooks/v1/registration/events" });
    return parseOrThrow(z.array(z.string()), result.body, "the event list");
  }

  /** The current registration, or undefined when none exists. */
  async get(): Promise<WebhookRegistration | undefined> {
    try {
      const result = await this.http.request({ method: "GET", url: "/webhooks/v1/registration" });
      return parseOrThrow(WebhookRegistrationSchema, result.body, "the registration");
    } catch (error) {
      if (error instanceof PartnerCenterError && error.status === 404) return undefined;
      throw error;
    }
  }

  async register(request: WebhookRegistrationRequest): Promise<WebhookRegistration> {
    const result = await this.http.request({ method: "POST", url: "/webhooks/v1/registration", body: request });
    return parseOrThrow(WebhookRegistrationSchema, result.body, "the registration");
  }

  async update(request: WebhookRegistrationRequest): Promise<WebhookRegistration> {
    const result = await this.http.request({ method: "PUT", url: "/webhooks/v1/registration", body: request });
    return parseOrThrow(WebhookRegistrationSchema, result.body, "the registration");
  }

  /** Register, or overwrite an existing registration (the connector's "Overwrite = Yes"). */
  async registerOrUpdate(request: WebhookRegistrationRequest): Promise<WebhookRegistration> {
    return (await this.get()) ? this.update(request) : this.register(request);
  }

  /** Asks Partner Center to send a test-created event (limited to 2 per minute). */
  async sendTestEvent(): Promise<string> {
    const result = await this.http.request({ method: "POST", url: "/webhooks/v1/registration/validationEvents" });
    return parseOrThrow(z.looseObject({ correlationId: z.string() }), result.body, "the test event").correlationId;
  }

  async testEventStatus(correlationId: string) {
    const result = await this.http.request({ method: "GET", url: `/webhooks/v1/registration/validationEvents/${encodeURIComponent(correlationId)}` });
    return parseOrThrow(ValidationEventStatusSchema, result.body, "the test event status");
  }
}
