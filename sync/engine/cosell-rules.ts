/**
 * Partner Center's co-sell rules that apply to a change we are about to send, beyond the status
 * transitions (real-world-contract, "Rules the portal and bulk upload state"; assumed enforced by the
 * API too):
 * - closing as Declined, Lost or Error needs a reason: a close from Dynamics 365 without one gets a
 *   plain one saying where it was closed, so the close is never refused for it;
 * - marking Won within 72 hours of the referral's creation can get the deal registration rejected:
 *   the audit trail and the log say so when it happens.
 * ("Microsoft help" is read-only once chosen: see three-way-merge's refusals.)
 */
import { AUDIT_DIRECTIONS, type AuditEntry } from "./audit-trail";
import type { MappedFields } from "./mapped-fields";
import type { MergeResult } from "./three-way-merge";

export const CLOSE_REASON_REQUIRED: readonly string[] = ["Declined", "Lost", "Error"];

/** Partner Center may reject a deal registration marked Won sooner than this after creation. */
export const WON_TOO_SOON_MS = 72 * 60 * 60 * 1000;

const DEFAULT_REASONS: Readonly<Record<string, string>> = {
  Declined: "Declined in Dynamics 365",
  Lost: "Closed as lost in Dynamics 365",
  Error: "Closed as an error in Dynamics 365",
};

/** The merge with a reason added where it closes the referral as Declined/Lost/Error without one. */
export function withCloseReason(merge: MergeResult): MergeResult {
  const status = merge.partnerCenterPatch.status;
  if (!status || status.status !== "Closed" || !CLOSE_REASON_REQUIRED.includes(status.substatus)) return merge;
  if (merge.base.statusReason?.trim()) return merge;
  const reason = DEFAULT_REASONS[status.substatus] ?? "Closed in Dynamics 365";
  return {
    ...merge,
    // Both sides get it: Partner Center with the close, the opportunity so the form shows what was sent.
    partnerCenterPatch: { ...merge.partnerCenterPatch, statusReason: reason },
    crmPatch: { ...merge.crmPatch, statusReason: reason },
    base: { ...merge.base, statusReason: reason } as MappedFields,
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
