/**
 * Three-way merge of one link (docs/DESIGN.md 5). Each side's current mapped fields are compared with the
 * base snapshot (the mapped fields after the last successful sync):
 * - changed on one side → written to the other;
 * - changed on both, to the same value → nothing written, base moves on;
 * - changed on both, differently → conflict policy picks the winner, the loser side is written and
 *   an audit line names the conflict;
 * - unchanged → nothing. The echo of our own write therefore yields no write at all.
 * Partner Center's rules override the policy: a Closed referral accepts no update, status moves only
 * along the documented transitions, consent to share never goes back to No, and the help asked of
 * Microsoft is read-only once chosen. A change that breaks
 * those rules is refused, the Partner Center value is written back to the opportunity so the form
 * shows the truth, and the audit says why.
 */
import { AUDIT_DIRECTIONS, type AuditEntry } from "./audit-trail";
import type { ConflictPolicy, ConflictPolicySetting, SyncMapping } from "./field-mapping.config";
import { awaitsCrmWriteTime, laterFieldChange } from "./conflict-order";
import type { LinkFieldClocks } from "./field-clock";
import {
  EMPTY_MAPPED_FIELDS,
  FIELD_LABELS,
  MAPPED_FIELD_NAMES,
  formatFieldValue,
  sameFieldValue,
  type MappedFieldName,
  type MappedFields,
} from "./mapped-fields";
import { checkPartnerCenterTransition, isTerminalStatus } from "./referral-status.mapping";

export type Side = "crm" | "partnerCenter";

export interface MergeInput {
  /** null before the first successful sync of the link: every difference is then a conflict. */
  readonly base: MappedFields | null;
  readonly crm: MappedFields;
  readonly partnerCenter: MappedFields;
  /** opportunity modifiedon and referral updatedDateTime (record times: they date no field, the clocks do). */
  readonly crmModifiedAt: string | null;
  readonly partnerCenterModifiedAt: string | null;
  /** When each field got its value on each side, as far as our reads can tell (see field-clock.ts). */
  readonly clocks?: LinkFieldClocks;
  /** Timestamp of the audit entries. */
  readonly at: string;
  readonly policy?: ConflictPolicySetting;
  /**
   * Whether the referral names a customer contact (customerProfile.team). Partner Center refuses a
   * request for Microsoft's help on a referral without one (a 400 that no retry can fix), so the
   * merge refuses it first, with an audit line, instead of sending it. Absent: not checked.
   */
  readonly partnerCenterHasCustomerContact?: boolean;
  /**
   * Fields that sync one way only (the mapping rows): the other side's own changes to such a field
   * are not brought over (and not overwritten until the leading side changes it). Absent: both ways.
   */
  readonly directions?: SyncMapping["directions"];
}

export interface MergeConflict {
  readonly field: MappedFieldName;
  readonly winner: Side;
  readonly policy: ConflictPolicy;
  /**
   * `order`: the services' times prove which change came last (latest-wins); `policy`: the policy
   * chose, because it always does (crm-wins, partner-center-wins) or the order is unknowable (a tie).
   */
  readonly settledBy: "order" | "policy";
  /** The value that did not win, as shown to a person ("changed in Partner Center too"). */
  readonly overruled: { readonly side: Side; readonly value: string };
  /** The winner is a guess that the opportunity write's webhook, still on its way, would settle (awaitsCrmWriteTime). */
  readonly awaitsCrmWriteTime?: boolean;
}

export interface MergeRefusal {
  readonly field: MappedFieldName;
  readonly reason: string;
}

export interface MergeResult {
  /** Fields to write to the opportunity (only changed ones). */
  readonly crmPatch: Partial<MappedFields>;
  /** Fields to write to the referral (only changed ones). */
  readonly partnerCenterPatch: Partial<MappedFields>;
  /** What both sides hold once the patches are written: store it as the new base. */
  readonly base: MappedFields;
  /** Newest first is not meaningful within one merge; entries follow the field order. */
  readonly audit: readonly AuditEntry[];
  readonly conflicts: readonly MergeConflict[];
  readonly refusals: readonly MergeRefusal[];
}

