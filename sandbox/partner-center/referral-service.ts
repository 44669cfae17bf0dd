/**
 * The referral rules of the Partner Center sandbox, independent of HTTP: create, list, get, PUT, PATCH,
 * and the Microsoft-seller actions. Routes translate requests into these calls and SandboxApiError into
 * the documented error body.
 *
 * Rules implemented, with their source in shared/reference/partner-center-referrals-api.md:
 * - POST requires type, customerProfile, consent, details (§1.6); partner-created deals start
 *   Active/Accepted and Outgoing (§1.9).
 * - Every write gets a new quoted eTag and a later updatedDateTime (§1.7, §1.8).
 * - PUT needs If-Match; PATCH checks it only when sent; a mismatch is 412 preconditionFailed (§1.7).
 * - status/substatus follow the transition table; Closed (Won/Lost/Declined/Expired) accepts no update.
 * - consentToShareReferralWithMicrosoftSellers cannot go from true back to false (§3.2).
 */
import { randomUUID } from "node:crypto";
import {
  JsonPatchDocumentSchema,
  MICROSOFT_ORGANIZATION_ID,
  REQUIRED_CREATE_FIELDS,
  ReferralCreateSchema,
  ReferralSchema,
  SUBSTATUSES_NEEDING_A_REASON,
  isClosed as isTerminal,
  statusChangeProblem,
  type Referral,
  type Status as ReferralStatus,
  type Substatus as ReferralSubstatus,
} from "./referral-schema";
import { SandboxApiError } from "./api-error";
import { JsonPatchError, applyJsonPatch } from "./json-patch";
import { ODataFilterError, matchesFilter, parseODataFilter, pinnedEngagementId, type FilterNode } from "./odata-filter";
import type { ReferralOwner, SandboxState, StoredReferral } from "./sandbox-state";

export type ReferralEventName = "referral-created" | "referral-updated" | "related-referral-created" | "related-referral-updated";

export interface ReferralServiceOptions {
  state: SandboxState;
  /** Base URL of the sandbox, for links and nextLink (known only once the server listens). */
  baseUrl: () => string;
  partner: { organizationId: string; organizationName: string };
  now: () => Date;
  emit: (eventName: ReferralEventName, referral: Referral) => void;
  /** Referrals per page, at most MAX_PAGE_SIZE (tests page through small sets with a smaller one). */
  pageSize?: number;
  /**
   * Fields a $filter may not name (answered 400). Whether the real service filters on fields beyond
   * its documented examples (engagementId, status, substatus) is unknown; a run can refuse them.
   */
  refusedFilterFields?: readonly string[];
}

export interface ListQuery {
  filter?: string;
  orderby?: string;
  top?: string;
  skiptoken?: string;
  count?: string;
}

export interface ReferralListPage {
  "@odata.context": string;
  "@odata.count": number;
  value: Referral[];
  "@odata.nextLink"?: string;
}

/** Pages hold at most 100 referrals (the connector's documentation). */
export const MAX_PAGE_SIZE = 100;

/** Where the documented next-page links point (not the request's /v1.0/engagements/referrals). */
export const NEXT_PAGE_PATH = "/v1.0/referrals";

/**
 * Microsoft's side of an engagement is owned by a GUID like any organization (real responses never
 * show "msft" as an owner) and addressed to Microsoft: `target` names "msft", which is how a client
 * tells it apart (real-world-contract: "msft appears in invitedBy.organizationId and target.id").
 */
export const MICROSOFT_TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const MICROSOFT_TARGET = [{ type: "BusinessProfileLocation", id: MICROSOFT_ORGANIZATION_ID }];

/** Microsoft sellers have 14 days to answer a co-sell invitation (§1.6, §1.9). */
export const INVITATION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;

/** Set by the server; a PUT body's values for them are ignored, a PATCH on them is rejected. */
const SERVER_MANAGED_FIELDS = new Set([
  "id",
  "engagementId",
  "createdDateTime",
  "updatedDateTime",
  "acceptedDateTime",
  "expirationDateTime",
  "eTag",
  "direction",
  "organizationId",
  "organizationName",
  "links",
]);

/** The create docs' four consent flags. */
const CONSENT_FLAGS = ["consentToToShareInfoWithOthers", "consentToContact", "consentToMicrosoftToContactSpecificPartners", "consentToShareReferralWithMicrosoftSellers"] as const;
const SERVICES_COSELL_FIELDS = ["partnerRole", "solutionArea", "solutionPlay"] as const;

