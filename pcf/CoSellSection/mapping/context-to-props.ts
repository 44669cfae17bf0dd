/**
 * context → props: every decision about what the section shows and allows, as a pure function of
 * the PCF context, so it is tested without React or a host. index.ts only wires it up.
 */
import { parseConflictNotice } from "../../../entities/conflict-notice";
import { HowCanMicrosoftHelp, ReferralDirection, ReferralStatus, SyncStatus } from "../../../entities/option-sets";
import type { CoSellInputs, CoSellOutputs } from "../CoSellSection.inputs";
import type { ChoiceOption, CoSellSectionProps, FieldView, SyncStatusView } from "../components/CoSellSection.types";
import { helpOptionKey, makeTranslate } from "../strings/string-keys";
import { parseAuditTrail } from "./audit-trail";
import { parseSolutionIds, serializeSolutionIds } from "./solution-ids";

/** The parts of the PCF context the section depends on (a real context satisfies it). */
export interface SectionContext {
  parameters: CoSellInputs;
  mode: { isControlDisabled: boolean };
  userSettings: { languageId: number };
  resources: { getString(id: string): string };
}

type AnyProperty = CoSellInputs[keyof CoSellInputs];

const LOCALES: Readonly<Record<number, string>> = { 1033: "en-US", 1040: "it-IT" };

/**
 * Column length from the host's metadata. Without metadata (pcf-start) there is no client-side
 * limit; Dataverse still refuses an over-long value on save. Reading the length from entities/
 * instead would bundle every column label into bundle.js.
 */
function maxLength(property: ComponentFramework.PropertyTypes.StringProperty): number {
  return property.attributes?.MaxLength || Number.MAX_SAFE_INTEGER;
}

/** Field security: `security` is only present for secured columns; absent means no restriction. */
function masked(property: AnyProperty): boolean {
  return property.security?.readable === false;
}

function editable(context: SectionContext, property: AnyProperty): boolean {
  return !context.mode.isControlDisabled && property.security?.editable !== false && !masked(property);
}

function field<T>(context: SectionContext, property: AnyProperty, value: T, emptyValue: T): FieldView<T> {
  const hidden = masked(property);
  return { value: hidden ? emptyValue : value, editable: editable(context, property), masked: hidden };
}

function syncStatus(p: CoSellInputs): SyncStatusView {
  if (masked(p.syncStatus)) return { kind: "masked" };
  switch (p.syncStatus.raw) {
    case SyncStatus.Pending:
      return { kind: "pending" };
    case SyncStatus.Synced:
      return { kind: "synced", lastSyncedOn: masked(p.lastSyncedOn) ? null : p.lastSyncedOn.raw };
    case SyncStatus.Error:
      return { kind: "error", reason: masked(p.syncError) ? null : p.syncError.raw?.trim() || null };
    default:
      return { kind: "notSynced" };
  }
}

function helpOptions(context: SectionContext, translate: (key: ReturnType<typeof helpOptionKey>) => string): ChoiceOption[] {
  // The host passes the option set's labels in the user's language; pcf-start and older hosts do
  // not, so fall back to the labels the solution ships.
  const fromHost = context.parameters.howCanMicrosoftHelp.attributes?.Options;
  if (fromHost && fromHost.length > 0) return fromHost.map((o) => ({ key: o.Value, text: o.Label }));
  return Object.values(HowCanMicrosoftHelp).map((value) => ({ key: value, text: translate(helpOptionKey(value)) }));
}

function safeLink(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

const AWAITING_ANSWER: readonly number[] = [ReferralStatus.NewPending, ReferralStatus.NewReceived];

export function mapContextToProps(
  context: SectionContext,
  write: (changes: CoSellOutputs) => void,
  clock: () => Date = () => new Date(),
): CoSellSectionProps {
  const p = context.parameters;
  const t = makeTranslate((key) => context.resources.getString(key));
  const referralStatusVisible = !masked(p.referralStatus) && !masked(p.referralDirection);
  const awaitingAnswer =
    referralStatusVisible &&
    p.referralDirection.raw === ReferralDirection.Incoming &&
    p.referralStatus.raw !== null &&
    AWAITING_ANSWER.includes(p.referralStatus.raw);
  const canAnswer = editable(context, p.referralStatus);
  const share = field(context, p.shareWithMicrosoftSellers, p.shareWithMicrosoftSellers.raw === true, false);

  return {
    t,
    locale: LOCALES[context.userSettings.languageId] ?? "en-US",
    clock,
    sync: field(context, p.syncWithPartnerCenter, p.syncWithPartnerCenter.raw === true, false),
    help: {
      ...field(context, p.howCanMicrosoftHelp, p.howCanMicrosoftHelp.raw, null),
      options: helpOptions(context, t),
      // Partner Center's rule: the help asked of Microsoft is read-only once the referral carries it.
      locked: p.howCanMicrosoftHelp.raw != null && Boolean(p.referralIdentifier.raw?.trim()),
    },
    share: { ...share, locked: share.value },
    solutions: {
      ...field(context, p.products, parseSolutionIds(p.products.raw), []),
      maxLength: maxLength(p.products),
    },
    status: syncStatus(p),
    referral: {
      id: field(context, p.referralIdentifier, p.referralIdentifier.raw?.trim() || null, null),
      link: masked(p.referralLink) ? null : safeLink(p.referralLink.raw),
      microsoftCrmId: masked(p.microsoftCrmIdentifier) ? null : p.microsoftCrmIdentifier.raw?.trim() || null,
      microsoftMsxId: masked(p.microsoftMsxId) ? null : p.microsoftMsxId.raw?.trim() || null,
    },
    answer: awaitingAnswer
      ? {
          canAnswer,
          canDecline: canAnswer && editable(context, p.statusReason),
          reasonMaxLength: maxLength(p.statusReason),
        }
      : null,
    audit: { masked: masked(p.audit), entries: masked(p.audit) ? [] : parseAuditTrail(p.audit.raw) },
    conflictNotice: masked(p.conflictNotice) ? null : parseConflictNotice(p.conflictNotice.raw),
    onSyncChange: (value) => write({ syncWithPartnerCenter: value }),
    onHelpChange: (value) => write({ howCanMicrosoftHelp: value ?? undefined }),
    onShareChange: (value) => write({ shareWithMicrosoftSellers: value }),
    onSolutionsChange: (ids) => write({ products: ids.length > 0 ? serializeSolutionIds(ids) : undefined }),
    onAccept: () => write({ referralStatus: ReferralStatus.ActiveAccepted }),
    onDecline: (reason) => {
      // Partner Center requires a reason to decline; the section asks for one, this makes it a rule.
      if (reason.trim()) write({ referralStatus: ReferralStatus.ClosedDeclined, statusReason: reason.trim() });
    },
  };
}
