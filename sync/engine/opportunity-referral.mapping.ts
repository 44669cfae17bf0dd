/**
 * Opportunity ⇄ referral field mapping (docs/DESIGN.md 5 default, columns from the SyncMapping). Both
 * directions go through the neutral MappedFields so the merge can compare sides; the write
 * functions turn a merge patch back into a Dataverse PATCH body (+ a close instruction, since
 * Won/Lost go through WinOpportunity/LoseOpportunity) or a Partner Center JSON Patch.
 */
import {
  CUSTOMER_MARKETPLACE_INTENT_OPTIONS,
  HowCanMicrosoftHelp,
  OpportunityColumns,
  OpportunityStandardColumns,
  PARTNER_ROLE_OPTIONS,
  ReferralDirection,
  SOLUTION_AREA_OPTIONS,
  SOLUTION_PLAY_OPTIONS,
  Tables,
  optionForCode,
  optionForValue,
  type TaxonomyOption,
} from "../../entities";
import {
  MICROSOFT_ORGANIZATION_ID,
  type AdditionalRequirements,
  type CustomerProfile,
  type JsonPatchOperation,
  type Referral,
  type ReferralCreate,
  type Solution,
} from "../partner-center/referral-types";
import { MappingError } from "./engine-errors";
import { CURRENCY_ENTITY_SET, DEFAULT_MAPPING, type SyncMapping } from "./field-mapping.config";
import {
  HELP_CODES,
  MAPPED_FIELD_NAMES,
  formatSolutionLines,
  normalizeCurrency,
  normalizeDate,
  normalizeMoney,
  normalizeSolutionIds,
  normalizeText,
  parseSolutionLines,
  type HelpCode,
  type MappedFields,
} from "./mapped-fields";
import {
  opportunityCloseFor,
  opportunityStatusPair,
  referralStatusPair,
  statusToOption,
  type OpportunityClose,
} from "./referral-status.mapping";

/** A Dataverse Web API record as JSON (logical names as keys, lookups as _x_value). */
export type DataverseRecord = Readonly<Record<string, unknown>>;

/** One row of the org's transactioncurrency table: the currency lookup is a GUID, the referral an ISO code. */
export interface CurrencyRef {
  readonly id: string;
  readonly isoCode: string;
}

export interface OpportunityMappingContext {
  readonly mapping?: SyncMapping;
  readonly currencies: readonly CurrencyRef[];
}

/** Web API name of a lookup's GUID value (the lookup column itself is not returned). */
export function lookupValueKey(column: string): string {
  return `_${column}_value`;
}

/** The option value of a help code on the mapped column: the mapping rows' value map, else pcc_howcanmicrosofthelp's. */
function helpCodeOption(code: HelpCode, mapping: SyncMapping | undefined): number {
  return mapping?.helpCodeOptions?.[code] ?? HowCanMicrosoftHelp[code];
}

