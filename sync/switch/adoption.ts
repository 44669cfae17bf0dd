/**
 * One opportunity adopted from Microsoft's connector, computed without writing anything: the `pcc_`
 * columns that take over from Microsoft's (referral id, link, sync flag, help choice, consent,
 * Microsoft's CRM id, solution ids, audit text, status), the name without Microsoft's ✔/✖, and the
 * base the store gets: the referral as Partner Center holds it. Where the opportunity agrees (the
 * usual case) the first sync finds nothing to write; a field that differs is listed, and the first
 * sync takes the opportunity's value as the newer edit.
 */
import {
  HowCanMicrosoftHelp,
  OpportunityColumns as C,
  OpportunityStandardColumns as S,
  ReferralDirection,
  SyncStatus,
} from "../../entities";
import {
  AUDIT_DIRECTIONS,
  DEFAULT_MAPPING,
  FIELD_LABELS,
  MAPPED_FIELD_NAMES,
  formatSolutionLines,
  normalizeText,
  opportunityToMappedFields,
  prependAuditLines,
  referralToMappedFields,
  sameFieldValue,
  statusToOption,
  type AuditEntry,
  type DataverseRecord,
  type HelpCode,
  type MappedFieldName,
  type MappedFields,
  type OpportunityMappingContext,
} from "../engine";
import type { Referral } from "../partner-center/referral-types";
import type { MicrosoftConnector } from "./microsoft-connector-discovery";

/** Microsoft's setting appends one of these to the opportunity name (cosmetic). */
const CHECK_MARK_SUFFIX = /\s*[✔✖✓✗]\uFE0F?\s*$/u;

export interface FieldDifference {
  readonly field: MappedFieldName;
  readonly crm: unknown;
  readonly partnerCenter: unknown;
}

export interface AdoptionInput {
  /** The opportunity as read (our columns included), and its row of Microsoft's columns. */
  readonly record: DataverseRecord;
  readonly microsoft: DataverseRecord;
  readonly connector: MicrosoftConnector;
  /** Solution ids from the "Microsoft Solutions" rows (or Microsoft's obsolete text column); null when unknown. */
  readonly solutionIds: readonly string[] | null;
  readonly referral: Referral;
  readonly referralLink: string;
  readonly ctx: OpportunityMappingContext;
  readonly at: string;
}

export interface Adoption {
  /** Every `pcc_` (and name) value the opportunity should hold after the switch. */
  readonly target: Record<string, unknown>;
  /** The part of `target` the opportunity does not hold yet: the write. Empty when already adopted. */
  readonly write: Record<string, unknown>;
  readonly base: MappedFields;
  readonly differences: readonly FieldDifference[];
  readonly auditEntry: AuditEntry;
  /** The name without Microsoft's mark, when it had one. */
  readonly strippedName: string | null;
  /** What the opportunity gets for help, consent and solutions. */
  readonly helpCode: HelpCode | null;
  readonly shareWithMicrosoftSellers: boolean;
  readonly solutionIds: readonly string[];
  /** Fields whose value Microsoft's columns did not give (empty, or a choice we cannot match): Partner Center's is taken. */
  readonly fromPartnerCenter: readonly MappedFieldName[];
}

export function stripCheckMark(name: string): string | null {
  const stripped = name.replace(CHECK_MARK_SUFFIX, "");
  return stripped !== name && stripped !== "" ? stripped : null;
}

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

/** The adoption line on top of the audit column; Microsoft's own audit text stays below it. */
export function adoptionAuditEntry(referralId: string, at: string): AuditEntry {
  return { at, direction: AUDIT_DIRECTIONS.toCrm, action: "linked", detail: `referral ${referralId} adopted from Microsoft's connector` };
}

