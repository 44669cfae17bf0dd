/**
 * Forwards a path prefix of the page server to a sandbox. In Dynamics 365 the form and the Web API
 * share one origin, so Xrm.WebApi calls need no CORS; the sandboxes listen on their own ports and
 * (like the real services) send no CORS headers, so the page server stands in for the org's origin
 * and passes requests through unchanged, bearer token included. Absolute URLs the sandbox writes
 * into responses (OData-EntityId, @odata.nextLink) are rewritten to this origin, as a reverse proxy
 * does, so a client that follows them stays on the page's origin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const FORWARDED_REQUEST_HEADERS = ["authorization", "content-type", "accept", "if-match", "if-none-match", "prefer", "odata-version", "odata-maxversion", "client-request-id"];
const FORWARDED_RESPONSE_HEADERS = ["content-type", "odata-entityid", "location", "etag", "preference-applied", "odata-version", "retry-after", "www-authenticate", "request-id"];

export interface ProxyRoute {
  /** Path prefix on the page server, e.g. /api/data/v9.2 or /partner-center. */
  prefix: string;
  /** Base URL of the target; the part of the path after `strip` is appended to it. */
  target: string;
  /** Leading part of the incoming path to drop before forwarding ("" keeps the path as is). */
  strip: string;
}

function rewrite(value: string, from: string, to: string): string {
  return value.split(from).join(to);
}

export async function registerReverseProxy(app: FastifyInstance, route: ProxyRoute): Promise<void> {
  await app.register(async (scope) => {
    // Bodies pass through byte for byte; the target parses them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const target = new URL(route.target);
      const targetOrigin = target.origin;
      const pageOrigin = `${request.protocol}://${request.headers.host ?? ""}`;
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = request.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      const hasBody = request.method !== "GET" && request.method !== "HEAD" && Buffer.isBuffer(request.body);
      const response = await fetch(`${route.target.replace(/\/$/, "")}${request.url.slice(route.strip.length)}`, {
        method: request.method,
        headers,
        body: hasBody ? new Uint8Array(request.body as Buffer) : undefined,
      });
      reply.code(response.status);
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) reply.header(name, rewrite(value, targetOrigin, `${pageOrigin}${route.strip}`));
      }
      const body = Buffer.from(await response.arrayBuffer());
      if (body.length === 0) return reply.send();
      const type = response.headers.get("content-type") ?? "";
      return reply.send(/json|text|xml/.test(type) ? rewrite(body.toString("utf8"), targetOrigin, `${pageOrigin}${route.strip}`) : body);
    };
    scope.route({ method: ["GET", "POST", "PATCH", "PUT", "DELETE"], url: `${route.prefix}/*`, handler });
    scope.route({ method: ["GET"], url: route.prefix, handler });
  });
}
