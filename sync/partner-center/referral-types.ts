/**
 * The Partner Center Referral resource (GET/POST/PUT/PATCH /v1.0/engagements/referrals) as zod schemas
 * and the TypeScript types inferred from them.
 *
 * Source: shared/reference/partner-center-referrals-api.md §1.8, §1.9 and §4.1. JSON names are copied
 * exactly, including the documented misspelling `consentToToShareInfoWithOthers`.
 *
 * Why the schemas are loose (unknown keys kept) and most fields nullish: Partner Center keeps adding
 * fields (referralSource, callToAction, partnerRole, ... whose values we could not confirm) and
 * answers `null` for unset ones. A referral we read and write back must not lose what we do not model,
 * and a new field must not make a read fail. Fields we branch on (status, substatus, type, direction,
 * qualification) are strict enums, so an undocumented value fails loudly instead of being mis-mapped.
 */
import { z } from "zod";

// ---------------------------------------------------------------------------------------------------
// Enumerations (§1.9)
// ---------------------------------------------------------------------------------------------------

export const REFERRAL_STATUSES = ["None", "New", "Active", "Closed"] as const;
export const ReferralStatusSchema = z.enum(REFERRAL_STATUSES);
export type ReferralStatus = z.infer<typeof ReferralStatusSchema>;

/** `Error` is "Close as Error" (bulk operations docs): closed as erroneous (duplicate, test, data error). */
export const REFERRAL_SUBSTATUSES = ["None", "Pending", "Received", "Accepted", "Won", "Lost", "Declined", "Expired", "Error"] as const;
export const ReferralSubstatusSchema = z.enum(REFERRAL_SUBSTATUSES);
export type ReferralSubstatus = z.infer<typeof ReferralSubstatusSchema>;

export const ReferralTypeSchema = z.enum(["Independent", "Shared"]);
export type ReferralType = z.infer<typeof ReferralTypeSchema>;

export const ReferralDirectionSchema = z.enum(["Incoming", "Outgoing"]);
export type ReferralDirection = z.infer<typeof ReferralDirectionSchema>;

export const ReferralQualificationSchema = z.enum(["None", "Direct", "MarketingQualified", "SalesQualified"]);
export type ReferralQualification = z.infer<typeof ReferralQualificationSchema>;

export const SolutionTypeSchema = z.enum(["None", "Category", "Name"]);
export const TargetTypeSchema = z.enum(["None", "BusinessProfileLocation", "SolutionProfile"]);
export const CustomerProfileIdTypeSchema = z.enum(["Duns", "External"]);
/**
 * salesStage comes as the connector swagger's names and, in real responses, as the portal's
 * percentages ("10" … "100", manage-co-sell). Both are read; salesStageMeaning gives them one meaning.
 * Any other string is kept as it came (it never fails a read) and means nothing to us.
 */
export const SALES_STAGES = ["Qualify", "Develop", "Propose", "Close"] as const;
export type SalesStage = (typeof SALES_STAGES)[number];
export const SalesStageSchema = z.string();

/** Portal percentages (10 accepted, 20 qualified, 40 developed, 60 proposed, 80 negotiated, 100 won) as stages. */
const SALES_STAGE_BY_PERCENTAGE: Readonly<Record<string, SalesStage>> = {
  "10": "Qualify",
  "20": "Qualify",
  "40": "Develop",
  "60": "Propose",
  "80": "Close",
  "100": "Close",
};

/** The stage a salesStage value stands for, whichever form it came in; null when unknown. */
export function salesStageMeaning(value: string | null | undefined): SalesStage | null {
  if (value == null) return null;
  const trimmed = value.trim();
  const named = SALES_STAGES.find((stage) => stage.toLowerCase() === trimmed.toLowerCase());
  return named ?? SALES_STAGE_BY_PERCENTAGE[trimmed.replace(/%$/, "")] ?? null;
}

/** "How can Microsoft help?" (inviteContext.assistanceRequestCode). `Unknown` = none selected. */
export const ASSISTANCE_REQUEST_CODES = [
  "Unknown",
  "GeneralOrOther",
  "CustomerTechnicalArchitecture",
  "ProofOfConceptOrDemo",
  "QuotesOrLicensing",
  "PostSalesCustomerSuccess",
  "WorkloadSpecificValueProposition",
] as const;
export const AssistanceRequestCodeSchema = z.enum(ASSISTANCE_REQUEST_CODES);
export type AssistanceRequestCode = z.infer<typeof AssistanceRequestCodeSchema>;

