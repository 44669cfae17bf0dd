/**
 * The referral resource as the Partner Center stand-in understands it, written from Microsoft's
 * documentation and published real responses alone (shared/reference/partner-center-referrals-api.md
 * §1.6 - §1.10 and real-world-contract.md "Partner Center referrals"). It imports nothing from the
 * backend on purpose: a wrong assumption shared by both sides is one no test can catch.
 *
 * Strict where the docs are definite (enumerations, dates, decimals, the error body); loose where real
 * responses carry more than the docs name (unknown fields are kept, never refused).
 */
import { z } from "zod";

// ---------------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------------

export const STATUSES = ["None", "New", "Active", "Closed"] as const;
export const StatusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof StatusSchema>;

/** `Error` is "Close as Error" in the bulk operations docs (real-world-contract: documented). */
export const SUBSTATUSES = ["None", "Pending", "Received", "Accepted", "Won", "Lost", "Declined", "Expired", "Error"] as const;
export const SubstatusSchema = z.enum(SUBSTATUSES);
export type Substatus = z.infer<typeof SubstatusSchema>;

/**
 * salesStage: the connector swagger lists the names; real responses carry the portal's percentages
 * (manage-co-sell: 10 accepted, 20 qualified, 40 developed, 60 proposed, 80 negotiated, 100 won).
 */
export const SALES_STAGE_NAMES = ["Qualify", "Develop", "Propose", "Close"] as const;
export const SALES_STAGE_PERCENTAGES = ["10", "20", "40", "60", "80", "100"] as const;
export const SalesStageSchema = z.enum([...SALES_STAGE_NAMES, ...SALES_STAGE_PERCENTAGES]);

/** Microsoft's organization id in `inviteContext.invitedBy` and `target` (never a referral's owner). */
export const MICROSOFT_ORGANIZATION_ID = "msft";

const SUBSTATUSES_BY_STATUS: Readonly<Record<Status, readonly Substatus[]>> = {
  None: ["None"],
  New: ["Pending", "Received"],
  Active: ["Accepted"],
  Closed: ["Won", "Lost", "Declined", "Expired", "Error"],
};

const STATUS_TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  None: ["None", "New", "Active", "Closed"],
  New: ["New", "Active", "Closed"],
  Active: ["Active", "Closed"],
  Closed: ["Closed"],
};

/** Closing as Declined, Lost or Error needs a reason (portal and bulk upload rules). */
export const SUBSTATUSES_NEEDING_A_REASON: readonly Substatus[] = ["Declined", "Lost", "Error"];

export function isClosed(status: Status): boolean {
  return status === "Closed";
}

/** null when the move is allowed, else the reason it is not. */
export function statusChangeProblem(from: { status: Status; substatus: Substatus }, to: { status: Status; substatus: Substatus }): string | null {
  if (isClosed(from.status)) return `referral is ${from.status}/${from.substatus}, a terminal state that accepts no updates`;
  if (!STATUS_TRANSITIONS[from.status].includes(to.status)) return `status cannot move from ${from.status} to ${to.status}`;
  if (!SUBSTATUSES_BY_STATUS[to.status].includes(to.substatus)) {
    return `substatus ${to.substatus} is not allowed with status ${to.status} (allowed: ${SUBSTATUSES_BY_STATUS[to.status].join(", ")})`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Parts
// ---------------------------------------------------------------------------------------------------

const DateTimeSchema = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: "must be an ISO-8601 date-time" });
/** The PATCH sample sends dealValue as a string ("10000"). */
const DecimalSchema = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal number")]);

export const MemberSchema = z.looseObject({
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  phoneNumber: z.string().nullish(),
  email: z.string().nullish(),
  contactPreference: z.looseObject({ locale: z.string().nullish(), disableNotifications: z.boolean().nullish() }).nullish(),
});

const AddressSchema = z.looseObject({
  addressLine1: z.string().nullish(),
  addressLine2: z.string().nullish(),
  city: z.string().nullish(),
  state: z.string().nullish(),
  postalCode: z.string().nullish(),
  country: z.string().nullish(),
  region: z.string().nullish(),
});

const CustomerProfileSchema = z.looseObject({
  name: z.string(),
  address: AddressSchema.nullish(),
  size: z.string().nullish(),
  ids: z.array(z.looseObject({ profileType: z.enum(["Duns", "External"]), id: z.string() })).nullish(),
  team: z.array(MemberSchema).nullish(),
});

const ConsentSchema = z.looseObject({
  consentToToShareInfoWithOthers: z.boolean().nullish(),
  consentToContact: z.boolean().nullish(),
  consentToMicrosoftToContactSpecificPartners: z.boolean().nullish(),
  consentToShareReferralWithMicrosoftSellers: z.boolean().nullish(),
});

const SolutionSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  type: z.enum(["None", "Category", "Name"]).nullish(),
  publisherName: z.string().nullish(),
  solutionType: z.string().nullish(),
});

/**
 * FY26 services co-sell fields and the marketplace intent. Their values are not published, so any
 * string (or `{id}` object, as tags are) is taken; where they sit varies (`details.additionalRequirements`
 * in the create docs, `details.requirements.additionalRequirements` in real dumps).
 */
