/**
 * `cosell register-webhooks`: points both services at this backend. Dataverse gets a service
 * endpoint (WebhookKey auth) and async post-operation steps on opportunity Create, Update (filtered
 * to the columns that need a sync, never our own bookkeeping columns, so our writes do not wake us),
 * Win and Lose (the close dialog's own messages). Partner Center gets the referral events. Both are idempotent: run it again after a URL
 * or key change.
 *
 * Partner Center keeps one registration per partner tenant, one URL for all its events, and other
 * tools (Microsoft's own connector, CIPP, …) manage the same one: the registration is read first, one
 * that points elsewhere is only taken over when asked (`replace`), and event types registered by
 * others are kept. Nothing is changed on either side when the registration is someone else's.
 */
import type { DataverseClient } from "../dataverse/dataverse-client";
import { DEFAULT_OPPORTUNITY_STEPS, registerWebhook, type RegisteredWebhook } from "../dataverse/webhook-registration";
import { PartnerCenterError } from "../partner-center/partner-center-error";
import type { TokenProvider } from "../partner-center/token-provider";
import { REFERRAL_WEBHOOK_EVENTS, WebhookRegistrationClient, type WebhookRegistration } from "../partner-center/webhook-registration-client";

export const SERVICE_ENDPOINT_NAME = "Partner Center co-sell sync";

/** Partner Center's validation event: registered alongside ours so register-webhooks can run it. */
export const VALIDATION_EVENT = "test-created";

export interface RegisterWebhooksInput {
  dataverse: DataverseClient;
  partnerCenterWebhooksUrl: string;
  partnerCenterTokens: TokenProvider;
  /** Public base URL of this backend (Dataverse and Partner Center must reach it). */
  backendUrl: string;
  webhookKey: string;
  /** Take over a Partner Center registration that points elsewhere. */
  replace?: boolean;
  /** How long to wait for Partner Center's validation event to be delivered (default 20 s; 0: do not send one). */
  validationWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** What became of Partner Center's validation event sent to the new registration. */
export type ValidationOutcome =
  | { kind: "delivered"; responseCode: string }
  | { kind: "failed"; responseCode: string | null; systemError: boolean; message: string | null }
  | { kind: "pending" }
  | { kind: "not-sent"; reason: string };

export interface RegisteredWebhooks {
  dataverse: RegisteredWebhook;
  partnerCenter: WebhookRegistration;
  /** The URL the Partner Center registration pointed at before, when it was taken over. */
  replaced: string | null;
  validation: ValidationOutcome;
}

/** Partner Center's registration belongs to someone else; nothing was changed. */
export class ForeignWebhookRegistrationError extends Error {
  constructor(
    readonly holder: WebhookRegistration,
    readonly wanted: string,
  ) {
    super(
      `Partner Center's webhook registration points at ${holder.WebhookUrl} (${describeWebhookHolder(holder.WebhookUrl)}), not ${wanted}. ` +
        "Partner Center keeps one registration per tenant: taking it over stops that receiver's notifications. " +
        "Nothing was changed. If this service should receive them (or that is its old address), run `cosell register-webhooks --replace`.",
    );
    this.name = "ForeignWebhookRegistrationError";
  }
}

/** Who a registration's URL most likely belongs to, for the admin (a guess from the host, said as such). */
export function describeWebhookHolder(url: string): string {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return "not a valid URL";
  }
  // Power Automate's HTTP triggers: how Microsoft's own Partner Center connector receives its events.
  if (/\.logic\.azure\.com$|\.flow\.microsoft\.com$|\.powerautomate\.com$|\.environment\.api\.powerplatform\.com$/.test(host)) {
    return "a Power Automate flow, probably Microsoft's Partner Center Referrals connector";
  }
  if (host.includes("cipp")) return "probably CIPP";
  return "another tool or an earlier install of this service";
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

export async function registerWebhooks(input: RegisterWebhooksInput): Promise<RegisteredWebhooks> {
  const base = input.backendUrl.replace(/\/+$/, "");
  const ours = `${base}/webhooks/partner-center`;
  const client = new WebhookRegistrationClient({ baseUrl: input.partnerCenterWebhooksUrl, tokenProvider: input.partnerCenterTokens });
  // Read before anything changes: a registration that is someone else's stops the run untouched.
  const current = await client.get();
  const foreign = current && !sameUrl(current.WebhookUrl, ours) ? current : null;
  if (foreign && !input.replace) throw new ForeignWebhookRegistrationError(foreign, ours);

  const dataverse = await registerWebhook(input.dataverse, {
    name: SERVICE_ENDPOINT_NAME,
    url: `${base}/webhooks/dataverse`,
    webhookKey: input.webhookKey,
    steps: DEFAULT_OPPORTUNITY_STEPS,
  });
  // Event types already registered (by us or the tool we replace) stay: the URL is shared by all of them.
  const events = [...new Set([...(current?.WebhookEvents ?? []), ...REFERRAL_WEBHOOK_EVENTS, VALIDATION_EVENT])];
  const request = { WebhookUrl: ours, WebhookEvents: events };
  const partnerCenter = current ? await client.update(request) : await client.register(request);
  const validation = await runValidationEvent(client, input);
  return { dataverse, partnerCenter, replaced: foreign?.WebhookUrl ?? null, validation };
}

const VALIDATION_POLL_MS = 500;

/** Sends Partner Center's validation event and waits (briefly) for its delivery result. */
async function runValidationEvent(client: WebhookRegistrationClient, input: RegisterWebhooksInput): Promise<ValidationOutcome> {
  const waitMs = input.validationWaitMs ?? 20_000;
  if (waitMs <= 0) return { kind: "not-sent", reason: "not asked for now: once `cosell serve` runs, `cosell register-webhooks` sends one and reports it" };
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let correlationId: string;
  try {
    correlationId = await client.sendTestEvent();
  } catch (error) {
    // Limited to 2 a minute: a quick second run may be refused; the registration itself stands.
    if (error instanceof PartnerCenterError && error.status === 429) return { kind: "not-sent", reason: "Partner Center allows 2 validation events a minute; run `cosell doctor` in a minute" };
    throw error;
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const status = await client.testEventStatus(correlationId);
    const last = status.results.at(-1);
    if (last && last.systemError !== true && last.responseCode === "OK") return { kind: "delivered", responseCode: last.responseCode };
    if (last && (last.systemError === true || (last.responseCode ?? "") !== "OK") && status.status !== "pending") {
      return { kind: "failed", responseCode: last.responseCode || null, systemError: last.systemError === true, message: last.responseMessage ?? null };
    }
    if (Date.now() >= deadline) {
      if (last) return { kind: "failed", responseCode: last.responseCode || null, systemError: last.systemError === true, message: last.responseMessage ?? null };
      return { kind: "pending" };
    }
    await sleep(Math.min(VALIDATION_POLL_MS, Math.max(0, deadline - Date.now())));
  }
}