function helpCodeFromOption(value: unknown, mapping: SyncMapping | undefined): HelpCode | null {
  const hit = HELP_CODES.find((code) => helpCodeOption(code, mapping) === value);
  return hit ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Read: record → mapped fields
// ---------------------------------------------------------------------------------------------------

export function opportunityToMappedFields(record: DataverseRecord, ctx: OpportunityMappingContext): MappedFields {
  const col = (ctx.mapping ?? DEFAULT_MAPPING).opportunity;
  return {
    name: normalizeText(record[col.name]),
    dealValue: normalizeMoney(record[col.dealValue]),
    currency: currencyIsoCode(record, col.currency, ctx.currencies),
    closingDate: normalizeDate(record[col.closingDate]),
    notes: normalizeText(record[col.notes]),
    helpCode: helpCodeFromOption(record[col.helpCode], ctx.mapping),
    solutionIds: parseSolutionLines(record[col.solutionIds]),
    shareWithMicrosoftSellers: record[col.shareWithMicrosoftSellers] === true,
    status: opportunityStatusPair(record[col.status], record[OpportunityStandardColumns.stateCode]),
    statusReason: normalizeText(record[col.statusReason]),
  };
}

function currencyIsoCode(record: DataverseRecord, column: string, currencies: readonly CurrencyRef[]): string | null {
  const id = record[lookupValueKey(column)];
  if (typeof id !== "string" || id === "") return null;
  const hit = currencies.find((c) => c.id.toLowerCase() === id.toLowerCase());
  if (!hit) throw new MappingError(`The opportunity's currency ${id} is not in the currency list read from Dataverse`);
  return normalizeCurrency(hit.isoCode);
}

/**
 * The opportunity's name for a referral Partner Center lists without one (seen on leads): the
 * customer's name, else the referral's id. Both sides are read with it, so it is never pushed back.
 */
export function referralDisplayName(referral: Pick<Referral, "id" | "name" | "customerProfile">): string {
  return normalizeText(referral.name) ?? normalizeText(referral.customerProfile?.name) ?? `Partner Center referral ${referral.id}`;
}

export function referralToMappedFields(referral: Referral): MappedFields {
  const code = referral.inviteContext?.assistanceRequestCode;
  return {
    name: referralDisplayName(referral),
    dealValue: normalizeMoney(referral.details.dealValue),
    currency: normalizeCurrency(referral.details.currency),
    closingDate: normalizeDate(referral.details.closingDateTime),
    notes: normalizeText(referral.details.notes),
    helpCode: code && code !== "Unknown" ? code : null,
    solutionIds: normalizeSolutionIds((referral.details.requirements?.solutions ?? []).map((s) => s.id)),
    shareWithMicrosoftSellers: referral.consent.consentToShareReferralWithMicrosoftSellers === true,
    status: referralStatusPair(referral.status, referral.substatus),
    statusReason: normalizeText(referral.statusReason),
  };
}

// ---------------------------------------------------------------------------------------------------
// Co-sell details (marketplace intent; partner role, solution area and play of services co-sell)
// ---------------------------------------------------------------------------------------------------

/** The co-sell details as Partner Center codes (entities/cosell-taxonomy.ts); null when not chosen. */
export interface CoSellDetails {
  readonly marketplaceIntent: string | null;
  readonly partnerRole: string | null;
  readonly solutionArea: string | null;
  readonly solutionPlay: string | null;
}

const DETAIL_COLUMNS: readonly [keyof CoSellDetails, string, readonly TaxonomyOption[]][] = [
  ["marketplaceIntent", OpportunityColumns.customerMarketplaceIntent, CUSTOMER_MARKETPLACE_INTENT_OPTIONS],
  ["partnerRole", OpportunityColumns.partnerRole, PARTNER_ROLE_OPTIONS],
  ["solutionArea", OpportunityColumns.solutionArea, SOLUTION_AREA_OPTIONS],
  ["solutionPlay", OpportunityColumns.solutionPlay, SOLUTION_PLAY_OPTIONS],
];

export function coSellDetailsFromRecord(record: DataverseRecord): CoSellDetails {
  const details: Record<string, string | null> = {};
  for (const [field, column, options] of DETAIL_COLUMNS) details[field] = optionForValue(options, record[column])?.code ?? null;
  return details as unknown as CoSellDetails;
}

/** A taxonomy value as sent: a string, an `{id}` tag or a list of them (the first counts). */
function taxonomyCode(value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === "string") return normalizeText(first);
  if (first && typeof first === "object" && typeof (first as { id?: unknown }).id === "string") return normalizeText((first as { id: string }).id);
  return null;
}

/** Read from both places Partner Center puts them: details.additionalRequirements and details.requirements.additionalRequirements. */
export function coSellDetailsFromReferral(referral: Pick<Referral, "details">): CoSellDetails {
  const sources = [referral.details?.additionalRequirements, referral.details?.requirements?.additionalRequirements].filter(
    (source): source is AdditionalRequirements => source != null,
  );
  const pick = (read: (source: AdditionalRequirements) => string | null) => sources.map(read).find((value) => value !== null) ?? null;
  return {
    marketplaceIntent: pick(
      (source) =>
        normalizeText(source.customerMarketplaceIntent) ??
        normalizeText(source.attributes?.find((attribute) => attribute.type === "CustomerMarketplaceIntent")?.id),
    ),
    partnerRole: pick((source) => taxonomyCode(source.partnerRole)),
    solutionArea: pick((source) => taxonomyCode(source.solutionArea)),
    solutionPlay: pick((source) => taxonomyCode(source.solutionPlay)),
  };
}

/** The opportunity's choice columns for co-sell details; a code not in the taxonomy is left out. */
function coSellDetailColumns(details: CoSellDetails): Record<string, number> {
  const body: Record<string, number> = {};
  for (const [field, column, options] of DETAIL_COLUMNS) {
    const option = optionForCode(options, details[field]);
    if (option) body[column] = option.value;
  }
  return body;
}

/**
 * Marketplace intent of a create, always (required): on details.additionalRequirements, where the
 * create docs put it, "have not decided" when the seller left it empty (reference 1.6).
 */
