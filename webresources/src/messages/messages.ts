/**
 * Everything the scripts say to a user, in English and Italian. The language follows the user's
 * Dynamics 365 setting (userSettings.languageId), not the browser's, so it matches the rest of the
 * form. Any other language falls back to English, the base language of the solution.
 */
import type { XrmApi } from "../host/client-host";
import { english } from "./en";
import { italian } from "./it";

export const ITALIAN_LANGUAGE_ID = 1040;

export interface SyncSummary {
  queued: number;
  skippedNotSyncing: number;
  failed: number;
  firstFailure?: string;
}

export interface Messages {
  dialogTitle: string;
  ok: string;
  cancel: string;
  // Progress indicators
  saving: string;
  syncing: string;
  queueingSelected: string;
  // Sync now
  syncDone: string;
  syncFailed(reason: string): string;
  syncStillPending(seconds: number): string;
  saveFailed(detail: string): string;
  unexpectedError(detail: string): string;
  // Open in Partner Center
  noReferralLink: string;
  unsafeReferralLink(link: string): string;
  // Accept / Decline
  referralAccepted: string;
  declineReasonPrompt: string;
  declineReasonRequired: string;
  referralDeclined: string;
  // Stop syncing
  stopSyncingTitle: string;
  stopSyncingText: string;
  stopSyncingConfirm: string;
  syncStopped: string;
  // Grid
  nothingSelected: string;
  syncSelectedSummary(summary: SyncSummary): string;
  // Form
  syncErrorNotification(reason: string): string;
  syncErrorWithoutReason: string;
  requirementsOnSwitchOn: string;
  saveBlocked(problems: readonly string[]): string;
  // Requirement problems (one line each in saveBlocked)
  missingAccount: string;
  accountWithoutCountry(accountName: string): string;
  accountNotReadable(detail: string): string;
  missingDealValue: string;
  invalidDealValue: string;
  missingCurrency: string;
  missingCloseDate: string;
  missingSolution: string;
  invalidSolutionIds(ids: readonly string[]): string;
  missingContact: string;
  /** Help chosen without consent to share with Microsoft sellers (irreversible, so never implied). */
  missingShareConsent: string;
  /** Shown until 72 hours after the referral's creation: a Won before then risks the deal registration. */
  wonTooSoon(until: Date): string;
}

export function messagesForLanguage(languageId: number | undefined): Messages {
  return languageId === ITALIAN_LANGUAGE_ID ? italian : english;
}

/** The messages in the signed-in user's language. */
export function messagesFor(xrm: XrmApi): Messages {
  let languageId: number | undefined;
  try {
    languageId = xrm.Utility.getGlobalContext().userSettings.languageId;
  } catch {
    // A host without a global context (e.g. an early load) still gets readable English.
    languageId = undefined;
  }
  return messagesForLanguage(languageId);
}
