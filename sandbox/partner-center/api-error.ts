/**
 * Partner Center's error body (reference §1.10): `{ error: { code, message, target, innerError } }`.
 * Every sandbox failure on a documented path answers with it, so the client's error parsing is
 * exercised exactly as against the real service.
 */
import type { FastifyReply } from "fastify";
import type { ErrorBody as PartnerCenterErrorBody } from "./referral-schema";

export class SandboxApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = "SandboxApiError";
  }
}

export function errorBody(code: string, message: string, target?: string): PartnerCenterErrorBody {
  return { error: { code, message, ...(target ? { target } : {}) } };
}

export function sendApiError(reply: FastifyReply, error: SandboxApiError): FastifyReply {
  return reply.code(error.status).send(errorBody(error.code, error.message, error.target));
}