const ORDERABLE_FIELDS = new Set(["createdDateTime", "updatedDateTime"]);

function newETag(): string {
  return `"${randomUUID()}"`;
}

/** `W/"x"`, `"x"` and `x` name the same eTag. */
function normalizeETag(value: string): string {
  return value.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

function invalid(message: string, target?: string): SandboxApiError {
  return new SandboxApiError(400, "invalidRequest", message, target);
}

function zodMessage(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join("/") || "(body)"}: ${issue.message}`).join("; ");
}

export class ReferralService {
  constructor(private readonly options: ReferralServiceOptions) {}

  private get state(): SandboxState {
    return this.options.state;
  }

  /** updatedDateTime strictly increases per referral, so "changed since" queries never miss a write. */
  private stamp(previous?: string): string {
    const now = this.options.now().getTime();
    const floor = previous ? Date.parse(previous) + 1 : 0;
    return new Date(Math.max(now, floor)).toISOString();
  }

  private links(id: string, engagementId: string): Referral["links"] {
    const base = this.options.baseUrl();
    return {
      self: { uri: `${base}/v1.0/engagements/referrals/${id}`, method: "GET" },
      relatedReferrals: {
        uri: `${base}/v1.0/engagements/referrals?$filter=${encodeURIComponent(`engagementId eq '${engagementId}'`)}`,
        method: "GET",
      },
    };
  }

  private find(id: string): StoredReferral {
    const stored = this.state.referrals.get(id);
    if (!stored) throw new SandboxApiError(404, "itemNotFound", `Referral ${id} was not found`, "id");
    return stored;
  }

  private checkIfMatch(stored: StoredReferral, ifMatch: string | undefined): void {
    if (ifMatch === undefined || ifMatch.trim() === "*") return;
    if (normalizeETag(ifMatch) !== normalizeETag(stored.referral.eTag)) {
      throw new SandboxApiError(412, "preconditionFailed", "The referral was modified since it was read (eTag mismatch); read it again and retry", "If-Match");
    }
  }

  private store(owner: ReferralOwner, referral: Referral, event: ReferralEventName): Referral {
    this.state.referrals.set(referral.id, { owner, referral });
    this.state.save();
    this.options.emit(event, referral);
    return structuredClone(referral);
  }

  // ---------------------------------------------------------------------------------------------
  // Reads
  // ---------------------------------------------------------------------------------------------

  get(id: string): Referral {
    return structuredClone(this.find(id).referral);
  }

  list(request: ListQuery): ReferralListPage {
    // A next-page request carries only $skiptoken: the token holds the first request's query.
    const { query, offset } = request.skiptoken === undefined ? { query: request, offset: 0 } : this.parseSkipToken(request.skiptoken);
    const refused = this.options.refusedFilterFields?.find((field) => query.filter && new RegExp(`\\b${field}\\b`).test(query.filter));
    if (refused) throw invalid(`$filter on ${refused} is not supported`, "$filter");
    let filter: FilterNode | undefined;
    try {
      filter = query.filter ? parseODataFilter(query.filter) : undefined;
    } catch (error) {
      if (error instanceof ODataFilterError) throw invalid(error.message, "$filter");
      throw error;
    }
    const order = this.parseOrderBy(query.orderby);
    const total = this.parseTop(query.top);

    // Microsoft's side of an engagement shows up only when the caller asks for that engagement (the
    // relatedReferrals link); a plain list returns the partner's own referrals [I].
    const includeMicrosoftSide = pinnedEngagementId(filter) !== undefined;
    const matches = [...this.state.referrals.values()]
      .filter((stored) => stored.owner === "partner" || includeMicrosoftSide)
      .map((stored) => stored.referral)
      .filter((referral) => !filter || matchesFilter(filter, referral));
    let ordered = matches;
    if (order.length > 0) {
      // Each timestamp parsed once, not at every comparison (a page of 10,000 referrals sorts them all).
      const keyed = matches.map((referral) => ({ referral, times: order.map(({ field }) => Date.parse(referral[field])) }));
      keyed.sort((a, b) => {
        for (const [index, { descending }] of order.entries()) {
          const difference = (a.times[index] ?? 0) - (b.times[index] ?? 0);
          if (difference !== 0) return descending ? -difference : difference;
        }
        return 0;
      });
      ordered = keyed.map(({ referral }) => referral);
    }
    const end = Math.min(ordered.length, total, offset + this.pageSize);
    const value = ordered.slice(offset, end).map((referral) => structuredClone(referral));
    const base = this.options.baseUrl();
    const page: ReferralListPage = {
      "@odata.context": `${base}/v1.0/$metadata#Referrals`,
      // The total of matching referrals, as OData defines @odata.count; the docs do not say [I].
      "@odata.count": matches.length,
      value,
    };
    if (end < Math.min(ordered.length, total)) {
      // Offset paging over the live list: a write between pages can shift items, as on any
      // snapshot-less service; the reconcile loop tolerates it by ordering on updatedDateTime.
      // The documented form (2019 and 2023 samples): http, the short /v1.0/referrals path, only $skiptoken.
      const token = Buffer.from(JSON.stringify({ query: { filter: query.filter, orderby: query.orderby, top: query.top }, offset: end })).toString("base64url");
      page["@odata.nextLink"] = `http://${new URL(base).host}${NEXT_PAGE_PATH}?$skiptoken=${token}`;
    }
    return page;
  }

  private parseOrderBy(orderby: string | undefined): { field: "createdDateTime" | "updatedDateTime"; descending: boolean }[] {
    if (!orderby) return [];
    return orderby.split(",").map((clause) => {
      const [field, direction, ...rest] = clause.trim().split(/\s+/);
      if (!field || !ORDERABLE_FIELDS.has(field) || rest.length > 0 || (direction && !/^(asc|desc)$/i.test(direction))) {
        throw invalid(`$orderby supports createdDateTime and updatedDateTime with asc or desc; got '${clause.trim()}'`, "$orderby");
      }
      return { field: field as "createdDateTime" | "updatedDateTime", descending: direction?.toLowerCase() === "desc" };
    });
  }

  /** $top is the total to return, not a page size (the connector's documentation). */
  private parseTop(top: string | undefined): number {
    if (top === undefined) return Number.POSITIVE_INFINITY;
    const value = Number(top);
    if (!Number.isInteger(value) || value < 1) throw invalid(`$top must be a positive integer; got '${top}'`, "$top");
    return value;
  }

  private get pageSize(): number {
    return Math.min(MAX_PAGE_SIZE, this.options.pageSize ?? MAX_PAGE_SIZE);
  }

  private parseSkipToken(token: string): { query: ListQuery; offset: number } {
    try {
      const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { query?: ListQuery; offset?: unknown };
      const { offset, query } = parsed;
      if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0 && query && typeof query === "object") return { query, offset };
    } catch {
      // fall through to the 400 below
    }
    throw invalid("$skiptoken is not one this service issued; follow @odata.nextLink as given", "$skiptoken");
  }

  // ---------------------------------------------------------------------------------------------
  // Writes by the partner
  // ---------------------------------------------------------------------------------------------

  create(body: unknown): Referral {
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalid("The request body must be a referral object");
    const missing = REQUIRED_CREATE_FIELDS.filter((field) => (body as Record<string, unknown>)[field] == null);
    if (missing.length > 0) {
      throw invalid(`The following required fields are missing: ${missing.join(", ")}`, missing[0]);
    }
    const parsed = ReferralCreateSchema.safeParse(body);
    if (!parsed.success) throw invalid(zodMessage(parsed.error.issues), String(parsed.error.issues[0]?.path[0] ?? ""));
    this.checkConsentFlags(parsed.data.consent);
    this.checkBusinessRules(parsed.data as unknown as Referral);

    const input = body as Record<string, unknown>;
    const targetsMicrosoft =
      Array.isArray(parsed.data.target) &&
      parsed.data.target.some((target) => target.type === "BusinessProfileLocation" && target.id === MICROSOFT_ORGANIZATION_ID);
    const engagementId = parsed.data.engagementId ?? randomUUID();
    if (parsed.data.engagementId && ![...this.state.referrals.values()].some((stored) => stored.referral.engagementId === engagementId)) {
      throw new SandboxApiError(404, "itemNotFound", `Engagement ${engagementId} was not found`, "engagementId");
    }
    const id = randomUUID();
    const now = this.stamp();
    // Copy the request, then overwrite what the server owns.
    const referral: Referral = {
      ...input,
      ...parsed.data,
      id,
      engagementId,
      name: parsed.data.name ?? "",
      createdDateTime: now,
      updatedDateTime: now,
      qualification: parsed.data.qualification ?? "None",
      eTag: newETag(),
      links: this.links(id, engagementId),
    } as Referral;

    if (targetsMicrosoft) {
      // The second referral of a shared engagement, addressed to Microsoft (§1.6 "Shared referral
      // across two parties"): it is Microsoft's side, waiting for a Microsoft seller to answer.
      Object.assign(referral, {
        organizationId: MICROSOFT_TENANT_ID,
        organizationName: "Microsoft",
        status: "New",
        substatus: "Pending",
        direction: "Incoming",
        expirationDateTime: new Date(Date.parse(now) + INVITATION_LIFETIME_MS).toISOString(),
      });
      return this.store("microsoft", referral, "related-referral-created");
    }
    // Deals a partner creates start Accepted (§1.9: CSV rule and the 2019 create response).
    Object.assign(referral, {
      organizationId: this.options.partner.organizationId,
      organizationName: this.options.partner.organizationName,
      status: "Active",
      substatus: "Accepted",
      direction: "Outgoing",
      acceptedDateTime: now,
    });
    return this.store("partner", referral, "referral-created");
  }

  replace(id: string, body: unknown, ifMatch: string | undefined): Referral {
    if (ifMatch === undefined) {
      // PUT without If-Match: the docs make the header required (§1.5, §1.7) but do not give the
      // answer; we use 400 invalidRequest [I].
      throw invalid("If-Match is required on PUT; send the eTag you read", "If-Match");
    }
    const stored = this.find(id);
    this.checkWritable(stored);
    this.checkIfMatch(stored, ifMatch);
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalid("The request body must be a referral object");
    const input = body as Record<string, unknown>;
    if (input.id !== undefined && input.id !== id) throw invalid(`The body's id ${String(input.id)} does not match the URL's ${id}`, "id");
    const next: Record<string, unknown> = { ...input };
    for (const field of SERVER_MANAGED_FIELDS) {
      if (field in stored.referral) next[field] = stored.referral[field as keyof Referral];
      else delete next[field];
    }
    return this.applyUpdate(stored, next);
  }

  patch(id: string, body: unknown, ifMatch: string | undefined): Referral {
    const stored = this.find(id);
    this.checkWritable(stored);
    this.checkIfMatch(stored, ifMatch);
    const parsed = JsonPatchDocumentSchema.safeParse(body);
    if (!parsed.success) {
      throw invalid(`The body must be a JSON Patch array of "replace"/"add" operations: ${zodMessage(parsed.error.issues)}`);
    }
    for (const operation of parsed.data) {
      const root = operation.path.split("/")[1] ?? "";
      if (SERVER_MANAGED_FIELDS.has(root)) throw invalid(`${operation.path} is set by Partner Center and cannot be changed`, operation.path);
    }
    let next: Referral;
    try {
      next = applyJsonPatch(stored.referral, parsed.data);
    } catch (error) {
      if (error instanceof JsonPatchError) throw invalid(error.message, error.target);
      throw error;
    }
    return this.applyUpdate(stored, next as unknown as Record<string, unknown>);
  }

  private checkWritable(stored: StoredReferral): void {
    if (stored.owner === "microsoft") {
      throw new SandboxApiError(403, "accessDenied", "This referral belongs to Microsoft's side of the engagement and cannot be changed by the partner");
    }
    if (isTerminal(stored.referral.status)) {
      // Terminal states allow no update (§1.7); the HTTP status is not documented, 400 is our pick [I].
      throw invalid(
        `Referral is ${stored.referral.status}/${stored.referral.substatus}, a terminal state that accepts no updates`,
        "status",
      );
    }
  }

  /** Validates the whole updated referral, checks the rules, stamps it and stores it. */
  private applyUpdate(stored: StoredReferral, candidate: Record<string, unknown>, event: ReferralEventName = "referral-updated"): Referral {
    const parsed = ReferralSchema.safeParse(candidate);
    if (!parsed.success) throw invalid(zodMessage(parsed.error.issues), String(parsed.error.issues[0]?.path.join("/") ?? ""));
    const previous = stored.referral;
    const next = candidate as Referral;
    const statusChanged = previous.status !== parsed.data.status || previous.substatus !== parsed.data.substatus;
    if (statusChanged) {
      const problem = statusChangeProblem(previous, parsed.data);
      if (problem) throw invalid(problem, "status");
      if (SUBSTATUSES_NEEDING_A_REASON.includes(parsed.data.substatus) && !parsed.data.statusReason?.trim()) {
        // The portal and bulk upload require a reason to close as Declined, Lost or Error.
        throw invalid(`Closing a referral as ${parsed.data.substatus} needs a statusReason`, "statusReason");
      }
      if (parsed.data.substatus === "Expired" && stored.owner === "partner") {
        throw invalid("Only Partner Center expires a referral", "substatus");
      }
      if (parsed.data.status === "Active" && previous.status !== "Active") next.acceptedDateTime = this.stamp();
    }
    if (previous.consent?.consentToShareReferralWithMicrosoftSellers === true && parsed.data.consent.consentToShareReferralWithMicrosoftSellers !== true) {
      throw invalid("Once shared with Microsoft sellers, a referral cannot be unshared", "consent/consentToShareReferralWithMicrosoftSellers");
    }
    // Help read-only and the services co-sell fields bind incoming referrals too. The solution and
    // contact rule does not: real incoming co-sell referrals come without a solution (recorded dumps).
    this.checkHelpKept(previous, parsed.data);
    this.checkServicesCoSell(parsed.data.details);
    if (parsed.data.direction !== "Incoming") this.checkBusinessRules(parsed.data);
    next.updatedDateTime = this.stamp(previous.updatedDateTime);
    next.eTag = newETag();
    return this.store(stored.owner, next, event);
  }

  /**
   * Partner Center's co-sell rules that the docs say bite API-created deals too (§1.6): the customer's
   * country is ISO 3166 alpha-2; a co-sell deal (help requested) names at least one solution and a
   * customer contact.
   */
  /**
   * "How can Microsoft help" is read-only once chosen (portal and bulk-upload rules, real-world-contract;
   * assumed enforced by the API).
   */
  private checkHelpKept(previous: Referral, next: Referral): void {
    const before = previous.inviteContext?.assistanceRequestCode;
    if (!before || before === "Unknown") return;
    if (next.inviteContext?.assistanceRequestCode !== before) {
      throw invalid(`inviteContext.assistanceRequestCode is read-only once chosen ('${before}')`, "inviteContext/assistanceRequestCode");
    }
  }

  /**
   * A create states each of the four consent flags (the create docs' example sends all four; the
   * portal asks each): one left out or null is refused.
   */
  private checkConsentFlags(consent: Record<string, unknown>): void {
    const undecided = CONSENT_FLAGS.filter((flag) => typeof consent[flag] !== "boolean");
    if (undecided.length > 0) throw invalid(`consent must state each of ${CONSENT_FLAGS.join(", ")} as true or false; missing: ${undecided.join(", ")}`, `consent/${undecided[0]}`);
  }

  /**
   * Services co-sell: partnerRole, solutionArea and solutionPlay come together (create docs, FY26), in
   * either place Partner Center keeps them.
   */
  private checkServicesCoSell(details: Referral["details"]): void {
    const places = [details.additionalRequirements, details.requirements?.additionalRequirements];
    const given = SERVICES_COSELL_FIELDS.filter((field) => places.some((place) => place?.[field] != null));
    if (given.length > 0 && given.length < SERVICES_COSELL_FIELDS.length) {
      const missing = SERVICES_COSELL_FIELDS.filter((field) => !given.includes(field));
      throw invalid(`A services co-sell referral needs ${SERVICES_COSELL_FIELDS.join(", ")} together; missing: ${missing.join(", ")}`, `details/requirements/additionalRequirements/${missing[0]}`);
    }
  }

  private checkBusinessRules(referral: Pick<Referral, "customerProfile" | "details" | "inviteContext">): void {
    this.checkServicesCoSell(referral.details);
    const country = referral.customerProfile.address?.country;
    if (country != null && !/^[A-Z]{2}$/.test(country)) {
      throw invalid(`customerProfile.address.country must be an ISO 3166 alpha-2 code such as 'US'; got '${country}'`, "customerProfile/address/country");
    }
    const help = referral.inviteContext?.assistanceRequestCode;
    if (help && help !== "Unknown") {
      if (!referral.details.requirements?.solutions?.length) {
        throw invalid("A co-sell referral (Microsoft help requested) needs at least one solution in details.requirements.solutions", "details/requirements/solutions");
      }
      if (!referral.customerProfile.team?.length) {
        throw invalid("A co-sell referral (Microsoft help requested) needs a customer contact in customerProfile.team", "customerProfile/team");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Referrals as Partner Center already holds them
  // ---------------------------------------------------------------------------------------------

  /**
   * Stores a referral exactly as Partner Center would serve it (a recorded real response, a
   * marketplace lead), after checking it against the documented shape: the same check every write
   * passes. Its id is kept (a new one is drawn when missing); links and eTag are the sandbox's. One
   * addressed to Microsoft (`target` naming msft) is Microsoft's side of its engagement.
   */
  seedRecorded(body: unknown): Referral {
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalid("The body must be a referral object");
    const input = body as Record<string, unknown>;
    const id = typeof input.id === "string" && input.id !== "" ? input.id : randomUUID();
    if (this.state.referrals.has(id)) throw new SandboxApiError(409, "invalidRequest", `Referral ${id} already exists`, "id");
    const engagementId = typeof input.engagementId === "string" && input.engagementId !== "" ? input.engagementId : randomUUID();
    const candidate = { ...input, id, engagementId, eTag: newETag(), links: this.links(id, engagementId) };
    const parsed = ReferralSchema.safeParse(candidate);
    if (!parsed.success) throw invalid(zodMessage(parsed.error.issues), String(parsed.error.issues[0]?.path.join("/") ?? ""));
    const addressedToMicrosoft = (parsed.data.target ?? []).some((target) => target.id === MICROSOFT_ORGANIZATION_ID);
    return this.store(addressedToMicrosoft ? "microsoft" : "partner", candidate as Referral, addressedToMicrosoft ? "related-referral-created" : "referral-created");
  }

  // ---------------------------------------------------------------------------------------------
  // The Microsoft seller
  // ---------------------------------------------------------------------------------------------

  /**
   * A Microsoft seller sends the partner a co-sell referral: Microsoft's own side (Active/Accepted) and
   * the partner's inbound referral (Incoming, New/Pending, invitedBy msft, 14 days to answer).
   */
  createInboundReferral(input: Record<string, unknown>): Referral {
    const now = this.stamp();
    const engagementId = randomUUID();
    const base = {
      name: "Microsoft co-sell referral",
      type: "Shared",
      qualification: "SalesQualified",
      customerProfile: { name: "Sandbox customer", address: { addressLine1: "1 Main St", city: "Redmond", state: "WA", postalCode: "98052", country: "US" } },
      consent: { consentToContact: true, consentToToShareInfoWithOthers: true, consentToShareReferralWithMicrosoftSellers: true, consentToMicrosoftToContactSpecificPartners: false },
      details: { dealValue: 50000, currency: "USD", closingDateTime: new Date(Date.parse(now) + 90 * 86_400_000).toISOString() },
      team: [{ firstName: "Sandbox", lastName: "Seller", email: "seller@microsoft.example" }],
      ...input,
      engagementId,
      createdDateTime: now,
      updatedDateTime: now,
    };
    const microsoftId = randomUUID();
    const microsoftSide = {
      ...base,
      id: microsoftId,
      organizationId: MICROSOFT_TENANT_ID,
      organizationName: "Microsoft",
      target: MICROSOFT_TARGET,
      status: "Active",
      substatus: "Accepted",
      direction: "Outgoing",
      acceptedDateTime: now,
      eTag: newETag(),
      links: this.links(microsoftId, engagementId),
    };
    const partnerId = randomUUID();
    const inbound = {
      ...base,
      id: partnerId,
      organizationId: this.options.partner.organizationId,
      organizationName: this.options.partner.organizationName,
      status: "New",
      substatus: "Pending",
      direction: "Incoming",
      expirationDateTime: new Date(Date.parse(now) + INVITATION_LIFETIME_MS).toISOString(),
      inviteContext: {
        ...(typeof input.inviteContext === "object" && input.inviteContext ? input.inviteContext : {}),
        invitedBy: { organizationId: MICROSOFT_ORGANIZATION_ID, organizationName: "Microsoft" },
      },
      target: [{ type: "BusinessProfileLocation", id: this.options.partner.organizationId }],
      eTag: newETag(),
      links: this.links(partnerId, engagementId),
    };
    for (const candidate of [microsoftSide, inbound]) {
      const parsed = ReferralSchema.safeParse(candidate);
      if (!parsed.success) throw invalid(zodMessage(parsed.error.issues));
    }
    // Microsoft's side is stored silently: the partner hears about the invitation, not its twin.
    this.state.referrals.set(microsoftId, { owner: "microsoft", referral: microsoftSide as Referral });
    return this.store("partner", inbound as Referral, "referral-created");
  }

  /**
   * A Microsoft seller updates Microsoft's side of an engagement: accepts, declines, adds their team,
   * records Microsoft's CRM id (as that referral's externalReferenceId [I]). Creates Microsoft's side
   * first when the partner only shared the deal. Fires related-referral-created/-updated.
   */
  updateMicrosoftSide(
    engagementId: string,
    change: { status?: ReferralStatus; substatus?: ReferralSubstatus; statusReason?: string; team?: unknown[]; notes?: string; externalReferenceId?: string },
  ): Referral {
    const engagement = [...this.state.referrals.values()].filter((stored) => stored.referral.engagementId === engagementId);
    const partnerSide = engagement.find((stored) => stored.owner === "partner");
    if (!partnerSide) throw new SandboxApiError(404, "itemNotFound", `Engagement ${engagementId} has no partner referral`, "engagementId");
    let microsoftSide = engagement.find((stored) => stored.owner === "microsoft");
    if (!microsoftSide) {
      const id = randomUUID();
      const now = this.stamp();
      const source = partnerSide.referral;
      const created = {
        ...structuredClone(source),
        id,
        organizationId: MICROSOFT_TENANT_ID,
        organizationName: "Microsoft",
        target: MICROSOFT_TARGET,
        externalReferenceId: null,
        status: "New",
        substatus: "Pending",
        statusReason: null,
        direction: "Incoming",
        createdDateTime: now,
        updatedDateTime: now,
        expirationDateTime: new Date(Date.parse(now) + INVITATION_LIFETIME_MS).toISOString(),
        acceptedDateTime: null,
        team: [],
        eTag: newETag(),
        links: this.links(id, engagementId),
      } as Referral;
      this.store("microsoft", created, "related-referral-created");
      microsoftSide = this.state.referrals.get(id)!;
    }
    const next = structuredClone(microsoftSide.referral) as Record<string, unknown> & Referral;
    if (change.status) next.status = change.status;
    if (change.substatus) next.substatus = change.substatus;
    if (change.statusReason !== undefined) next.statusReason = change.statusReason;
    if (change.team) next.team = change.team as Referral["team"];
    if (change.externalReferenceId !== undefined) next.externalReferenceId = change.externalReferenceId;
    if (change.notes !== undefined) next.details = { ...next.details, notes: change.notes };
    if (isTerminal(microsoftSide.referral.status)) {
      throw invalid(`Microsoft's side is ${microsoftSide.referral.status}/${microsoftSide.referral.substatus} and accepts no updates`, "status");
    }
    return this.applyUpdate(microsoftSide, next, "related-referral-updated");
  }

  /**
   * Expires unanswered inbound referrals (New, past expirationDateTime) as Partner Center does after
   * 14 days (§1.9). `asOf` lets tests and rehearsals jump ahead; `referralId` expires one at once.
   */
  expire(options: { asOf?: Date; referralId?: string }): Referral[] {
    const asOf = options.asOf ?? this.options.now();
    const due = options.referralId
      ? [this.find(options.referralId)]
      : [...this.state.referrals.values()].filter(
          (stored) =>
            stored.owner === "partner" &&
            stored.referral.status === "New" &&
            stored.referral.expirationDateTime != null &&
            Date.parse(stored.referral.expirationDateTime) <= asOf.getTime(),
        );
    const expired: Referral[] = [];
    for (const stored of due) {
      if (stored.referral.status !== "New") {
        throw invalid(`Only a New referral can expire; ${stored.referral.id} is ${stored.referral.status}/${stored.referral.substatus}`, "status");
      }
      const next = { ...structuredClone(stored.referral), status: "Closed", substatus: "Expired", statusReason: "No response within 14 days" } as Referral;
      // Expiry is Partner Center's own write, so the partner-side rules (no Expired by hand) do not apply.
      next.updatedDateTime = this.stamp(stored.referral.updatedDateTime);
      next.eTag = newETag();
      expired.push(this.store(stored.owner, next, "referral-updated"));
    }
    return expired;
  }
}
