/**
 * OnLoad of the opportunity form: lock the columns only the sync service writes, and show the
 * last sync error where the seller looks first.
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import type { ClientHost } from "../host/client-host";
import { messagesFor } from "../messages/messages";
import type { FormContext } from "./form-values";
import { refreshSyncErrorNotification } from "./sync-notification";
import { refreshWonTooSoonNotification } from "./won-too-soon";

const C = OpportunityColumns;

/**
 * The columns marked readOnlyOnForms in entities/opportunity-columns.ts. Listed here rather than
 * derived so the bundle does not carry every column's labels; a test keeps the two in step.
 */
export const LOCKED_COLUMNS: readonly string[] = [
  C.referralIdentifier, C.referralLink, C.audit, C.syncStatus, C.syncError, C.lastSyncedOn,
  C.syncRequestedOn, C.referralStatus, C.referralDirection, C.microsoftCrmIdentifier,
  C.microsoftMsxId, C.conflictNotice,
];

export function lockSyncColumns(form: FormContext): void {
  for (const column of LOCKED_COLUMNS) {
    // Every control of the column: the body field and any copy in the header or a quick view.
    form.getAttribute(column)?.controls.forEach((control) => {
      (control as Xrm.Controls.StandardControl).setDisabled(true);
    });
  }
}

export function onLoad(host: ClientHost, executionContext: Xrm.Events.EventContext): void {
  const form = executionContext.getFormContext();
  lockSyncColumns(form);
  const messages = messagesFor(host.xrm);
  refreshSyncErrorNotification(form, messages);
  refreshWonTooSoonNotification(form, messages, host.now());
}
