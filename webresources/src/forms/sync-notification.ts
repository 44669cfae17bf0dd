/** The form notification that shows the last sync error in plain words (shared by OnLoad and Sync now). */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { SyncStatus } from "../../../entities/option-sets";
import type { Messages } from "../messages/messages";
import { readOption, readText, type FormContext } from "./form-values";

export const NOTIFICATION_IDS = {
  syncError: "pcc_syncerror_notification",
  requirements: "pcc_requirements_notification",
} as const;

export function refreshSyncErrorNotification(form: FormContext, messages: Messages): void {
  if (readOption(form, OpportunityColumns.syncStatus) === SyncStatus.Error) {
    const reason = readText(form, OpportunityColumns.syncError);
    const text = reason ? messages.syncErrorNotification(reason) : messages.syncErrorWithoutReason;
    // Replace rather than add: the platform ignores a second notification with the same id.
    form.ui.clearFormNotification(NOTIFICATION_IDS.syncError);
    form.ui.setFormNotification(text, "ERROR", NOTIFICATION_IDS.syncError);
  } else {
    form.ui.clearFormNotification(NOTIFICATION_IDS.syncError);
  }
}