/** Documented customer sizes (§1.9). Kept as a list, not enforced: older and newer docs disagree. */
export const CUSTOMER_SIZES = [
  "1to50employees",
  "51to500employees",
  "Morethan500employees",
  "1to9employees",
  "10to50employees",
  "51to250employees",
  "251to1000employees",
  "1001to5000employees",
  "5001to10000employees",
  "10001to20000employees",
  "Morethan20000employees",
] as const;

/** Organization id Partner Center uses for Microsoft in inviteContext.invitedBy and target ids. */
export const MICROSOFT_ORGANIZATION_ID = "msft";

/**
 * Microsoft's side of an engagement: the referral addressed to Microsoft (`target` names "msft").
 * Real responses carry GUIDs as owners and "msft" only as inviter or target, so the owner's
 * organizationId says nothing (real-world-contract, "seen").
 */
export function isMicrosoftSide(referral: { target?: readonly { id: string }[] | null }): boolean {
  return (referral.target ?? []).some((target) => target.id.toLowerCase() === MICROSOFT_ORGANIZATION_ID);
}

// ---------------------------------------------------------------------------------------------------
// Status / substatus rules (§1.9 "Allowed status/substatus pairs and transitions", §1.7)
// ---------------------------------------------------------------------------------------------------

/** Which substatus values may accompany each status. */
export const SUBSTATUSES_BY_STATUS: Readonly<Record<ReferralStatus, readonly ReferralSubstatus[]>> = {
  // `None` has no documented pairing; we read it as "None/None" [I].
  None: ["None"],
  New: ["Pending", "Received"],
  Active: ["Accepted"],
  Closed: ["Won", "Lost", "Declined", "Expired", "Error"],
};

/** Which status a referral may move to from each status. Closed is terminal. */
export const STATUS_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  // Moves out of `None` are not documented; we allow the same as from New [I].
  None: ["None", "New", "Active", "Closed"],
  New: ["New", "Active", "Closed"],
  Active: ["Active", "Closed"],
  Closed: ["Closed"],
};

export function isValidStatusPair(status: ReferralStatus, substatus: ReferralSubstatus): boolean {
  return SUBSTATUSES_BY_STATUS[status].includes(substatus);
}

/**
 * Terminal referrals (Closed with Won, Lost, Declined or Expired) accept no update at all (§1.7), not
 * even a Closed→Closed change of substatus.
 */
export function isTerminal(status: ReferralStatus): boolean {
  return status === "Closed";
}

export type StatusChangeCheck = { ok: true } | { ok: false; reason: string };

/** Checks a status/substatus change against the documented table; used by the client and the sandbox. */
export function checkStatusChange(
  from: { status: ReferralStatus; substatus: ReferralSubstatus },
  to: { status: ReferralStatus; substatus: ReferralSubstatus },
): StatusChangeCheck {
  if (isTerminal(from.status)) {
    return { ok: false, reason: `referral is ${from.status}/${from.substatus}, a terminal state that accepts no updates` };
  }
  if (!STATUS_TRANSITIONS[from.status].includes(to.status)) {
    return { ok: false, reason: `status cannot move from ${from.status} to ${to.status}` };
  }
  if (!isValidStatusPair(to.status, to.substatus)) {
    return {
      ok: false,
      reason: `substatus ${to.substatus} is not allowed with status ${to.status} (allowed: ${SUBSTATUSES_BY_STATUS[to.status].join(", ")})`,
    };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------------

/** UTC ISO-8601 string. Partner Center sends up to 7 fractional digits, so only parseability is checked. */
export const DateTimeStringSchema = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: "must be an ISO-8601 date-time",
});

/**
 * details.dealValue is a decimal; the PATCH doc sample sends it as a string ("10000"). Accept both and
 * always hand the engine a number.
 */
export const DecimalSchema = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, "must be a decimal number")
    .transform(Number),
]);

// ---------------------------------------------------------------------------------------------------
// Sub-objects (§1.8)
// ---------------------------------------------------------------------------------------------------

export const ContactPreferenceSchema = z.looseObject({
  locale: z.string().nullish(),
  disableNotifications: z.boolean().nullish(),
});

export const MemberSchema = z.looseObject({
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  phoneNumber: z.string().nullish(),
  email: z.string().nullish(),
  contactPreference: ContactPreferenceSchema.nullish(),
});
export type Member = z.infer<typeof MemberSchema>;

export const AddressSchema = z.looseObject({
  addressLine1: z.string().nullish(),
  addressLine2: z.string().nullish(),
  city: z.string().nullish(),
  state: z.string().nullish(),
  postalCode: z.string().nullish(),
  /** ISO 3166 alpha-2. Partner Center rejects other forms (§1.6); create-time checks enforce it. */
  country: z.string().nullish(),
  region: z.string().nullish(),
});
export type Address = z.infer<typeof AddressSchema>;

