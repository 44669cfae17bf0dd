/**
 * The Partner Center stand-in: the referrals API and the webhooks API at their documented paths on one
 * 127.0.0.1 port, plus the sandbox-only control surface under `/_sandbox/`.
 *
 * `startPartnerCenterSandbox()` is what `npm start`, the tests and the benchmarks call in-process;
 * main.ts wraps it for the command line.
 *
 * Bearer tokens: any non-empty bearer is accepted (the sandbox has no Entra ID); a missing one is 401
 * `unauthenticated`, as on the real service.
 */
import { randomUUID, type X509Certificate } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { CallCounters, Faults, installFaultInjection, type FaultSettings } from "../shared/fault-injection";
import { SandboxApiError, errorBody, sendApiError } from "./api-error";
import { registerMicrosoftSellerRoutes } from "./microsoft-seller-routes";
import { registerReferralRoutes } from "./referral-routes";
import { ReferralService } from "./referral-service";
import { throttlingBody } from "./referral-schema";
import { createSigningIdentity } from "./sandbox-certificate";
import { SandboxState, type DeliveryRecord } from "./sandbox-state";
import { WebhookDispatcher } from "./webhook-dispatcher";
import { registerWebhookRegistrationRoutes } from "./webhook-registration-routes";

export const CERTIFICATE_PATH = "/_sandbox/certificates/pcnotifications-dispatch.cer";
const API_PREFIXES = ["/v1.0/", "/webhooks/v1/"] as const;

export interface PartnerCenterSandboxOptions {
  /** 0 (default) lets the OS choose a free port. */
  port?: number;
  /** JSON file to load at start and save after each change; in memory when omitted. */
  stateFile?: string;
  faults?: Partial<FaultSettings>;
  /** Random source for fault rolls, so tests can make them deterministic. */
  random?: () => number;
  partner?: { organizationId: string; organizationName: string };
  webhookDelivery?: Partial<{ initialBackoffMs: number; maxBackoffMs: number; attemptTimeoutMs: number; reorderHoldMs: number; maxAttempts: number }>;
  now?: () => Date;
  logger?: boolean;
  /** Referrals per list page (at most 100, the documented page size). */
  pageSize?: number;
  /** Fields a $filter may not name: the service answers 400 (see ReferralServiceOptions). */
  refusedFilterFields?: readonly string[];
}

export interface PartnerCenterSandbox {
  /** Base URL, e.g. http://127.0.0.1:41234 (documented paths hang off it). */
  url: string;
  /** Where deliveries say the signing certificate is (x-ms-certificate-url). */
  certificateUrl: string;
  /** The signing (leaf) certificate. */
  certificate: X509Certificate;
  /** The sandbox CA that issued it: a receiver's trust anchor for sandbox deliveries. */
  certificateAuthority: X509Certificate;
  faults: Faults;
  counters: CallCounters;
  /** Webhook deliveries so far, oldest first. */
  deliveries(): readonly DeliveryRecord[];
  /** Resolves when no webhook delivery is pending (delivered, dropped or offline). */
  webhooksIdle(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startPartnerCenterSandbox(options: PartnerCenterSandboxOptions = {}): Promise<PartnerCenterSandbox> {
  const now = options.now ?? (() => new Date());
  const partner = options.partner ?? { organizationId: "sandbox-partner-org", organizationName: "Sandbox Partner Ltd" };
  const identity = await createSigningIdentity();
  const state = new SandboxState(options.stateFile);
  const faults = new Faults(options.faults, options.random);
  const counters = new CallCounters();
  let baseUrl = "";

  const delivery = options.webhookDelivery ?? {};
  const dispatcher = new WebhookDispatcher({
    state,
    faults,
    privateKey: identity.privateKey,
    certificateUrl: () => `${baseUrl}${CERTIFICATE_PATH}`,
    resourceBaseUrl: () => baseUrl,
    initialBackoffMs: delivery.initialBackoffMs ?? 1_000,
    maxBackoffMs: delivery.maxBackoffMs ?? 60_000,
    attemptTimeoutMs: delivery.attemptTimeoutMs ?? 15_000,
    reorderHoldMs: delivery.reorderHoldMs ?? 250,
    maxAttempts: delivery.maxAttempts,
  });
  const service = new ReferralService({
    state,
    baseUrl: () => baseUrl,
    partner,
    now,
    pageSize: options.pageSize,
    refusedFilterFields: options.refusedFilterFields,
    emit: (eventName, referral) => {
      dispatcher.notify(eventName, "referral", referral.id, new Date(referral.updatedDateTime));
    },
  });

  const app: FastifyInstance = Fastify({ logger: options.logger ?? false });
  // PATCH bodies may be labelled as JSON Patch; they are JSON all the same.
  app.addContentTypeParser("application/json-patch+json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      (error as FastifyError).statusCode = 400;
      done(error as Error, undefined);
    }
  });

