/**
 * The "Microsoft seller" surface: what a Microsoft seller or Partner Center itself would do, so tests
 * and rehearsals can drive the inbound side. Under `/_sandbox/microsoft/` so it can never be mistaken
 * for a documented path, and not behind the bearer check (it is not the partner's API).
 *
 *   POST  /_sandbox/microsoft/referrals                    send the partner an inbound co-sell referral
 *   PATCH /_sandbox/microsoft/engagements/:engagementId    update Microsoft's side (related referral)
 *   POST  /_sandbox/microsoft/expire                       expire unanswered invitations ({asOf} or {referralId})
 *   POST  /_sandbox/partner-center/referrals               a referral as Partner Center holds it (recorded
 *                                                          shapes, marketplace leads), checked against the docs
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { MemberSchema, StatusSchema as ReferralStatusSchema, SubstatusSchema as ReferralSubstatusSchema } from "./referral-schema";
import { SandboxApiError } from "./api-error";
import type { ReferralService } from "./referral-service";

const MicrosoftSideChangeSchema = z
  .object({
    status: ReferralStatusSchema.optional(),
    substatus: ReferralSubstatusSchema.optional(),
    statusReason: z.string().optional(),
    team: z.array(MemberSchema).optional(),
    notes: z.string().optional(),
    /** Microsoft's own CRM id for the deal (the "Microsoft CRM Identifier" on the opportunity). */
    externalReferenceId: z.string().optional(),
  })
  .strict();

const ExpireSchema = z.object({ asOf: z.iso.datetime({ offset: true }).optional(), referralId: z.string().optional() }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new SandboxApiError(400, "invalidRequest", parsed.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; "));
  }
  return parsed.data;
}

export function registerMicrosoftSellerRoutes(app: FastifyInstance, service: ReferralService): void {
  app.post("/_sandbox/microsoft/referrals", async (request, reply) => {
    const input = parse(z.looseObject({}), request.body);
    return reply.code(201).send(service.createInboundReferral(input));
  });

  app.patch<{ Params: { engagementId: string } }>("/_sandbox/microsoft/engagements/:engagementId", async (request) =>
    service.updateMicrosoftSide(request.params.engagementId, parse(MicrosoftSideChangeSchema, request.body)),
  );

  app.post("/_sandbox/partner-center/referrals", async (request, reply) => reply.code(201).send(service.seedRecorded(request.body)));

  app.post("/_sandbox/microsoft/expire", async (request) => {
    const body = parse(ExpireSchema, request.body);
    const expired = service.expire({ asOf: body.asOf ? new Date(body.asOf) : undefined, referralId: body.referralId });
    return { expired };
  });
}
