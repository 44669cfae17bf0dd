/**
 * OnSave of the opportunity form: while "Sync with Partner Center" is on, a save goes through only
 * when Partner Center would accept the referral, and otherwise the seller gets one message that
 * lists every missing or invalid item.
 *
 * The check needs the account's country (an async read), so the first save is always cancelled,
 * the check runs, and the handler saves again itself with a one-shot approval (save-approval.ts).
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { describeError } from "../errors";
import type { ClientHost } from "../host/client-host";
import { showAlert, showError } from "../host/dialogs";
import { messagesFor } from "../messages/messages";
import { findCoSellProblems } from "./cosell-requirements";
import { readBoolean, type FormContext } from "./form-values";
import { approveNextSave, consumeApproval, withdrawApproval } from "./save-approval";
import { NOTIFICATION_IDS } from "./sync-notification";
import { followPendingSync, markPendingIfSyncing } from "./sync-pending";

/** Xrm save modes (XrmEnum.SaveMode is an ambient const enum). */
export const SaveMode = { Save: 1, SaveAndClose: 2, SaveAndNew: 59, AutoSave: 70 } as const;

/** Returns the pending check so tests (and async-aware hosts) can wait for it. */
export function onSave(host: ClientHost, executionContext: Xrm.Events.SaveEventContext): Promise<void> | undefined {
  const form = executionContext.getFormContext();
  // Every save uses up a pending approval, even one that needs no check, so none is left lying around.
  const approved = consumeApproval(form, host.now().getTime());
  if (!readBoolean(form, OpportunityColumns.syncWithPartnerCenter)) {
    form.ui.clearFormNotification(NOTIFICATION_IDS.requirements);
    return undefined;
  }
  if (approved) {
    // This save goes through: say "Pending" with it and watch for the service's answer.
    if (markPendingIfSyncing(form)) void followPendingSync(host, form);
    return undefined;
  }
  const args = executionContext.getEventArgs();
  args.preventDefault();
  return checkThenSave(host, form, args.getSaveMode());
}

async function checkThenSave(host: ClientHost, form: FormContext, saveMode: number): Promise<void> {
  const messages = messagesFor(host.xrm);
  const problems = await findCoSellProblems(host, form, messages);
  form.ui.clearFormNotification(NOTIFICATION_IDS.requirements);
  if (problems.length > 0) {
    const text = messages.saveBlocked(problems);
    // Auto-save fires while the seller is still typing: a modal there would interrupt them.
    if (saveMode === SaveMode.AutoSave) form.ui.setFormNotification(text, "WARNING", NOTIFICATION_IDS.requirements);
    else await showAlert(host, messages, text);
    return;
  }
  approveNextSave(form, host.now().getTime());
  try {
    await saveAgain(form, saveMode);
  } catch (error) {
    withdrawApproval();
    await showError(host, messages.saveFailed(describeError(error)), error);
  }
}

async function saveAgain(form: FormContext, saveMode: number): Promise<void> {
  if (saveMode === SaveMode.SaveAndClose) form.data.entity.save("saveandclose");
  else if (saveMode === SaveMode.SaveAndNew) form.data.entity.save("saveandnew");
  else await form.data.save();
}
