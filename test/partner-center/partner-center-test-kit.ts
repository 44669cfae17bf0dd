/** Shared helpers for the Partner Center tests: a webhook receiver on 127.0.0.1 and sample data. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ReferralsClient } from "../../sync/partner-center/referrals-client";
import type { ReferralCreate } from "../../sync/partner-center/referral-types";
import { StaticTokenProvider } from "../../sync/partner-center/token-provider";
import type { RetryPolicy } from "../../sync/partner-center/partner-center-http";

export interface ReceivedDelivery {
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** Status to answer for the n-th request (0-based); 200 by default. */
  respondWith: (handler: (index: number) => number) => void;
  close: () => Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  let handler: (index: number) => number = () => 200;
  let count = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const status = handler(count++);
      if (status >= 200 && status < 300) received.push({ rawBody: Buffer.concat(chunks), headers: request.headers });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/partner-center`,
    received,
    respondWith: (next) => {
      handler = next;
      count = 0;
    },
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export function clientFor(baseUrl: string, retry: Partial<RetryPolicy> = { maxAttempts: 1 }, token = "sandbox-token"): ReferralsClient {
  return new ReferralsClient({ baseUrl, tokenProvider: new StaticTokenProvider(token), retry, correlationId: "test-correlation" });
}

export function sampleReferral(overrides: Partial<ReferralCreate> = {}): ReferralCreate {
  return {
    name: "Contoso – Azure migration",
    type: "Shared",
    externalReferenceId: "opportunity-1",
    customerProfile: {
      name: "Contoso Ltd",
      size: "51to250employees",
      address: { addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US" },
      team: [{ firstName: "Ana", lastName: "Ruiz", email: "ana@contoso.example", phoneNumber: "555-0100" }],
    },
    consent: { consentToContact: true, consentToToShareInfoWithOthers: true, consentToShareReferralWithMicrosoftSellers: true, consentToMicrosoftToContactSpecificPartners: false },
    details: {
      dealValue: 10000,
      currency: "USD",
      closingDateTime: "2027-06-30T00:00:00Z",
      notes: "first notes",
      requirements: { solutions: [{ id: "SOL-12345-ABC", type: "Name" }] },
    },
    inviteContext: { assistanceRequestCode: "ProofOfConceptOrDemo" },
    ...overrides,
  };
}
