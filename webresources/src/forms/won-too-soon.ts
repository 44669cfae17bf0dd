/**
 * Partner Center may reject the deal registration of a referral marked Won within 72 hours of its
 * creation (portal rule). While that window is open, the form says so before the seller closes the
 * deal as won. The referral's creation is the audit trail's "created" line of our share (the
 * referral was created then); an import's line dates the import, not the referral, so a deal that
 * came from Partner Center shows nothing (the backend warns on it from the referral's own date).
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import type { Messages } from "../messages/messages";
import { readText, type FormContext } from "./form-values";

export const WON_TOO_SOON_MS = 72 * 60 * 60 * 1000;
export const WON_TOO_SOON_NOTIFICATION = "pcc_won_too_soon_notification";

/** The audit trail's direction of our own writes to Partner Center (sync/engine/audit-trail.ts). */
const TO_PARTNER_CENTER = "CRM → Partner Center";

/** When we created the referral, from the audit trail's oldest share line (lines are newest first). */
export function referralCreatedAt(audit: string): Date | null {
  const created = audit
    .split("\n")
    .map((line) => line.split(" | "))
    .filter((parts) => parts[1]?.trim() === TO_PARTNER_CENTER && parts[2]?.trim() === "created")
    .map((parts) => new Date(parts[0]?.trim() ?? ""))
    .filter((date) => !Number.isNaN(date.getTime()));
  return created.at(-1) ?? null;
}

export function refreshWonTooSoonNotification(form: FormContext, messages: Messages, now: Date): void {
  form.ui.clearFormNotification(WON_TOO_SOON_NOTIFICATION);
  if (!readText(form, OpportunityColumns.referralIdentifier)) return;
  const created = referralCreatedAt(readText(form, OpportunityColumns.audit));
  if (!created) return;
  const until = new Date(created.getTime() + WON_TOO_SOON_MS);
  if (now.getTime() >= until.getTime()) return;
  form.ui.setFormNotification(messages.wonTooSoon(until), "WARNING", WON_TOO_SOON_NOTIFICATION);
}