function marketplaceIntentFor(details: CoSellDetails | undefined): AdditionalRequirements {
  return { attributes: [{ id: details?.marketplaceIntent ?? "HaveNotDecided", type: "CustomerMarketplaceIntent" }] };
}

/**
 * Services co-sell fields when chosen, under details.requirements.additionalRequirements: the only
 * evidence of where Partner Center keeps them (real referral dumps; real-world-contract).
 */
function servicesCoSellFor(details: CoSellDetails | undefined): AdditionalRequirements | undefined {
  if (!details?.partnerRole && !details?.solutionArea && !details?.solutionPlay) return undefined;
  return {
    ...(details.partnerRole ? { partnerRole: details.partnerRole } : {}),
    ...(details.solutionArea ? { solutionArea: details.solutionArea } : {}),
    ...(details.solutionPlay ? { solutionPlay: details.solutionPlay } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Write to Dataverse
// ---------------------------------------------------------------------------------------------------

export interface OpportunityUpdate {
  /** PATCH body for the opportunity; empty when nothing changes. */
  readonly body: Record<string, unknown>;
  /** Run WinOpportunity / LoseOpportunity after the PATCH; null when the state stays. */
  readonly close: OpportunityClose | null;
}

function currencyBind(isoCode: string | null, currencies: readonly CurrencyRef[]): string | null {
  if (isoCode === null) return null;
  const hit = currencies.find((c) => normalizeCurrency(c.isoCode) === isoCode);
  if (!hit) {
    throw new MappingError(`Currency ${isoCode} is not enabled in Dataverse; add it under Settings → Currencies`);
  }
  return `/${CURRENCY_ENTITY_SET}(${hit.id})`;
}

function setOpportunityField(
  body: Record<string, unknown>,
  field: keyof MappedFields,
  value: MappedFields[keyof MappedFields],
  ctx: OpportunityMappingContext,
): void {
  const col = (ctx.mapping ?? DEFAULT_MAPPING).opportunity;
  switch (field) {
    case "currency": {
      // A lookup is written through its navigation property; for the standard column that is the
      // logical name itself.
      const bind = currencyBind(value as string | null, ctx.currencies);
      if (bind === null) body[col.currency] = null;
      else body[`${col.currency}@odata.bind`] = bind;
      return;
    }
    case "helpCode":
      body[col.helpCode] = value === null ? null : helpCodeOption(value as HelpCode, ctx.mapping);
      return;
    case "solutionIds":
      body[col.solutionIds] = formatSolutionLines(value as readonly string[]);
      return;
    case "status":
      body[col.status] = statusToOption(value as MappedFields["status"]);
      return;
    default:
      body[col[field]] = value;
  }
}

/**
 * The Dataverse write for a merge result. `patch` is what changed on the Partner Center side;
 * `merged` is the agreed state. The status choice is also rewritten when it has drifted from the
 * agreed status (a seller closed the opportunity through the Close dialog, which leaves our choice
 * column stale), so the next read of our own write compares equal.
 */
export function opportunityUpdateFromMerge(
  patch: Partial<MappedFields>,
  merged: MappedFields,
  current: DataverseRecord,
  ctx: OpportunityMappingContext,
): OpportunityUpdate {
  const col = (ctx.mapping ?? DEFAULT_MAPPING).opportunity;
  const body: Record<string, unknown> = {};
  for (const field of MAPPED_FIELD_NAMES) {
    if (field in patch) setOpportunityField(body, field, patch[field] as MappedFields[typeof field], ctx);
  }
  const agreedOption = statusToOption(merged.status);
  if (agreedOption !== null && current[col.status] !== agreedOption) body[col.status] = agreedOption;
  return { body, close: opportunityCloseFor(merged.status, current[OpportunityStandardColumns.stateCode]) };
}

export interface OpportunityCreateInput {
  readonly referral: Referral;
  readonly accountId: string | null;
  /** Link that opens the referral in Partner Center (built by the Partner Center client). */
  readonly referralLink: string | null;
}

/** Body of the POST that creates an opportunity for a referral that reached us first in Partner Center. */
export function opportunityCreateFromReferral(input: OpportunityCreateInput, ctx: OpportunityMappingContext): OpportunityUpdate {
  const fields = referralToMappedFields(input.referral);
  const body: Record<string, unknown> = {};
  for (const field of MAPPED_FIELD_NAMES) {
    const value = fields[field];
    if (value === null || (Array.isArray(value) && value.length === 0)) continue;
    setOpportunityField(body, field, value, ctx);
  }
  body[OpportunityColumns.syncWithPartnerCenter] = true;
  body[OpportunityColumns.referralIdentifier] = input.referral.id;
  const msxId = normalizeText(input.referral.trackingInfo?.microsoftMsxId);
  if (msxId) body[OpportunityColumns.microsoftMsxId] = msxId;
  Object.assign(body, coSellDetailColumns(coSellDetailsFromReferral(input.referral)));
  if (input.referralLink) body[OpportunityColumns.referralLink] = input.referralLink;
  body[OpportunityColumns.referralDirection] =
    input.referral.direction === "Outgoing" ? ReferralDirection.Outgoing : ReferralDirection.Incoming;
  if (input.accountId) {
    const account = `/${Tables.account.entitySetName}(${input.accountId})`;
    body[`${OpportunityStandardColumns.parentAccount}@odata.bind`] = account;
    // The form's "Customer" is the polymorphic customerid: its navigation property names the table.
    body[`${OpportunityStandardColumns.customer}_${Tables.account.logicalName}@odata.bind`] = account;
  }
  // A referral that arrives already Won/Lost is created open and then closed through the action.
  return { body, close: opportunityCloseFor(fields.status, undefined) };
}

// ---------------------------------------------------------------------------------------------------
// Write to Partner Center
// ---------------------------------------------------------------------------------------------------

/** Keep what Partner Center knows about solutions we already sent (name, publisher), add new ids as catalog solutions. */
function solutionsFor(ids: readonly string[], existing: readonly Solution[] | null | undefined): Solution[] {
  return ids.map((id) => existing?.find((s) => s.id.toUpperCase() === id) ?? { id, type: "Name" });
}

/** JSON pointer path and value of each field in the referral. */
function referralTarget(field: keyof MappedFields, value: unknown, current: Referral): { path: string; value: unknown }[] {
  switch (field) {
    case "name":
      return [{ path: "/name", value }];
    case "dealValue":
      return [{ path: "/details/dealValue", value }];
    case "currency":
      return [{ path: "/details/currency", value }];
    case "closingDate":
      return [{ path: "/details/closingDateTime", value: value === null ? null : `${String(value)}T00:00:00Z` }];
    case "notes":
      return [{ path: "/details/notes", value }];
    case "helpCode":
      return [{ path: "/inviteContext/assistanceRequestCode", value: value ?? "Unknown" }];
    case "solutionIds":
      return [
        {
          path: "/details/requirements/solutions",
          value: solutionsFor(value as string[], current.details.requirements?.solutions),
        },
      ];
    case "shareWithMicrosoftSellers":
      return [{ path: "/consent/consentToShareReferralWithMicrosoftSellers", value }];
    case "status": {
      const pair = value as MappedFields["status"];
      return [
        { path: "/status", value: pair?.status ?? "None" },
        { path: "/substatus", value: pair?.substatus ?? "None" },
      ];
    }
    case "statusReason":
      return [{ path: "/statusReason", value }];
  }
}

function getPointer(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const s of segments) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[s];
  }
  return node;
}

/**
 * JSON Patch for Partner Center (reference 1.7). `replace` needs the member to exist, so a member
 * Partner Center left out is `add`ed, together with a missing parent object.
 */
export function referralPatchOperations(patch: Partial<MappedFields>, current: Referral): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  for (const field of MAPPED_FIELD_NAMES) {
    if (!(field in patch)) continue;
    for (const target of referralTarget(field, patch[field], current)) {
      const segments = target.path.slice(1).split("/");
      // Find the deepest existing parent; add the rest as one nested object.
      let depth = segments.length - 1;
      while (depth > 0 && (getPointer(current, segments.slice(0, depth)) ?? null) === null) depth--;
      if (depth === segments.length - 1) {
        const exists = getPointer(current, segments) !== undefined;
        ops.push({ op: exists ? "replace" : "add", path: target.path, value: target.value });
      } else {
        let value: unknown = target.value;
        for (let i = segments.length - 1; i > depth; i--) value = { [segments[i] as string]: value };
        const path = `/${segments.slice(0, depth + 1).join("/")}`;
        const exists = getPointer(current, segments.slice(0, depth + 1)) !== undefined;
        ops.push({ op: exists ? "replace" : "add", path, value });
      }
    }
  }
  return ops;
}

