/**
 * `/webhooks/v1/registration` (reference §2.2): view, register, update, list supported events, send a
 * test event and read its delivery status.
 *
 * Undocumented answers are our picks [I]: POST while already registered → 409 (the Microsoft connector
 * needs "Overwrite = Yes", i.e. a PUT, in that case); GET/PUT with nothing registered → 404.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SandboxApiError } from "./api-error";
import type { SandboxState } from "./sandbox-state";
import type { WebhookDispatcher } from "./webhook-dispatcher";

/**
 * Partner Center's webhook events (partner-center-webhook-events): the referral ones this stand-in
 * sends, the validation event, and some of the others a tenant's registration may hold for other
 * tools (the registration is one per tenant, shared by all its event types).
 */
export const WEBHOOK_EVENT_NAMES = [
  "referral-created",
  "referral-updated",
  "related-referral-created",
  "related-referral-updated",
  "test-created",
  "subscription-updated",
  "threshold-exceeded",
  "invoice-ready",
] as const;

const RegistrationBodySchema = z.object({
  WebhookUrl: z.url({ protocol: /^https?$/ }),
  WebhookEvents: z.array(z.enum(WEBHOOK_EVENT_NAMES)).min(1),
  SignatureTokenToMsSignatureHeader: z.boolean().optional(),
});

/**
 * Validation event results carry the receiver's answer as .NET's HttpStatusCode name ("OK") and
 * whether Partner Center itself failed to deliver as a boolean (real-world-contract: documented).
 */
const STATUS_NAMES: Readonly<Record<number, string>> = {
  200: "OK", 201: "Created", 202: "Accepted", 204: "NoContent", 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
  404: "NotFound", 405: "MethodNotAllowed", 408: "RequestTimeout", 409: "Conflict", 413: "RequestEntityTooLarge",
  429: "TooManyRequests", 500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
};

function documentedResult(attempt: { responseCode: number; responseMessage: string; systemError: string | null; dateTimeUtc: string }) {
  return {
    // No answer at all (0): no status to name.
    responseCode: attempt.responseCode === 0 ? "" : (STATUS_NAMES[attempt.responseCode] ?? String(attempt.responseCode)),
    responseMessage: attempt.systemError ?? attempt.responseMessage,
    systemError: attempt.systemError !== null,
    dateTimeUtc: attempt.dateTimeUtc,
  };
}

/** "Limit 2 requests/min" on validationEvents (§2.2). */
const VALIDATION_EVENTS_PER_MINUTE = 2;

export function registerWebhookRegistrationRoutes(
  app: FastifyInstance,
  deps: { state: SandboxState; dispatcher: WebhookDispatcher; partnerId: string; now: () => Date },
): void {
  const { state, dispatcher } = deps;
  let recentValidationRequests: number[] = [];

  const parseBody = (body: unknown) => {
    const parsed = RegistrationBodySchema.safeParse(body);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
      throw new SandboxApiError(400, "invalidRequest", `Invalid webhook registration: ${detail}`);
    }
    return parsed.data;
  };
  const view = () => {
    if (!state.registration) throw new SandboxApiError(404, "itemNotFound", "No webhook is registered");
    const { SubscriberId, WebhookUrl, WebhookEvents } = state.registration;
    return { SubscriberId, WebhookUrl, WebhookEvents };
  };

  app.get("/webhooks/v1/registration/events", async () => [...WEBHOOK_EVENT_NAMES]);

  app.get("/webhooks/v1/registration", async () => {
    const { WebhookUrl, WebhookEvents } = view();
    return { WebhookUrl, WebhookEvents };
  });

  app.post("/webhooks/v1/registration", async (request) => {
    const body = parseBody(request.body);
    if (state.registration) {
      throw new SandboxApiError(409, "conflict", "A webhook is already registered; update it with PUT /webhooks/v1/registration");
    }
    state.registration = {
      SubscriberId: randomUUID(),
      WebhookUrl: body.WebhookUrl,
      WebhookEvents: body.WebhookEvents,
      SignatureTokenToMsSignatureHeader: body.SignatureTokenToMsSignatureHeader ?? false,
    };
    state.save();
    return view();
  });

  app.put("/webhooks/v1/registration", async (request) => {
    view();
    const body = parseBody(request.body);
    state.registration = {
      SubscriberId: state.registration!.SubscriberId,
      WebhookUrl: body.WebhookUrl,
      WebhookEvents: body.WebhookEvents,
      SignatureTokenToMsSignatureHeader: body.SignatureTokenToMsSignatureHeader ?? false,
    };
    state.save();
    return view();
  });

  app.post("/webhooks/v1/registration/validationEvents", async (request, reply) => {
    const now = deps.now().getTime();
    recentValidationRequests = recentValidationRequests.filter((at) => now - at < 60_000);
    if (recentValidationRequests.length >= VALIDATION_EVENTS_PER_MINUTE) {
      const retryAfter = Math.ceil((60_000 - (now - recentValidationRequests[0]!)) / 1000);
      reply.header("retry-after", String(retryAfter));
      throw new SandboxApiError(429, "tooManyRequests", `At most ${VALIDATION_EVENTS_PER_MINUTE} test events per minute`);
    }
    const registration = state.registration;
    if (!registration || !registration.WebhookEvents.includes("test-created")) {
      throw new SandboxApiError(400, "invalidRequest", "Register for the test-created event before requesting a test event");
    }
    recentValidationRequests.push(now);
    const correlationId = randomUUID();
    const [record] = dispatcher.notify("test-created", "test", correlationId, deps.now(), correlationId);
    state.validationEvents.set(correlationId, {
      correlationId,
      partnerId: deps.partnerId,
      callbackUrl: registration.WebhookUrl,
      deliveryId: record?.deliveryId ?? "",
      createdDateTime: deps.now().toISOString(),
    });
    state.save();
    return { correlationId };
  });

  app.get<{ Params: { correlationId: string } }>("/webhooks/v1/registration/validationEvents/:correlationId", async (request) => {
    const event = state.validationEvents.get(request.params.correlationId);
    if (!event) throw new SandboxApiError(404, "itemNotFound", `No test event ${request.params.correlationId}`);
    const delivery = state.deliveries.find((record) => record.deliveryId === event.deliveryId);
    // Status names are not documented [?]; ours follow the delivery record.
    const status = !delivery ? "unknown" : delivery.status === "delivered" ? "completed" : delivery.status === "pending" ? "pending" : "failed";
    return {
      correlationId: event.correlationId,
      partnerId: event.partnerId,
      status,
      callbackUrl: event.callbackUrl,
      results: (delivery?.attempts ?? []).map(documentedResult),
    };
  });
}
