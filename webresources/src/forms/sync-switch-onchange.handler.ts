/** OnChange of "Sync with Partner Center": tell the seller up front what Partner Center will ask for. */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import type { ClientHost } from "../host/client-host";
import { messagesFor } from "../messages/messages";
import { readBoolean } from "./form-values";
import { NOTIFICATION_IDS } from "./sync-notification";

export function onSyncSwitchChange(host: ClientHost, executionContext: Xrm.Events.EventContext): void {
  const form = executionContext.getFormContext();
  if (readBoolean(form, OpportunityColumns.syncWithPartnerCenter)) {
    form.ui.setFormNotification(messagesFor(host.xrm).requirementsOnSwitchOn, "INFO", NOTIFICATION_IDS.requirements);
  } else {
    form.ui.clearFormNotification(NOTIFICATION_IDS.requirements);
  }
  // Sync now and Stop syncing depend on the switch; the platform re-evaluates them only when asked.
  form.ui.refreshRibbon();
}
