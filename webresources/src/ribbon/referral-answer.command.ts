/**
 * "Accept referral" and "Decline referral" on an incoming Microsoft referral. They only write the
 * referral status (and the decline reason) and save; the sync service carries the answer to
 * Partner Center (docs/DESIGN.md section 2).
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { ReferralStatus } from "../../../entities/option-sets";
import type { FormContext } from "../forms/form-values";
import type { ClientHost } from "../host/client-host";
import { showAlert, withProgress } from "../host/dialogs";
import { messagesFor } from "../messages/messages";
import { reportCommandError } from "./command-errors";
import { saveChanges } from "./save-changes";

const C = OpportunityColumns;

/** pcc_statusreason is Text 500 (entities/opportunity-columns.ts; a test keeps this in step). */
export const STATUS_REASON_MAX_LENGTH = 500;

export async function acceptReferral(host: ClientHost, form: FormContext): Promise<void> {
  const messages = messagesFor(host.xrm);
  try {
    await withProgress(host, messages.saving, () =>
      saveChanges(host, form, { [C.referralStatus]: ReferralStatus.ActiveAccepted }));
    await showAlert(host, messages, messages.referralAccepted);
  } catch (error) {
    await reportCommandError(host, messages, error);
  }
}

export async function declineReferral(host: ClientHost, form: FormContext): Promise<void> {
  const messages = messagesFor(host.xrm);
  try {
    const answer = await host.promptForText(messages.declineReasonPrompt);
    if (answer === null) return; // Cancel: nothing changes.
    const reason = answer.trim().slice(0, STATUS_REASON_MAX_LENGTH);
    if (!reason) {
      await showAlert(host, messages, messages.declineReasonRequired);
      return;
    }
    await withProgress(host, messages.saving, () =>
      saveChanges(host, form, { [C.referralStatus]: ReferralStatus.ClosedDeclined, [C.statusReason]: reason }));
    await showAlert(host, messages, messages.referralDeclined);
  } catch (error) {
    await reportCommandError(host, messages, error);
  }
}