const DEFAULT_POLICY: ConflictPolicySetting = { default: "latest-wins", fields: {} };

/** The winning side of a conflict and whether the order or the policy decided it. */
function conflictWinner(policy: ConflictPolicy, input: MergeInput, field: MappedFieldName): { winner: Side; settledBy: "order" | "policy" } {
  if (policy === "crm-wins") return { winner: "crm", settledBy: "policy" };
  if (policy === "partner-center-wins") return { winner: "partnerCenter", settledBy: "policy" };
  const byFieldClock = laterFieldChange(field, input.clocks, input.crm, input.partnerCenter);
  if (byFieldClock) return { winner: byFieldClock, settledBy: "order" };
  // The order is unknowable (changes closer than the clocks' uncertainty, or no clock of the values):
  // the CRM, the partner's system of record, wins. Partner Center's rules still refuse what they forbid.
  return { winner: "crm", settledBy: "policy" };
}

const sideName = (side: Side) => (side === "crm" ? "CRM" : "Partner Center");

/** Why Partner Center would reject writing `value` to `field`, or null when it is fine. */
function partnerCenterRefusal<K extends MappedFieldName>(field: K, value: MappedFields[K], pc: MappedFields, input: MergeInput): string | null {
  if (isTerminalStatus(pc.status)) {
    return `the referral is ${formatFieldValue("status", pc.status)} in Partner Center, a closed referral accepts no changes`;
  }
  if (field === "status") {
    const check = checkPartnerCenterTransition(pc.status, value as MappedFields["status"]);
    return check.ok ? null : check.reason;
  }
  if (field === "shareWithMicrosoftSellers" && pc.shareWithMicrosoftSellers && value === false) {
    return "sharing with Microsoft sellers cannot be withdrawn once given";
  }
  if (field === "helpCode" && pc.helpCode !== null && value !== pc.helpCode) {
    // The portal's rule: "Microsoft help required" and the chosen help are read-only once set.
    return "the help asked of Microsoft cannot be changed or withdrawn in Partner Center once chosen";
  }
  if (field === "helpCode" && value !== null && !pc.shareWithMicrosoftSellers && !input.crm.shareWithMicrosoftSellers) {
    // Help makes the deal visible to Microsoft sellers, irreversibly: only with the seller's consent.
    return "asking Microsoft for help shares the deal with Microsoft sellers, which cannot be undone; turn on Share with Microsoft sellers to confirm, then choose the help again";
  }
  if (field === "helpCode" && value !== null && input.partnerCenterHasCustomerContact === false) {
    return "Partner Center asks Microsoft for help only on a referral with a customer contact; add one to the referral's customer in Partner Center, then choose the help again";
  }
  return null;
}

