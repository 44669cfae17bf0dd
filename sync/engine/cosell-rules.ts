/**
 * Partner Center's co-sell rules that apply to a change we are about to send, beyond the status
 * transitions (real-world-contract, "Rules the portal and bulk upload state"; assumed enforced by the
 * API too):
 * - closing as Declined, Lost or Error needs a reason: a close from Dynamics 365 without one is not
 *   sent, and the seller is told on the record to give one (never made up);
 * - marking Won within 72 hours of the referral's creation can get the deal registration rejected:
 *   the audit trail and the log say so when it happens.
 * ("Microsoft help" is read-only once chosen: see three-way-merge's refusals.)
 */
import { OpportunityColumns, opportunityColumn, type Localized } from "../../entities";
import { AUDIT_DIRECTIONS, type AuditEntry } from "./audit-trail";
import type { MergeResult } from "./three-way-merge";

export const CLOSE_REASON_REQUIRED: readonly string[] = ["Declined", "Lost", "Error"];

/** Partner Center may reject a deal registration marked Won sooner than this after creation. */
export const WON_TOO_SOON_MS = 72 * 60 * 60 * 1000;

const SUBSTATUS_LABELS: Readonly<Record<string, Localized>> = {
  Declined: { 1033: "declined", 1040: "rifiutato" },
  Lost: { 1033: "lost", 1040: "perso" },
  Error: { 1033: "an error", 1040: "errore" },
};

/**
 * The seller's message when the merge would close the referral as Declined, Lost or Error with no
 * reason on the opportunity: nothing is sent (no reason is made up); null when the close may go.
 */
export function closeReasonMissing(merge: MergeResult): Localized | null {
  const status = merge.partnerCenterPatch.status;
  if (!status || status.status !== "Closed" || !CLOSE_REASON_REQUIRED.includes(status.substatus)) return null;
  if (merge.base.statusReason?.trim()) return null;
  const label = SUBSTATUS_LABELS[status.substatus]!;
  const column = opportunityColumn(OpportunityColumns.statusReason).displayName;
  return {
    1033: `Not closed in Partner Center: closing it as ${label[1033]} needs a reason. Fill in "${column[1033]}" and save again.`,
    1040: `Non chiuso in Partner Center: chiuderlo come ${label[1040]} richiede un motivo. Compila "${column[1040]}" e salva di nuovo.`,
  };
}

/** An audit line when the merge marks the referral Won within 72 hours of its creation; null otherwise. */
export function wonTooSoonWarning(merge: MergeResult, referralCreatedAt: string, at: string): AuditEntry | null {
  const status = merge.partnerCenterPatch.status;
  if (status?.status !== "Closed" || status.substatus !== "Won") return null;
  const age = Date.parse(at) - Date.parse(referralCreatedAt);
  if (Number.isNaN(age) || age >= WON_TOO_SOON_MS) return null;
  const hours = Math.max(0, Math.floor(age / 3_600_000));
  return {
    at,
    direction: AUDIT_DIRECTIONS.toPartnerCenter,
    action: "updated",
    detail: `warning: marked Won ${hours} h after the referral was created; Partner Center may reject a deal registration marked Won within 72 hours`,
  };
}
