/**
 * `/v1.0/engagements/referrals` (reference §1.3 - §1.5): list, get, create, PUT, PATCH.
 * Every referral response carries the ETag header as well as the `eTag` property.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Referral } from "./referral-schema";
import { SandboxApiError } from "./api-error";
import { NEXT_PAGE_PATH, type ListQuery, type ReferralService } from "./referral-service";

export const REFERRALS_PATH = "/v1.0/engagements/referrals";

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendReferral(reply: FastifyReply, referral: Referral, status = 200): FastifyReply {
  return reply.code(status).header("etag", referral.eTag).send(referral);
}

export function registerReferralRoutes(app: FastifyInstance, service: ReferralService): void {
  app.get(REFERRALS_PATH, async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const listQuery: ListQuery = {
      filter: query.$filter,
      orderby: query.$orderby,
      top: query.$top,
      skiptoken: query.$skiptoken,
      count: query.$count,
    };
    return service.list(listQuery);
  });

  // The documented next-page links point here, carrying only $skiptoken.
  app.get(NEXT_PAGE_PATH, async (request) => {
    const skiptoken = (request.query as Record<string, string | undefined>).$skiptoken;
    if (skiptoken === undefined) throw new SandboxApiError(400, "invalidRequest", "$skiptoken is required; follow @odata.nextLink as given", "$skiptoken");
    return service.list({ skiptoken });
  });

  app.get<{ Params: { id: string } }>(`${REFERRALS_PATH}/:id`, async (request, reply) => sendReferral(reply, service.get(request.params.id)));

  // The connector swagger documents 200 with the created referral (§1.3).
  app.post(REFERRALS_PATH, async (request, reply) => sendReferral(reply, service.create(request.body)));

  app.put<{ Params: { id: string } }>(`${REFERRALS_PATH}/:id`, async (request, reply) =>
    sendReferral(reply, service.replace(request.params.id, request.body, header(request.headers["if-match"]))),
  );

  app.patch<{ Params: { id: string } }>(`${REFERRALS_PATH}/:id`, async (request, reply) => {
    const updated = service.patch(request.params.id, request.body, header(request.headers["if-match"]));
    // Without `Prefer: return=representation` PATCH answers 204 No Content (§1.5).
    const prefer = header(request.headers.prefer) ?? "";
    if (/return=representation/i.test(prefer)) return sendReferral(reply, updated);
    return reply.code(204).header("etag", updated.eTag).send();
  });
}
