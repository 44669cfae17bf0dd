/**
 * The backend's public HTTP surface, built without listening (sync-service.ts opens the port).
 * Webhooks are answered fast: authenticate (before the body is read), validate, enqueue, 202.
 * Anything malformed, unsigned or unauthenticated gets a 4xx with a reason, is logged and counted by
 * reason, and enqueues nothing. Timeouts and a per-address connection cap keep slow or many senders
 * from holding the port.
 */
import type { Socket } from "node:net";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Tables } from "../../entities";
import type { SyncMetrics } from "../observability/metrics";
import { columnChangeOf, dataverseDeliveryKey, RemoteExecutionContextSchema, type ColumnChange } from "./dataverse-webhook.schema";
import { RejectionRecorder, type RejectionSource } from "./rejections";
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
  constructor(
    readonly statusCode: 400 | 401 | 403 | 503,
    message: string,
    options?: { cause?: unknown; reason?: string },
  ) {
    super(message, options);
    this.name = "WebhookRejectedError";
    this.reason = options?.reason ?? (statusCode === 400 ? "invalid-body" : "unauthenticated");
  }

  /** Short and machine-readable, for the log and the rejected-requests metric. */
  readonly reason: string;
}

/** Timeouts and caps of the public port, so neither a slow sender nor a flood holds it. */
export interface FrontDoorLimits {
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** A socket with no traffic for this long is closed. */
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Open connections one client address may hold; more are closed at once. */
  maxConnectionsPerAddress: number;
  /** How often Node looks for requests past their timeout (its default, 30 s, would let them run long). */
  timeoutCheckIntervalMs: number;
}

export const DEFAULT_FRONT_DOOR_LIMITS: FrontDoorLimits = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  // Longer than the slowest verification (a certificate and its issuer downloaded, 8 s each).
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerAddress: 256,
  timeoutCheckIntervalMs: 1_000,
};

export interface AppDependencies {
  logger: Logger;
  metrics: SyncMetrics;
  dataverseWebhookKey: string;
  /** Checks what the headers alone can tell, before the body is read; a refusal to give, or null. */
  screenPartnerCenterHeaders?: (headers: Record<string, string | string[] | undefined>) => WebhookRejectedError | null;
  /** Verifies signature and certificate, parses the event; throws WebhookRejectedError when it must be refused. */
  verifyPartnerCenterEvent: (rawBody: string, headers: Record<string, string | string[] | undefined>) => Promise<VerifiedPartnerCenterEvent | null>;
  enqueue: (trigger: SyncTrigger) => Promise<EnqueueResult> | EnqueueResult;
  bodyLimitBytes?: number;
  limits?: Partial<FrontDoorLimits>;
  /** Behind a reverse proxy: take the client's address from X-Forwarded-For (Fastify's trustProxy). */
  trustProxy?: boolean | string;
}

function requestWithoutSecrets(request: { method?: string; url?: string; id?: string }): Record<string, unknown> {
  return { method: request.method, url: request.url?.split("?")[0], id: request.id };
}

function sourceOf(url: string | undefined): RejectionSource {
  const path = url?.split("?")[0];
  if (path === "/webhooks/dataverse") return "dataverse";
  if (path === "/webhooks/partner-center") return "partner-center";
  return "other";
}

/** Fastify's own refusals (before our handlers run), named for the log and the metric. */
const FASTIFY_REASONS: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "body-too-large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported-media-type",
  FST_ERR_CTP_EMPTY_JSON_BODY: "empty-body",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid-content-length",
};

/** The Dataverse key from `?code=` (or our own header); anything but one string is no key. */
function presentedKey(query: unknown, header: string | string[] | undefined): { key: string } | { problem: "missing-key" | "repeated-key" } {
  const code = (query as Record<string, unknown> | undefined)?.code;
  if (code !== undefined) return typeof code === "string" ? { key: code } : { problem: "repeated-key" };
  if (header === undefined) return { problem: "missing-key" };
  return typeof header === "string" ? { key: header } : { problem: "repeated-key" };
}

