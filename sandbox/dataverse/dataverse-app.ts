/**
 * Builds the fastify app of the Dataverse sandbox (no listening here): bearer-token check, the
 * shared fault injection and call counters, tolerant JSON body parsing, one handler for the Web API
 * paths, OData error bodies, and the /_sandbox/ control routes (reset, webhook deliveries).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { CallCounters, Faults, installFaultInjection } from "../shared/fault-injection";
import { handleApiRequest, type ApiDependencies, type ApiRequest, type ApiResponse } from "./api-handler";
import { runBatch } from "./batch-handler";
import { ErrorCode, ODataError } from "./odata-error";
import { API_PATH } from "./sandbox-context";
import { bearerToken } from "./security";
import { SERVICE_PROTECTION_REFUSALS, type ServiceProtection } from "./service-protection";

export interface DataverseAppOptions {
  deps: ApiDependencies;
  faults: Faults;
  counters: CallCounters;
  /** Resets data and schema to a new org (POST /_sandbox/reset). */
  reset: () => void;
  /** Webhook deliveries so far (GET /_sandbox/webhooks/deliveries). */
  deliveries: () => unknown;
  logger?: boolean;
  /** The service protection limits, per user; none when absent. */
  protection?: ServiceProtection;
  /** Bearer tokens the limits are not applied to (see DataverseSandboxOptions.unlimitedTokens). */
  unlimitedTokens?: readonly string[];
}

const API_PREFIX = `${API_PATH}/`;

function sendError(reply: FastifyReply, error: ODataError): FastifyReply {
  return reply.code(error.status).header("content-type", "application/json; odata.metadata=minimal").header("odata-version", "4.0").send(error.toBody());
}

function sendResponse(reply: FastifyReply, response: ApiResponse): FastifyReply {
  reply.code(response.status).headers(response.headers).header("odata-version", "4.0");
  if (response.body === undefined) return reply.send();
  if (typeof response.body === "string") return reply.send(response.body);
  return reply.header("content-type", "application/json; odata.metadata=minimal").send(JSON.stringify(response.body));
}

export function buildDataverseApp(options: DataverseAppOptions): FastifyInstance {
  const { deps, faults, counters } = options;
  // Solution zips arrive base64-encoded in a JSON body, so allow generous bodies.
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 * 1024 });

  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new ODataError(400, ErrorCode.PayloadError, "The request body is not valid JSON.", { cause: error }), undefined);
    }
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, String(body)));

  // Every Web API call needs a bearer token (any non-empty one in the sandbox), as an org does.
  app.addHook("onRequest", async (request, reply) => {
    if (!request.url.startsWith(API_PREFIX) && request.url !== API_PATH) return undefined;
    const authorization = request.headers.authorization ?? "";
    if (/^Bearer\s+\S+/i.test(authorization)) return undefined;
    reply.header("www-authenticate", `Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, resource_id=${deps.context.orgUrl}/`);
    return sendError(reply, new ODataError(401, ErrorCode.InvalidArgument, "The user is not authenticated: a bearer token is required."));
  });

  // Service protection limits, per user (api-limits.md): refused at once, before any work.
  const { protection } = options;
  const userOf = (request: FastifyRequest) => deps.context.security.identityOf(bearerToken(request.headers.authorization)).userId;
  const admitted = new WeakMap<FastifyRequest, { user: string; startedAt: number }>();
  if (protection) {
    app.addHook("onRequest", async (request, reply) => {
      if (!request.url.startsWith(API_PREFIX) && request.url !== API_PATH) return undefined;
      if (options.unlimitedTokens?.includes(bearerToken(request.headers.authorization))) return undefined;
      const user = userOf(request);
      const refusal = protection.admit(user);
      if (refusal) {
        // Counted apart from the calls served, so a benchmark can say how many 429s it provoked.
        counters.increment(`${SERVICE_PROTECTION_REFUSALS} ${refusal.code}`);
        reply.header("retry-after", String(refusal.retryAfterSeconds)).headers(protection.headers(user));
        return sendError(reply, new ODataError(429, refusal.code, refusal.message));
      }
      admitted.set(request, { user, startedAt: performance.now() });
      return undefined;
    });
    app.addHook("onSend", async (request, reply, payload) => {
      const entry = admitted.get(request);
      if (entry) reply.headers(protection.headers(entry.user));
      return payload;
    });
    app.addHook("onResponse", async (request) => {
      const entry = admitted.get(request);
      if (entry) protection.finish(entry.user, performance.now() - entry.startedAt);
    });
  }

  installFaultInjection(app, {
    faults,
    counters,
    apiPrefixes: [API_PREFIX],
    sendError: (reply, status, retryAfterSeconds) => {
      if (status === 429) {
        reply.header("retry-after", String(retryAfterSeconds ?? 1));
        return sendError(reply, new ODataError(429, ErrorCode.Throttled, "Number of requests exceeded the limit of 6000 over time window of 300 seconds."));
      }
      if (status === 412) {
        return sendError(reply, new ODataError(412, ErrorCode.ConcurrencyVersionMismatch, "The version of the existing record doesn't match the RowVersion property provided."));
      }
      return sendError(reply, new ODataError(503, ErrorCode.ServerError, "The service is temporarily unavailable."));
    },
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ODataError) return sendError(reply, error);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return sendError(reply, new ODataError(status, ErrorCode.InvalidArgument, (error as Error).message));
    }
    request.log.error(error);
    return sendError(reply, new ODataError(500, ErrorCode.ServerError, "An unexpected error occurred."));
  });

  const depsWithBatch: ApiDependencies = {
    ...deps,
    countBatchRequest: (authorization) => protection?.count(deps.context.security.identityOf(bearerToken(authorization)).userId),
  };
  depsWithBatch.runBatch = (request) => runBatch(depsWithBatch, request);

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const [path = "", queryString = ""] = request.url.split(/\?(.*)/s);
    const query: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(queryString)) query[name] = value;
    const apiRequest: ApiRequest = {
      method: request.method,
      resourcePath: path.slice(API_PATH.length),
      url: request.url,
      query,
      headers: request.headers,
      body: request.body,
    };
    return sendResponse(reply, await handleApiRequest(depsWithBatch, apiRequest));
  };

  // One route per entity set shape, so call counters read "GET /api/data/v9.2/opportunities(:key)".
  for (const table of deps.context.schema.tables()) {
    app.route({ method: ["GET", "POST"], url: `${API_PATH}/${table.entitySetName}`, handler });
    app.route({ method: ["GET", "PATCH", "DELETE"], url: `${API_PATH}/${table.entitySetName}(:key)`, handler });
  }
  app.route({ method: ["GET", "POST", "PATCH", "DELETE", "PUT"], url: `${API_PATH}/*`, handler });
  app.get(API_PATH, handler);

  app.post("/_sandbox/reset", async () => {
    options.reset();
    return { reset: true };
  });
  app.get("/_sandbox/webhooks/deliveries", async () => options.deliveries());
  return app;
}