export function planAdoption(input: AdoptionInput): Adoption {
  const { record, microsoft, connector, referral } = input;
  const columns = connector.opportunityColumns;
  const pc = referralToMappedFields(referral);
  const syncOn = columns.sync ? microsoft[columns.sync] === true : true;
  // What Microsoft's columns do not tell is taken from Partner Center (which its flows kept in step),
  // so the first sync neither sends "Unknown" help, clears solutions, nor tries to withdraw consent.
  const fromPartnerCenter: MappedFieldName[] = [];
  const helpValue = columns.help ? microsoft[columns.help] : null;
  const microsoftHelp = typeof helpValue === "number" ? (connector.helpChoices.get(helpValue) ?? null) : null;
  if (microsoftHelp === null && pc.helpCode !== null) fromPartnerCenter.push("helpCode");
  const helpCode = microsoftHelp ?? pc.helpCode;
  const visibleValue = columns.visible ? microsoft[columns.visible] : null;
  // Consent given in Partner Center cannot be withdrawn: an empty or "No" column does not undo it.
  const share = pc.shareWithMicrosoftSellers || visibleValue === true;
  if (visibleValue !== true && pc.shareWithMicrosoftSellers) fromPartnerCenter.push("shareWithMicrosoftSellers");
  if (input.solutionIds === null && pc.solutionIds.length > 0) fromPartnerCenter.push("solutionIds");
  const solutionIds = input.solutionIds ?? pc.solutionIds;
  const entry = adoptionAuditEntry(referral.id, input.at);
  const ourAudit = text(record[C.audit]);
  const alreadyAudited = ourAudit?.includes(entry.detail) ?? false;
  const name = text(record[S.name]);
  // Microsoft's ✔/✖ is removed when its setting is on (or unknown), and also when it is off now but
  // the name without the mark is Partner Center's (the mark stayed from when the setting was on).
  const withoutMark = name ? stripCheckMark(name) : null;
  const strippedName = withoutMark !== null && (connector.checkMarkInName !== false || normalizeText(withoutMark) === pc.name) ? withoutMark : null;

  // The mapped fields go into the columns serve reads them from (MAPPING_FILE may re-point them).
  const mapped = (input.ctx.mapping ?? DEFAULT_MAPPING).opportunity;
  const target: Record<string, unknown> = {
    ...(strippedName ? { [S.name]: strippedName } : {}),
    [C.referralIdentifier]: referral.id,
    [C.referralLink]: input.referralLink,
    [C.referralDirection]: referral.direction === "Incoming" ? ReferralDirection.Incoming : ReferralDirection.Outgoing,
    [C.syncWithPartnerCenter]: syncOn,
    [mapped.helpCode]: helpCode ? HowCanMicrosoftHelp[helpCode] : null,
    [mapped.shareWithMicrosoftSellers]: share,
    [C.microsoftCrmIdentifier]: columns.crmId ? text(microsoft[columns.crmId]) : null,
    [mapped.solutionIds]: formatSolutionLines(solutionIds),
    [mapped.status]: statusToOption(pc.status),
    [mapped.statusReason]: pc.statusReason,
    [C.syncStatus]: syncOn ? SyncStatus.Synced : SyncStatus.NotSynced,
    [C.syncError]: null,
  };
  const write: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(target)) if ((record[column] ?? null) !== value) write[column] = value;
  if (!alreadyAudited) {
    const microsoftAudit = columns.audit ? text(microsoft[columns.audit]) : null;
    write[C.audit] = prependAuditLines([ourAudit, microsoftAudit].filter((t): t is string => t !== null).join("\n"), [entry]);
  }
  if (Object.keys(write).length > 0) write[C.lastSyncedOn] = input.at;

  const after = opportunityToMappedFields({ ...record, ...target }, input.ctx);
  const crm = after.status === null ? { ...after, status: pc.status } : after;
  const differences: FieldDifference[] = [];
  for (const field of MAPPED_FIELD_NAMES) {
    if (!sameFieldValue(field, crm[field] as never, pc[field] as never)) differences.push({ field, crm: crm[field], partnerCenter: pc[field] });
  }
  return { target, write, base: pc, differences, auditEntry: entry, strippedName, helpCode, shareWithMicrosoftSellers: share, solutionIds, fromPartnerCenter };
}

export function describeDifference(difference: FieldDifference): string {
  const show = (value: unknown) => (value === null ? "(empty)" : Array.isArray(value) ? value.join(", ") || "(none)" : typeof value === "object" ? JSON.stringify(value) : String(value));
  return `${FIELD_LABELS[difference.field]}: Dynamics 365 ${show(difference.crm)}, Partner Center ${show(difference.partnerCenter)}`;
}
