/** "Stop syncing": after the seller confirms, turns the switch off and saves. */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import type { FormContext } from "../forms/form-values";
import type { ClientHost } from "../host/client-host";
import { askToConfirm, showAlert, withProgress } from "../host/dialogs";
import { messagesFor } from "../messages/messages";
import { reportCommandError } from "./command-errors";
import { saveChanges } from "./save-changes";

export async function stopSyncing(host: ClientHost, form: FormContext): Promise<void> {
  const messages = messagesFor(host.xrm);
  try {
    const confirmed = await askToConfirm(host, messages, {
      title: messages.stopSyncingTitle, text: messages.stopSyncingText, confirm: messages.stopSyncingConfirm,
    });
    if (!confirmed) return;
    await withProgress(host, messages.saving, () =>
      saveChanges(host, form, { [OpportunityColumns.syncWithPartnerCenter]: false }));
    await showAlert(host, messages, messages.syncStopped);
  } catch (error) {
    await reportCommandError(host, messages, error);
  }
}
