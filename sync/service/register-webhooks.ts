/**
 * `cosell register-webhooks`: points both services at this backend. Dataverse gets a service
 * endpoint (WebhookKey auth) and async post-operation steps on opportunity Create, Update (filtered
 * to the columns that need a sync, never our own bookkeeping columns, so our writes do not wake us),
 * Win and Lose (the close dialog's own messages). Partner Center gets the referral events. Both are idempotent: run it again after a URL
 * or key change.
 */
import type { DataverseClient } from "../dataverse/dataverse-client";
import { DEFAULT_OPPORTUNITY_STEPS, registerWebhook, type RegisteredWebhook } from "../dataverse/webhook-registration";
import type { TokenProvider } from "../partner-center/token-provider";
import { REFERRAL_WEBHOOK_EVENTS, WebhookRegistrationClient, type WebhookRegistration } from "../partner-center/webhook-registration-client";

export const SERVICE_ENDPOINT_NAME = "Partner Center co-sell sync";

export interface RegisterWebhooksInput {
  dataverse: DataverseClient;
  partnerCenterWebhooksUrl: string;
  partnerCenterTokens: TokenProvider;
  /** Public base URL of this backend (Dataverse and Partner Center must reach it). */
  backendUrl: string;
  webhookKey: string;
}

export interface RegisteredWebhooks {
  dataverse: RegisteredWebhook;
  partnerCenter: WebhookRegistration;
}

export async function registerWebhooks(input: RegisterWebhooksInput): Promise<RegisteredWebhooks> {
  const base = input.backendUrl.replace(/\/+$/, "");
  const dataverse = await registerWebhook(input.dataverse, {
    name: SERVICE_ENDPOINT_NAME,
    url: `${base}/webhooks/dataverse`,
    webhookKey: input.webhookKey,
    steps: DEFAULT_OPPORTUNITY_STEPS,
  });
  const client = new WebhookRegistrationClient({ baseUrl: input.partnerCenterWebhooksUrl, tokenProvider: input.partnerCenterTokens });
  const partnerCenter = await client.registerOrUpdate({ WebhookUrl: `${base}/webhooks/partner-center`, WebhookEvents: [...REFERRAL_WEBHOOK_EVENTS] });
  return { dataverse, partnerCenter };
}