export const CustomerProfileIdSchema = z.looseObject({
  profileType: CustomerProfileIdTypeSchema,
  id: z.string(),
});
export type CustomerProfileId = z.infer<typeof CustomerProfileIdSchema>;

export const CustomerProfileSchema = z.looseObject({
  name: z.string(),
  address: AddressSchema.nullish(),
  size: z.string().nullish(),
  ids: z.array(CustomerProfileIdSchema).nullish(),
  /** The customer's contacts. */
  team: z.array(MemberSchema).nullish(),
});
export type CustomerProfile = z.infer<typeof CustomerProfileSchema>;

export const ConsentSchema = z.looseObject({
  /** Doubled "To" is the real JSON name. */
  consentToToShareInfoWithOthers: z.boolean().nullish(),
  consentToContact: z.boolean().nullish(),
  consentToMicrosoftToContactSpecificPartners: z.boolean().nullish(),
  /** "Share with Microsoft sellers"; once true it cannot go back (§3.2). */
  consentToShareReferralWithMicrosoftSellers: z.boolean().nullish(),
});
export type Consent = z.infer<typeof ConsentSchema>;

export const TagSchema = z.looseObject({ id: z.string() });

export const SolutionSchema = z.looseObject({
  /** e.g. "SOL-15974-MQF" for a catalog solution. */
  id: z.string(),
  name: z.string().nullish(),
  type: SolutionTypeSchema.nullish(),
  publisherName: z.string().nullish(),
  solutionType: z.string().nullish(),
});
export type Solution = z.infer<typeof SolutionSchema>;


/** A services co-sell taxonomy value: unpublished, seen as a string, an `{id}` tag or a list of them. */
export const TaxonomyValueSchema = z.union([
  z.string(),
  z.looseObject({ id: z.string() }),
  z.array(z.union([z.string(), z.looseObject({ id: z.string() })])),
]);

export const AdditionalRequirementsSchema = z.looseObject({
  iot: z.looseObject({}).nullish(),
  /** e.g. { id: "HaveNotDecided", type: "CustomerMarketplaceIntent" } (§1.6). */
  attributes: z.array(z.looseObject({ id: z.string(), type: z.string() })).nullish(),
  customerMarketplaceIntent: z.string().nullish(),
  /** FY26 services co-sell fields (real-world-contract: seen here, values changed July 2025). */
  partnerRole: TaxonomyValueSchema.nullish(),
  solutionArea: TaxonomyValueSchema.nullish(),
  solutionPlay: TaxonomyValueSchema.nullish(),
});
export type AdditionalRequirements = z.infer<typeof AdditionalRequirementsSchema>;

/** Real dumps nest additionalRequirements here; the create docs put it on details (both are read). */
export const RequirementsSchema = z.looseObject({
  industries: z.array(TagSchema).nullish(),
  products: z.array(TagSchema).nullish(),
  services: z.array(TagSchema).nullish(),
  solutions: z.array(SolutionSchema).nullish(),
  additionalRequirements: AdditionalRequirementsSchema.nullish(),
});
export type Requirements = z.infer<typeof RequirementsSchema>;

export const ReferralDetailsSchema = z.looseObject({
  notes: z.string().nullish(),
  dealValue: DecimalSchema.nullish(),
  /** ISO 4217. */
  currency: z.string().nullish(),
  closingDateTime: DateTimeStringSchema.nullish(),
  customerAction: z.string().nullish(),
  customerRequestedContact: z.boolean().nullish(),
  requirements: RequirementsSchema.nullish(),
  additionalRequirements: AdditionalRequirementsSchema.nullish(),
});
export type ReferralDetails = z.infer<typeof ReferralDetailsSchema>;

export const InvitedBySchema = z.looseObject({
  /** "msft" when Microsoft invited; null for marketplace leads (documented). */
  organizationId: z.string().nullish(),
  organizationName: z.string().nullish(),
});

export const InviteContextSchema = z.looseObject({
  notes: z.string().nullish(),
  invitedBy: InvitedBySchema.nullish(),
  /**
   * Confirmed only in the Power Automate connector swagger (§1.9, §5.2); we follow it, as the
   * reference recommends, until a newer REST doc says otherwise.
   */
  assistanceRequestCode: AssistanceRequestCodeSchema.nullish(),
});
export type InviteContext = z.infer<typeof InviteContextSchema>;

export const TargetSchema = z.looseObject({ type: TargetTypeSchema, id: z.string() });
export type Target = z.infer<typeof TargetSchema>;

/** Seen in real dumps: `microsoftMsxId` is the Microsoft seller's opportunity id (MSX), read-only. */
export const TrackingInfoSchema = z.looseObject({ microsoftMsxId: z.string().nullish() });