const TaxonomyValueSchema = z.union([z.string(), z.looseObject({ id: z.string() }), z.array(z.union([z.string(), z.looseObject({ id: z.string() })]))]);
const AdditionalRequirementsSchema = z.looseObject({
  attributes: z.array(z.looseObject({ id: z.string(), type: z.string() })).nullish(),
  customerMarketplaceIntent: z.string().nullish(),
  partnerRole: TaxonomyValueSchema.nullish(),
  solutionArea: TaxonomyValueSchema.nullish(),
  solutionPlay: TaxonomyValueSchema.nullish(),
});

const RequirementsSchema = z.looseObject({
  industries: z.array(z.looseObject({ id: z.string() })).nullish(),
  products: z.array(z.looseObject({ id: z.string() })).nullish(),
  services: z.array(z.looseObject({ id: z.string() })).nullish(),
  solutions: z.array(SolutionSchema).nullish(),
  additionalRequirements: AdditionalRequirementsSchema.nullish(),
});

const DetailsSchema = z.looseObject({
  notes: z.string().nullish(),
  dealValue: DecimalSchema.nullish(),
  currency: z.string().nullish(),
  closingDateTime: DateTimeSchema.nullish(),
  customerAction: z.string().nullish(),
  customerRequestedContact: z.boolean().nullish(),
  requirements: RequirementsSchema.nullish(),
  additionalRequirements: AdditionalRequirementsSchema.nullish(),
});

const InviteContextSchema = z.looseObject({
  notes: z.string().nullish(),
  /** organizationId is "msft" when Microsoft invited, null for marketplace leads. */
  invitedBy: z.looseObject({ organizationId: z.string().nullable(), organizationName: z.string().nullish() }).nullish(),
  assistanceRequestCode: z
    .enum(["Unknown", "GeneralOrOther", "CustomerTechnicalArchitecture", "ProofOfConceptOrDemo", "QuotesOrLicensing", "PostSalesCustomerSuccess", "WorkloadSpecificValueProposition"])
    .nullish(),
});

const TargetSchema = z.looseObject({ type: z.enum(["None", "BusinessProfileLocation", "SolutionProfile"]), id: z.string() });

/** Seen in real dumps: the Microsoft seller's opportunity id (MSX). Read-only for partners. */
const TrackingInfoSchema = z.looseObject({ microsoftMsxId: z.string().nullish() });

// ---------------------------------------------------------------------------------------------------
// The referral
// ---------------------------------------------------------------------------------------------------

export const ReferralSchema = z.looseObject({
  id: z.string(),
  engagementId: z.string(),
  organizationId: z.string().nullish(),
  organizationName: z.string().nullish(),
  /** Seen missing or null on listed leads. */
  name: z.string().nullish(),
  externalReferenceId: z.string().nullish(),
  createdDateTime: DateTimeSchema,
  updatedDateTime: DateTimeSchema,
  expirationDateTime: DateTimeSchema.nullish(),
  acceptedDateTime: DateTimeSchema.nullish(),
  status: StatusSchema,
  substatus: SubstatusSchema,
  statusReason: z.string().nullish(),
  type: z.enum(["Independent", "Shared"]),
  direction: z.enum(["Incoming", "Outgoing"]).nullish(),
  qualification: z.enum(["None", "Direct", "MarketingQualified", "SalesQualified"]),
  salesStage: SalesStageSchema.nullish(),
  customerProfile: CustomerProfileSchema,
  consent: ConsentSchema,
  details: DetailsSchema,
  team: z.array(MemberSchema).nullish(),
  inviteContext: InviteContextSchema.nullish(),
  target: z.array(TargetSchema).nullish(),
  trackingInfo: TrackingInfoSchema.nullish(),
  links: z.looseObject({}).nullish(),
  eTag: z.string(),
});
/** A stored referral: what the schema checks, plus whatever else Partner Center holds. */
export type Referral = z.infer<typeof ReferralSchema> & Record<string, unknown>;

/** POST body: `type`, `customerProfile`, `consent`, `details` are required (§1.6). */
export const REQUIRED_CREATE_FIELDS = ["type", "customerProfile", "consent", "details"] as const;
export const ReferralCreateSchema = z.looseObject({
  name: z.string().nullish(),
  engagementId: z.string().nullish(),
  externalReferenceId: z.string().nullish(),
  type: z.enum(["Independent", "Shared"]),
  qualification: z.enum(["None", "Direct", "MarketingQualified", "SalesQualified"]).nullish(),
  customerProfile: CustomerProfileSchema,
  consent: ConsentSchema,
  details: DetailsSchema,
  team: z.array(MemberSchema).nullish(),
  inviteContext: InviteContextSchema.nullish(),
  target: z.array(TargetSchema).nullish(),
  statusReason: z.string().nullish(),
  salesStage: SalesStageSchema.nullish(),
});

/** RFC 6902, `replace` and `add` only (§1.7). */
export const JsonPatchOperationSchema = z.object({ op: z.enum(["replace", "add"]), path: z.string().startsWith("/"), value: z.unknown() });
export type JsonPatchOperation = z.infer<typeof JsonPatchOperationSchema>;
export const JsonPatchDocumentSchema = z.array(JsonPatchOperationSchema).min(1);

/** Error body (§1.10). */
export interface ErrorBody {
  error: { code: string; message: string; target?: string };
}

/** The throttling body the docs show, which is not the usual error body (real-world-contract). */
export function throttlingBody(retryAfterSeconds: number): { statusCode: 429; message: string } {
  return { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.` };
}
