/**
 * The backend's HTTP surface, built without listening (server.ts opens the port). Webhooks are
 * answered fast: authenticate, validate, enqueue, 202. Anything malformed, unsigned or
 * unauthenticated gets a 4xx with a reason and enqueues nothing.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { Tables } from "../../entities";
import type { SyncMetrics } from "../observability/metrics";
import { columnChangeOf, dataverseDeliveryKey, RemoteExecutionContextSchema, type ColumnChange } from "./dataverse-webhook.schema";
import { keysMatch } from "./webhook-auth";

/** What a webhook asks the queue to do: sync the pair this record belongs to. */
export interface SyncTrigger {
  source: "dataverse" | "partner-center";
  kind: "opportunity" | "referral";
  id: string;
  /** Identifies the delivery so duplicates are dropped. */
  deliveryKey: string;
  /** A Dataverse write's columns and time, when its webhook said (see ColumnChange). */
  columnChange?: ColumnChange | null;
  /** When the referral changed, as Partner Center's event said (ResourceChangeUtcDate, ms since the epoch). */
  referralChangedAt?: number;
}

export interface EnqueueResult {
  duplicate: boolean;
}

/** A verified Partner Center event reduced to what the queue needs. */
export interface VerifiedPartnerCenterEvent {
  eventName: string;
  referralId: string;
  deliveryKey: string;
  /** The event's ResourceChangeUtcDate (ms since the epoch). */
  changedAt: number;
}

export class WebhookRejectedError extends Error {
  constructor(readonly statusCode: 400 | 401 | 403, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WebhookRejectedError";
  }
}

export interface AppDependencies {
  logger: Logger;
  metrics: SyncMetrics;
  dataverseWebhookKey: string;
  /** Verifies signature and certificate, parses the event; throws WebhookRejectedError when it must be refused. */
  verifyPartnerCenterEvent: (rawBody: string, headers: Record<string, string | string[] | undefined>) => Promise<VerifiedPartnerCenterEvent | null>;
  enqueue: (trigger: SyncTrigger) => Promise<EnqueueResult> | EnqueueResult;
  /** Ready when the store is open and configuration was checked against the org. */
  readiness: () => Promise<Record<string, "ok" | string>>;
  bodyLimitBytes?: number;
}

function requestWithoutSecrets(request: { method?: string; url?: string; id?: string }): Record<string, unknown> {
  return { method: request.method, url: request.url?.split("?")[0], id: request.id };
}

export function buildApp(deps: AppDependencies): FastifyInstance {
  const app = Fastify({
    // Request logs never carry a query string: the Dataverse webhook key travels as `?code=`.
    loggerInstance: deps.logger.child({}, { serializers: { req: requestWithoutSecrets } }) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 256 * 1024,
    // Correlation id: honour the caller's request id when it sends one (Dataverse and our own CLI do).
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
  });

  // Keep the raw body: the Partner Center signature is computed over the exact bytes received.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      deps.metrics.errors.inc({ kind: "http" });
      return reply.code(status).send({ error: "internal error", requestId: request.id });
    }
    return reply.code(status).send({ error: error.message, requestId: request.id });
  });

  app.post("/webhooks/dataverse", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const presented = query.code ?? (request.headers["x-cosell-webhook-key"] as string | undefined);
    if (!keysMatch(presented, deps.dataverseWebhookKey)) {
      deps.metrics.webhooksReceived.inc({ source: "dataverse", outcome: "rejected" });
      return reply.code(401).send({ error: "missing or wrong webhook key (the service endpoint's WebhookKey)" });
    }
    const context = parseJson(request.body, "Dataverse RemoteExecutionContext", RemoteExecutionContextSchema.safeParse.bind(RemoteExecutionContextSchema));
    if (context.PrimaryEntityName !== Tables.opportunity.logicalName) {
      deps.metrics.webhooksReceived.inc({ source: "dataverse", outcome: "rejected" });
      return reply.code(400).send({ error: `unexpected table ${context.PrimaryEntityName}: only ${Tables.opportunity.logicalName} is synced` });
    }
    const result = await deps.enqueue({
      source: "dataverse",
      kind: "opportunity",
      id: context.PrimaryEntityId.toLowerCase(),
      deliveryKey: dataverseDeliveryKey(context),
      columnChange: columnChangeOf(context),
    });
    deps.metrics.webhooksReceived.inc({ source: "dataverse", outcome: result.duplicate ? "duplicate" : "accepted" });
    return reply.code(202).send({ accepted: true, duplicate: result.duplicate });
  });

  app.post("/webhooks/partner-center", async (request, reply) => {
    if (typeof request.body !== "string" || request.body.length === 0) {
      deps.metrics.webhooksReceived.inc({ source: "partner-center", outcome: "rejected" });
      return reply.code(400).send({ error: "empty body: expected a Partner Center event as JSON" });
    }
    let event: VerifiedPartnerCenterEvent | null;
    try {
      event = await deps.verifyPartnerCenterEvent(request.body, request.headers);
    } catch (error) {
      deps.metrics.webhooksReceived.inc({ source: "partner-center", outcome: "rejected" });
      if (error instanceof WebhookRejectedError) return reply.code(error.statusCode).send({ error: error.message });
      throw error;
    }
    if (!event) {
      // A verified event we do not act on (e.g. a validation event): acknowledge, enqueue nothing.
      deps.metrics.webhooksReceived.inc({ source: "partner-center", outcome: "ignored" });
      return reply.code(200).send({ accepted: false, reason: "event not relevant to referral sync" });
    }
    const result = await deps.enqueue({
      source: "partner-center",
      kind: "referral",
      id: event.referralId,
      deliveryKey: event.deliveryKey,
      referralChangedAt: event.changedAt,
    });
    deps.metrics.webhooksReceived.inc({ source: "partner-center", outcome: result.duplicate ? "duplicate" : "accepted" });
    return reply.code(202).send({ accepted: true, duplicate: result.duplicate });
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every((value) => value === "ok");
    return reply.code(ready ? 200 : 503).send({ ready, checks });
  });
  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  return app;
}

type SafeParse<T> = (value: unknown) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };

function parseJson<T>(body: unknown, what: string, safeParse: SafeParse<T>): T {
  if (typeof body !== "string" || body.length === 0) throw new WebhookRejectedError(400, `empty body: expected ${what} as JSON`);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new WebhookRejectedError(400, `body is not valid JSON: expected ${what}`, { cause: error });
  }
  const parsed = safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new WebhookRejectedError(400, `not a valid ${what}: ${issues}`);
  }
  return parsed.data;
}