export const LinkSchema = z.looseObject({ uri: z.string(), method: z.string() });
export const ReferralLinksSchema = z.looseObject({
  self: LinkSchema.nullish(),
  relatedReferrals: LinkSchema.nullish(),
});

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
  /** Our opportunity id: the link key (docs/DESIGN.md §5). */
  externalReferenceId: z.string().nullish(),
  createdDateTime: DateTimeStringSchema,
  updatedDateTime: DateTimeStringSchema,
  expirationDateTime: DateTimeStringSchema.nullish(),
  acceptedDateTime: DateTimeStringSchema.nullish(),
  status: ReferralStatusSchema,
  substatus: ReferralSubstatusSchema,
  /** e.g. the decline or loss reason. */
  statusReason: z.string().nullish(),
  type: ReferralTypeSchema,
  /** Missing from the resource table but present in list responses and filters (§1.4). */
  direction: ReferralDirectionSchema.nullish(),
  qualification: ReferralQualificationSchema,
  salesStage: SalesStageSchema.nullish(),
  campaignId: z.string().nullish(),
  favorite: z.boolean().nullish(),
  lastModifiedVia: z.string().nullish(),
  customerProfile: CustomerProfileSchema,
  consent: ConsentSchema,
  details: ReferralDetailsSchema,
  /** Our (or Microsoft's) people on the deal. */
  team: z.array(MemberSchema).nullish(),
  inviteContext: InviteContextSchema.nullish(),
  target: z.array(TargetSchema).nullish(),
  trackingInfo: TrackingInfoSchema.nullish(),
  links: ReferralLinksSchema.nullish(),
  /** Quoted concurrency token; send it back verbatim in If-Match. */
  eTag: z.string(),
});
export type Referral = z.infer<typeof ReferralSchema>;

/**
 * Body of POST /v1.0/engagements/referrals. The create docs mark `type`, `customerProfile`, `consent`
 * and `details` required (§1.6); the server assigns id, eTag, dates, status/substatus and direction.
 * `partnerRole`/`solutionArea`/`solutionPlay` are also required for Services co-sell, but their values
 * could not be confirmed, so they pass through unchecked.
 */
export const ReferralCreateSchema = z.looseObject({
  /** Not marked required by the create docs; a nameless deal is legal, if unhelpful. */
  name: z.string().nullish(),
  engagementId: z.string().nullish(),
  externalReferenceId: z.string().nullish(),
  type: ReferralTypeSchema,
  qualification: ReferralQualificationSchema.nullish(),
  customerProfile: CustomerProfileSchema,
  consent: ConsentSchema,
  details: ReferralDetailsSchema,
  team: z.array(MemberSchema).nullish(),
  inviteContext: InviteContextSchema.nullish(),
  target: z.array(TargetSchema).nullish(),
  statusReason: z.string().nullish(),
  salesStage: SalesStageSchema.nullish(),
});
export type ReferralCreate = z.input<typeof ReferralCreateSchema>;

/** Fields POST requires (§1.6). The sandbox answers 400 invalidRequest naming each missing one. */
export const REQUIRED_CREATE_FIELDS = ["type", "customerProfile", "consent", "details"] as const;

/** One RFC 6902 operation; Partner Center supports only `replace` and `add` (§1.7). */
export const JsonPatchOperationSchema = z.object({
  op: z.enum(["replace", "add"]),
  path: z.string().startsWith("/"),
  value: z.unknown(),
});
export type JsonPatchOperation = z.infer<typeof JsonPatchOperationSchema>;
export const JsonPatchDocumentSchema = z.array(JsonPatchOperationSchema).min(1);

/**
 * Envelope of GET /v1.0/engagements/referrals (§1.4). Its entries are checked one by one (see
 * ReferralsClient.pages): one referral we cannot read must not hide the others on its page.
 */
export const ReferralPageEnvelopeSchema = z.looseObject({
  "@odata.context": z.string().nullish(),
  "@odata.count": z.number().nullish(),
  "@odata.nextLink": z.string().nullish(),
  value: z.array(z.unknown()),
});

/** Error body (§1.10): branch on `code`, show `message`. */
export const PartnerCenterErrorBodySchema = z.object({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    target: z.string().nullish(),
    innerError: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
  }),
});
export type PartnerCenterErrorBody = z.infer<typeof PartnerCenterErrorBodySchema>;

/** Documented error codes (§1.10). */
export const PARTNER_CENTER_ERROR_CODES = [
  "accessDenied",
  "generalException",
  "invalidRequest",
  "itemNotFound",
  "preconditionFailed",
  "resourceModified",
  "serviceNotAvailable",
  "unauthenticated",
  "unAuthorized",
] as const;
