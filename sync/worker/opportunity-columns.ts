/**
 * The columns the connector keeps on the opportunity besides the mapped fields: the referral's
 * identifiers and link, the sync status (✔ / Error with its reason) and the audit lines. Pure
 * builders, plus writeError, the one write every story uses to show a reason on the record.
 */
import { OpportunityColumns as C, ReferralDirection, SyncStatus } from "../../entities";
import { AUDIT_DIRECTIONS, prependAuditLines, type AuditEntry } from "../engine";
import type { Referral } from "../partner-center/referral-types";
import type { CrmRow } from "./crm-gateway";
import { auditEntry, text, type StoryContext } from "./story-context";

/** Identifier, link and direction columns, only where they differ from what the record holds. */
export function linkColumns(
  referral: Referral,
  opportunity: CrmRow,
  referralLink: (referralId: string) => string,
  microsoftCrmId: string | null = null,
): Record<string, unknown> {
  const msxId = text(referral.trackingInfo?.microsoftMsxId);
  const wanted: Record<string, unknown> = {
    ...(microsoftCrmId ? { [C.microsoftCrmIdentifier]: microsoftCrmId } : {}),
    // Partner Center's own record of the Microsoft seller's opportunity; read-only, shown in the section.
    ...(msxId ? { [C.microsoftMsxId]: msxId } : {}),
    [C.referralIdentifier]: referral.id,
    [C.referralLink]: referralLink(referral.id),
    [C.referralDirection]: referral.direction === "Incoming" ? ReferralDirection.Incoming : ReferralDirection.Outgoing,
  };
  const body: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(wanted)) if (opportunity.record[column] !== value) body[column] = value;
  return body;
}

/** ✔ with no error, and the audit lines prepended to the record's (without lastsyncedon: see syncedColumns). */
export function syncedStatusColumns(opportunity: CrmRow, entries: readonly AuditEntry[]): Record<string, unknown> {
  const body: Record<string, unknown> = { [C.syncStatus]: SyncStatus.Synced, [C.syncError]: null };
  if (entries.length > 0) body[C.audit] = prependAuditLines(text(opportunity.record[C.audit]), entries);
  return body;
}

/** ✔, no error, synced at `at`, and the audit lines. */
export function syncedColumns(opportunity: CrmRow, entries: readonly AuditEntry[], at: Date): Record<string, unknown> {
  return { ...syncedStatusColumns(opportunity, entries), [C.lastSyncedOn]: at.toISOString() };
}

/** The seller pressed "Sync now" after the last sync: the record's status is rewritten even if nothing changed. */
export function syncRequestedSinceLastSync(opportunity: CrmRow): boolean {
  const requested = text(opportunity.record[C.syncRequestedOn]);
  if (!requested) return false;
  const last = text(opportunity.record[C.lastSyncedOn]);
  return !last || Date.parse(requested) > Date.parse(last);
}

/** Error with its reason on the record, and an audit line (nothing written when it already says so). */
export async function writeError(ctx: StoryContext, opportunity: CrmRow, message: string): Promise<void> {
  if (opportunity.record[C.syncStatus] === SyncStatus.Error && opportunity.record[C.syncError] === message) return;
  const entry = auditEntry(ctx, AUDIT_DIRECTIONS.toPartnerCenter, "error", message);
  await ctx.deps.crm.updateOpportunity(opportunity.id, opportunity.etag, {
    [C.syncStatus]: SyncStatus.Error,
    [C.syncError]: message,
    [C.audit]: prependAuditLines(text(opportunity.record[C.audit]), [entry]),
  });
}