export function buildApp(deps: AppDependencies): FastifyInstance {
  const limits = { ...DEFAULT_FRONT_DOOR_LIMITS, ...deps.limits };
  const rejections = new RejectionRecorder(deps.logger, deps.metrics);
  const app = Fastify({
    // Request logs never carry a query string: the Dataverse webhook key travels as `?code=`.
    loggerInstance: deps.logger.child({}, { serializers: { req: requestWithoutSecrets } }) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 256 * 1024,
    // Correlation id: honour the caller's request id when it sends one (our own CLI does).
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    trustProxy: deps.trustProxy ?? false,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node measures a request against the headers timeout as well; it must not exceed the request timeout.
    http: { headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), connectionsCheckingInterval: limits.timeoutCheckIntervalMs },
    clientErrorHandler(error: Error & { code?: string }, socket) {
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
      rejections.record({
        source: "other",
        reason: timedOut ? "request-timeout" : "malformed-request",
        status: timedOut ? 408 : 400,
        address: socket.remoteAddress,
        message: timedOut ? `the request did not arrive within ${limits.requestTimeoutMs} ms` : `unreadable HTTP request (${error.code ?? error.message})`,
      });
      const status = timedOut ? "408 Request Timeout" : "400 Bad Request";
      const body = JSON.stringify({ error: timedOut ? "request timeout" : "bad request" });
      if (socket.writable) socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: ${body.length}\r\nContent-Type: application/json\r\n\r\n${body}`);
      socket.destroy();
    },
  });
  limitConnectionsPerAddress(app, limits.maxConnectionsPerAddress, rejections);

  // Keep the raw body: the Partner Center signature is computed over the exact bytes received.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body));

  /** Answers a refusal, closes the connection (a sender refused early may still be sending), logs and counts it. */
  function refuse(request: FastifyRequest, reply: FastifyReply, status: number, reason: string, message: string) {
    rejections.record({ source: sourceOf(request.url), reason, status, address: request.ip, message, requestId: request.id });
    // The body may quote what the sender sent: a line's worth at most.
    const error = message.length > 300 ? `${message.slice(0, 300)}…` : message;
    return reply.code(status).header("connection", "close").send({ error });
  }

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      deps.metrics.errors.inc({ kind: "http" });
      // 503, not 500: Dataverse retries a delivery once after 502/503/504 and never after a 500.
      return reply.code(503).header("retry-after", "5").send({ error: "temporarily unavailable", requestId: request.id });
    }
    // A body cut off by our request timeout (already logged as such) or by the client: nobody to answer.
    if (request.raw.aborted || request.raw.socket?.destroyed) return reply.code(400).send({ error: "request aborted" });
    const reason = error instanceof WebhookRejectedError ? error.reason : (FASTIFY_REASONS[error.code ?? ""] ?? "bad-request");
    return refuse(request, reply, status, reason, error.message);
  });

  // Fastify's own 404 would log the whole URL, and with it a webhook key sent to a wrong path.
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const message = `no endpoint ${request.method} ${path.slice(0, 100)}: the webhooks are POST /webhooks/dataverse and POST /webhooks/partner-center`;
    return refuse(request, reply, 404, "not-found", message);
  });

  app.post("/webhooks/dataverse", {
    // The key is checked before the body is read: an unauthenticated sender costs no body.
    onRequest: async (request, reply) => {
      const presented = presentedKey(request.query, request.headers["x-cosell-webhook-key"]);
      if ("problem" in presented) {
        const message = presented.problem === "repeated-key" ? "the webhook key must be given once, as one value" : "missing webhook key (the service endpoint's WebhookKey)";
        return refuse(request, reply, 401, presented.problem, message);
      }
      if (!keysMatch(presented.key, deps.dataverseWebhookKey)) return refuse(request, reply, 401, "wrong-key", "wrong webhook key (the service endpoint's WebhookKey)");
    },
    handler: async (request, reply) => {
      const rawBody = request.body;
      const context = parseJson(rawBody, "Dataverse RemoteExecutionContext", RemoteExecutionContextSchema.safeParse.bind(RemoteExecutionContextSchema));
      if (context.PrimaryEntityName !== Tables.opportunity.logicalName) {
        return refuse(request, reply, 400, "unexpected-table", `unexpected table ${context.PrimaryEntityName}: only ${Tables.opportunity.logicalName} is synced`);
      }
      const result = await deps.enqueue({
        source: "dataverse",
        kind: "opportunity",
        id: context.PrimaryEntityId.toLowerCase(),
        deliveryKey: dataverseDeliveryKey(context, rawBody as string),
        columnChange: columnChangeOf(context),
      });
      deps.metrics.webhooksReceived.inc({ source: "dataverse", outcome: result.duplicate ? "duplicate" : "accepted" });
      return reply.code(202).send({ accepted: true, duplicate: result.duplicate });
    },
  });

  app.post("/webhooks/partner-center", {
    onRequest: async (request, reply) => {
      const refusal = deps.screenPartnerCenterHeaders?.(request.headers);
      if (refusal) return refuse(request, reply, refusal.statusCode, refusal.reason, refusal.message);
    },
    handler: async (request, reply) => {
      if (typeof request.body !== "string" || request.body.length === 0) {
        return refuse(request, reply, 400, "empty-body", "empty body: expected a Partner Center event as JSON");
      }
      const event = await deps.verifyPartnerCenterEvent(request.body, request.headers);
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
    },
  });

  // Liveness only, for a load balancer that sees just this port; readiness and metrics are on the ops port (ops-server.ts).
  app.get("/healthz", async () => ({ status: "ok" }));
  return app;
}

/** Closes a client's connections past the cap at once, before they cost a parser or a timer. */
function limitConnectionsPerAddress(app: FastifyInstance, cap: number, rejections: RejectionRecorder): void {
  const open = new Map<string, number>();
  app.server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "?";
    const count = (open.get(address) ?? 0) + 1;
    if (count > cap) {
      rejections.record({ source: "other", reason: "too-many-connections", status: 0, address, message: `more than ${cap} open connections from one address` });
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

type SafeParse<T> = (value: unknown) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };

function parseJson<T>(body: unknown, what: string, safeParse: SafeParse<T>): T {
  if (typeof body !== "string" || body.length === 0) throw new WebhookRejectedError(400, `empty body: expected ${what} as JSON`, { reason: "empty-body" });
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new WebhookRejectedError(400, `body is not valid JSON: expected ${what}`, { cause: error, reason: "malformed-json" });
  }
  const parsed = safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new WebhookRejectedError(400, `not a valid ${what}: ${issues}`, { reason: "invalid-body" });
  }
  return parsed.data;
}