  installFaultInjection(app, {
    faults,
    counters,
    apiPrefixes: API_PREFIXES,
    sendError: (reply, status, retryAfterSeconds) => {
      if (retryAfterSeconds !== undefined) reply.header("retry-after", String(retryAfterSeconds));
      // Throttling answers with its own documented body, not the error body (api-throttling-guidance).
      if (status === 429) return reply.code(429).send(throttlingBody(retryAfterSeconds ?? 1));
      const [code, message] =
        status === 503
            ? ["serviceNotAvailable", "The service is temporarily unavailable"]
            : ["preconditionFailed", "The referral was modified since it was read (eTag mismatch); read it again and retry"];
      return reply.code(status).send(errorBody(code, message));
    },
  });

  const isApi = (url: string) => API_PREFIXES.some((prefix) => url.startsWith(prefix));
  app.addHook("onRequest", async (request, reply) => {
    if (!isApi(request.url)) return undefined;
    // The headers the real service echoes (§1.5), so clients can log them.
    reply.header("request-id", randomUUID());
    const clientRequestId = request.headers["client-request-id"];
    if (typeof clientRequestId === "string") reply.header("client-request-id", clientRequestId);
    const authorization = request.headers.authorization ?? "";
    if (!/^Bearer\s+\S+/i.test(authorization)) {
      return reply
        .code(401)
        .header("www-authenticate", "Bearer")
        .send(errorBody("unauthenticated", "A bearer token is required (Authorization: Bearer <token>)"));
    }
    return undefined;
  });

  app.setErrorHandler((error: FastifyError | SandboxApiError, _request, reply) => {
    if (error instanceof SandboxApiError) return sendApiError(reply, error);
    if (error.statusCode && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody("invalidRequest", error.message));
    }
    app.log.error(error);
    return reply.code(500).send(errorBody("generalException", "Unexpected sandbox error"));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody("itemNotFound", `No route ${request.method} ${request.url.split("?")[0]}`)),
  );

  registerReferralRoutes(app, service);
  registerWebhookRegistrationRoutes(app, { state, dispatcher, partnerId: partner.organizationId, now });
  registerMicrosoftSellerRoutes(app, service);

  const reset = () => {
    dispatcher.cancelAll();
    state.reset();
    counters.reset();
    faults.set(options.faults ?? {});
  };
  app.get(CERTIFICATE_PATH, async (_request, reply) => reply.type("application/pkix-cert").send(identity.certificateDer));
  app.get("/_sandbox/webhooks/deliveries", async () => state.deliveries);
  app.post("/_sandbox/reset", async () => {
    reset();
    return { reset: true };
  });

  const address = await app.listen({ host: "127.0.0.1", port: options.port ?? 0 });
  baseUrl = address.replace("localhost", "127.0.0.1");

  return {
    url: baseUrl,
    certificateUrl: `${baseUrl}${CERTIFICATE_PATH}`,
    certificate: identity.certificate,
    certificateAuthority: identity.authority!,
    faults,
    counters,
    deliveries: () => state.deliveries,
    webhooksIdle: () => dispatcher.idle(),
    reset,
    close: async () => {
      dispatcher.close();
      await app.close();
    },
  };
}