export function mergeLink(input: MergeInput): MergeResult {
  const base = input.base ?? EMPTY_MAPPED_FIELDS;
  const policy = input.policy ?? DEFAULT_POLICY;
  const crmPatch: Record<string, unknown> = {};
  const pcPatch: Record<string, unknown> = {};
  const merged: Record<string, unknown> = {};
  const audit: AuditEntry[] = [];
  const conflicts: MergeConflict[] = [];
  const refusals: MergeRefusal[] = [];

  for (const field of MAPPED_FIELD_NAMES) {
    const b = base[field];
    const direction = input.directions?.[field] ?? "both";
    // A one-way field: the trailing side's own change reads as "unchanged since the base".
    const crm = direction === "to-dynamics-365" ? b : input.crm[field];
    const pc = direction === "to-partner-center" ? b : input.partnerCenter[field];
    const label = FIELD_LABELS[field];
    const show = (v: typeof b) => formatFieldValue(field, v);
    const crmChanged = !sameFieldValue(field, crm, b);
    const pcChanged = !sameFieldValue(field, pc, b);

    let winner: Side | null = null;
    if (sameFieldValue(field, crm, pc)) {
      merged[field] = crm; // unchanged, or both changed the same way: nothing to write
      continue;
    }
    if (crmChanged && !pcChanged) winner = "crm";
    else if (pcChanged && !crmChanged) winner = "partnerCenter";
    else if (isTerminalStatus(input.partnerCenter.status)) {
      // A closed referral keeps its value whichever side changed last (often unknowable: the close
      // moved the referral's time past both edits). The seller's value is refused below, with the
      // reason, rather than declared the older one.
      winner = "crm";
    } else {
      const fieldPolicy = policy.fields[field] ?? policy.default;
      const decided = conflictWinner(fieldPolicy, input, field);
      winner = decided.winner;
      let settledBy = decided.settledBy;
      let why = describeSettlement(fieldPolicy, decided);
      let guessed = fieldPolicy === "latest-wins" && awaitsCrmWriteTime(field, input.clocks, input.crm, input.partnerCenter);
      // Consent only ever moves to Yes, whichever side is newer.
      if (field === "shareWithMicrosoftSellers") {
        winner = crm === true ? "crm" : "partnerCenter";
        settledBy = "order";
        why = "sharing cannot be withdrawn once given";
        guessed = false;
      }
      const overruled = winner === "crm" ? { side: "partnerCenter" as const, value: show(pc) } : { side: "crm" as const, value: show(crm) };
      conflicts.push({ field, winner, policy: fieldPolicy, settledBy, overruled, ...(guessed ? { awaitsCrmWriteTime: true } : {}) });
      const kept = winner === "crm" ? crm : pc;
      audit.push({
        at: input.at,
        direction: winner === "crm" ? AUDIT_DIRECTIONS.toPartnerCenter : AUDIT_DIRECTIONS.toCrm,
        action: "conflict",
        detail:
          `${label} changed on both sides (CRM ${show(crm)}, Partner Center ${show(pc)}); ` +
          `kept ${sideName(winner)} ${show(kept)} (${why})`,
      });
    }

    if (winner === "crm") {
      const refusal = partnerCenterRefusal(field, crm, input.partnerCenter, input);
      if (refusal) {
        refusals.push({ field, reason: refusal });
        audit.push({
          at: input.at,
          direction: AUDIT_DIRECTIONS.toPartnerCenter,
          action: "refused",
          detail: `${label} ${show(pc)} → ${show(crm)}: ${refusal}; the opportunity is set back to ${show(pc)}`,
        });
        crmPatch[field] = pc;
        merged[field] = pc;
        continue;
      }
      pcPatch[field] = crm;
      merged[field] = crm;
      if (!conflicts.some((c) => c.field === field)) {
        audit.push({ at: input.at, direction: AUDIT_DIRECTIONS.toPartnerCenter, action: "updated", detail: `${label} ${show(pc)} → ${show(crm)}` });
      }
    } else {
      crmPatch[field] = pc;
      merged[field] = pc;
      if (!conflicts.some((c) => c.field === field)) {
        audit.push({ at: input.at, direction: AUDIT_DIRECTIONS.toCrm, action: "updated", detail: `${label} ${show(crm)} → ${show(pc)}` });
      }
    }
  }

  return {
    crmPatch: crmPatch as Partial<MappedFields>,
    partnerCenterPatch: pcPatch as Partial<MappedFields>,
    base: merged as unknown as MappedFields,
    audit,
    conflicts,
    refusals,
  };
}

/** Why the kept value won, for the audit line (no parentheses: the line ends in one). */
function describeSettlement(policy: ConflictPolicy, decided: { winner: Side; settledBy: "order" | "policy" }): string {
  if (decided.settledBy === "order") return `${sideName(decided.winner)} changed it last`;
  if (policy === "latest-wins") return "order unknowable, the changes are within the clocks' uncertainty; settled by policy: the CRM's value wins";
  return `settled by policy ${policy}`;
}