/** The referral with the patch applied, for a full PUT (reference 1.7) when the client prefers it. */
export function applyPatchToReferral(referral: Referral, patch: Partial<MappedFields>): Referral {
  const copy = structuredClone(referral) as Record<string, unknown>;
  for (const op of referralPatchOperations(patch, referral)) {
    const segments = op.path.slice(1).split("/");
    let node = copy;
    for (const s of segments.slice(0, -1)) node = node[s] as Record<string, unknown>;
    node[segments[segments.length - 1] as string] = op.value;
  }
  return copy as Referral;
}

/**
 * All four consent flags, as the create example sends them: Partner Center reads a missing flag as
 * no consent, and saying so explicitly keeps our intent visible. Only sharing with Microsoft sellers
 * has a column; the customer's consents (to be contacted, to share their details with others, to be
 * contacted by specific partners) are not recorded in Dynamics 365, so none is claimed.
 */
/** The consent flags the create example sends (the doubled "To" is the real JSON name); a create states each. */
export const CONSENT_FLAGS = [
  "consentToShareReferralWithMicrosoftSellers",
  "consentToContact",
  "consentToToShareInfoWithOthers",
  "consentToMicrosoftToContactSpecificPartners",
] as const;
type CreateConsent = Record<(typeof CONSENT_FLAGS)[number], boolean>;

