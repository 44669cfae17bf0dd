/**
 * Who holds Partner Center's webhook registration (one per tenant), in a sentence for the health
 * page: this service, another receiver (and what it probably is), or nobody.
 */
import { WebhookRegistrationClient } from "../partner-center/webhook-registration-client";
import type { TokenProvider } from "../partner-center/token-provider";
import { describeWebhookHolder } from "../service/register-webhooks";

export function webhookHolderReader(options: { url: string; tokens: TokenProvider; ours: () => string | null }): () => Promise<string> {
  const client = new WebhookRegistrationClient({ baseUrl: options.url, tokenProvider: options.tokens });
  const same = (a: string, b: string) => a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
  return async () => {
    const registration = await client.get();
    if (!registration) return "Nobody: Partner Center sends no events. Run `cosell register-webhooks`.";
    const ours = options.ours();
    if (ours && same(registration.WebhookUrl, ours)) return `This service (${registration.WebhookUrl})`;
    const owner = ours ? describeWebhookHolder(registration.WebhookUrl) : "PUBLIC_BASE_URL is not set, so the service cannot tell whether it is its own";
    return `${registration.WebhookUrl} (${owner})`;
  };
}
