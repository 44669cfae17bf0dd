/**
 * "Pending" between a save and the service's answer. A save that changes a column the service
 * syncs (the same list the webhook step filters on) carries pcc_syncstatus = Pending with it, so the
 * co-sell section shows a spinner at once; then the form quietly refreshes until the service has
 * written ✔ or an error. A save that changes nothing the service syncs is left alone, so the form
 * never promises a sync the service will not be told about.
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { SyncStatus } from "../../../entities/option-sets";
import { SYNC_TRIGGER_COLUMNS } from "../../../entities/sync-triggers";
import type { ClientHost } from "../host/client-host";
import { readOption, type FormContext } from "./form-values";

export interface PendingFollowOptions {
  intervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_PENDING_FOLLOW: PendingFollowOptions = { intervalMs: 2_000, timeoutMs: 30_000 };

function changesASyncedColumn(form: FormContext): boolean {
  if (form.ui.getFormType() === 1) return true; // a new record: its creation is the change
  return SYNC_TRIGGER_COLUMNS.some((column) => form.getAttribute(column)?.getIsDirty() === true);
}

/** Called from OnSave while sync is on; true when the save now carries Pending. */
export function markPendingIfSyncing(form: FormContext): boolean {
  const status = form.getAttribute<Xrm.Attributes.OptionSetAttribute>(OpportunityColumns.syncStatus);
  if (!status || !changesASyncedColumn(form)) return false;
  status.setValue(SyncStatus.Pending);
  // The column is read-only on the form; a locked column is only sent when told to.
  status.setSubmitMode("always");
  return true;
}

let following = false;

/**
 * Refreshes the record while it shows Pending, so ✔ or the error appears without the seller
 * reloading. Never refreshes over the seller's unsaved edits, and stops after a while: the status
 * field itself stays the truth.
 */
export async function followPendingSync(host: ClientHost, form: FormContext, options: PendingFollowOptions = DEFAULT_PENDING_FOLLOW): Promise<void> {
  if (following) return;
  following = true;
  try {
    const polls = Math.max(1, Math.ceil(options.timeoutMs / options.intervalMs));
    for (let poll = 0; poll < polls; poll++) {
      await host.sleep(options.intervalMs);
      if (form.data.entity.getIsDirty()) continue;
      await form.data.refresh(false);
      if (readOption(form, OpportunityColumns.syncStatus) !== SyncStatus.Pending) return;
    }
  } catch {
    // A failed refresh only means the seller sees the status at the next load; nothing to report.
  } finally {
    following = false;
  }
}