function createConsent(shareWithMicrosoftSellers: boolean): CreateConsent {
  return {
    consentToShareReferralWithMicrosoftSellers: shareWithMicrosoftSellers,
    consentToContact: false,
    consentToToShareInfoWithOthers: false,
    consentToMicrosoftToContactSpecificPartners: false,
  };
}

export interface ReferralCreateInput {
  readonly opportunityId: string;
  readonly fields: MappedFields;
  /** From account-customer.mapping (+ contact-team.mapping for its team). */
  readonly customerProfile: CustomerProfile;
  /** The opportunity's co-sell details (coSellDetailsFromRecord); absent: none chosen. */
  readonly coSell?: CoSellDetails;
}

/**
 * Body of the POST that shares an opportunity. Asking Microsoft for help makes it a co-sell deal:
 * the referral becomes visible to Microsoft sellers (reference 3.2: "automatically visible when help
 * is requested"), so it needs the seller's explicit consent to share (the pre-flight asks for it),
 * and is created as `Shared`; Microsoft is then invited with a second referral on the
 * same engagement (microsoftInvitationFor), as the reference's "shared referral across two parties"
 * documents (1.6). Our own referral never carries `target`: that marks the other party's side.
 */
export function referralCreateFromOpportunity(input: ReferralCreateInput): ReferralCreate {
  const { fields } = input;
  const coSell = fields.helpCode !== null;
  const servicesCoSell = servicesCoSellFor(input.coSell);
  return {
    name: fields.name ?? "",
    externalReferenceId: input.opportunityId,
    type: coSell ? "Shared" : "Independent",
    customerProfile: input.customerProfile,
    // Only the seller's explicit consent shares the deal (it cannot be withdrawn); help without it
    // stops at the pre-flight instead of turning sharing on by itself.
    consent: createConsent(fields.shareWithMicrosoftSellers),
    details: {
      dealValue: fields.dealValue,
      currency: fields.currency,
      closingDateTime: fields.closingDate === null ? null : `${fields.closingDate}T00:00:00Z`,
      notes: fields.notes,
      requirements: { solutions: solutionsFor(fields.solutionIds, []), ...(servicesCoSell ? { additionalRequirements: servicesCoSell } : {}) },
      additionalRequirements: marketplaceIntentFor(input.coSell),
    },
    inviteContext: { assistanceRequestCode: fields.helpCode ?? "Unknown" },
  };
}

/**
 * The second referral of a co-sell engagement, addressed to Microsoft (reference 1.6, step 2): the
 * same engagement, customer and deal, with `target` naming Microsoft. Null when no help is asked.
 */
export function microsoftInvitationFor(ours: Referral): ReferralCreate | null {
  const code = ours.inviteContext?.assistanceRequestCode;
  if (!code || code === "Unknown" || ours.type !== "Shared") return null;
  return {
    name: ours.name,
    engagementId: ours.engagementId,
    type: "Shared",
    customerProfile: ours.customerProfile,
    // Each flag stated, as on every create: one Partner Center left out of ours is a no.
    consent: Object.fromEntries(CONSENT_FLAGS.map((flag) => [flag, ours.consent?.[flag] === true])) as CreateConsent,
    details: ours.details,
    inviteContext: { assistanceRequestCode: code },
    target: [{ type: "BusinessProfileLocation", id: MICROSOFT_ORGANIZATION_ID }],
  } as ReferralCreate;
}
