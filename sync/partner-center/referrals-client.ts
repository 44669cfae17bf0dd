/**
 * Typed client for `/v1.0/engagements/referrals` (reference §1.3 - §1.7).
 *
 * Updates use PATCH (JSON Patch) with If-Match: the docs make If-Match optional on PATCH, but the sync
 * engine always sends the eTag it merged against, so a concurrent write becomes a 412 instead of a lost
 * update (reference §6 "Always send If-Match"). PUT is offered for completeness; it replaces the whole
 * referral and so needs every field, including ones this code does not model (the schemas keep them).
 */
import { PartnerCenterError, parseOrThrow } from "./partner-center-error";
import { PartnerCenterHttp, type PartnerCenterHttpOptions } from "./partner-center-http";
import {
  ReferralPageSchema,
  ReferralSchema,
  checkStatusChange,
  type JsonPatchOperation,
  type Referral,
  type ReferralCreate,
  type ReferralPage,
  type ReferralStatus,
  type ReferralSubstatus,
} from "./referral-types";

export const REFERRALS_PATH = "/v1.0/engagements/referrals";

export interface ReferralQuery {
  /** OData $filter, e.g. `direction eq 'Incoming' and substatus eq 'Pending'`. */
  filter?: string;
  /** `createdDateTime` or `updatedDateTime`, with asc/desc. */
  orderBy?: string;
  /** Page size. */
  top?: number;
}

/** An OData string literal. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export class ReferralsClient {
  private readonly http: PartnerCenterHttp;

  /** `baseUrl`: https://api.partner.microsoft.com in production, the sandbox URL otherwise. */
  constructor(options: PartnerCenterHttpOptions) {
    this.http = new PartnerCenterHttp(options);
  }

  /** One page per iteration, following @odata.nextLink as given (never rebuilt, reference §1.1). */
  async *pages(query: ReferralQuery = {}): AsyncGenerator<ReferralPage> {
    const params = new URLSearchParams();
    if (query.filter) params.set("$filter", query.filter);
    if (query.orderBy) params.set("$orderby", query.orderBy);
    if (query.top !== undefined) params.set("$top", String(query.top));
    let next: string | undefined = params.size > 0 ? `${REFERRALS_PATH}?${params.toString()}` : REFERRALS_PATH;
    while (next) {
      const result = await this.http.request({ method: "GET", url: next });
      const page = parseOrThrow(ReferralPageSchema, result.body, "a referral list page");
      yield page;
      next = page["@odata.nextLink"] ?? undefined;
    }
  }

  /** Every matching referral across all pages. */
  async *list(query: ReferralQuery = {}): AsyncGenerator<Referral> {
    for await (const page of this.pages(query)) yield* page.value;
  }

  async get(id: string): Promise<Referral> {
    const result = await this.http.request({ method: "GET", url: `${REFERRALS_PATH}/${encodeURIComponent(id)}` });
    return parseOrThrow(ReferralSchema, result.body, "a referral");
  }

  /** The referral linked to an opportunity, for idempotent creates (DESIGN §5). */
  async findByExternalReferenceId(externalReferenceId: string): Promise<Referral | undefined> {
    for await (const referral of this.list({ filter: `externalReferenceId eq ${quote(externalReferenceId)}`, top: 1 })) return referral;
    return undefined;
  }

  async create(referral: ReferralCreate): Promise<Referral> {
    const result = await this.http.request({ method: "POST", url: REFERRALS_PATH, body: referral });
    return parseOrThrow(ReferralSchema, result.body, "the created referral");
  }

  /**
   * JSON Patch update, conditional on `eTag` when given. Asks for the updated referral back
   * (`Prefer: return=representation`) so the caller has the new eTag without another GET.
   */
  async patch(id: string, operations: readonly JsonPatchOperation[], options: { eTag?: string } = {}): Promise<Referral> {
    const headers: Record<string, string> = { prefer: "return=representation", "content-type": "application/json" };
    if (options.eTag) headers["if-match"] = options.eTag;
    const result = await this.http.request({ method: "PATCH", url: `${REFERRALS_PATH}/${encodeURIComponent(id)}`, body: operations, headers });
    if (result.body === undefined) {
      // A server that ignores Prefer answers 204; read the referral so callers always get one.
      return this.get(id);
    }
    return parseOrThrow(ReferralSchema, result.body, "the updated referral");
  }

  /** Full replace; If-Match is required by the service for PUT (reference §1.7). */
  async replace(referral: Referral): Promise<Referral> {
    const result = await this.http.request({
      method: "PUT",
      url: `${REFERRALS_PATH}/${encodeURIComponent(referral.id)}`,
      body: referral,
      headers: { "if-match": referral.eTag },
    });
    return parseOrThrow(ReferralSchema, result.body, "the updated referral");
  }

  /**
   * Moves a referral to a new status/substatus (accept, decline, win, lose), checking the documented
   * transition table first so a forbidden move fails here with a clear reason instead of a 400.
   */
  async changeStatus(
    current: Referral,
    to: { status: ReferralStatus; substatus: ReferralSubstatus; statusReason?: string },
  ): Promise<Referral> {
    const check = checkStatusChange(current, to);
    if (!check.ok) {
      throw new PartnerCenterError(`Cannot change referral ${current.id}: ${check.reason}`, { status: 0, code: "invalidRequest", retryable: false, target: "status" });
    }
    const operations: JsonPatchOperation[] = [
      { op: "replace", path: "/status", value: to.status },
      { op: "replace", path: "/substatus", value: to.substatus },
    ];
    if (to.statusReason !== undefined) operations.push({ op: "add", path: "/statusReason", value: to.statusReason });
    return this.patch(current.id, operations, { eTag: current.eTag });
  }
}
