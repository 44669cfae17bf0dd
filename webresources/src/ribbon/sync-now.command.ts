/**
 * "Sync now": asks the sync service for an immediate sync by writing pcc_syncrequestedon (the
 * webhook step filters on it), then watches the record until the service has answered or we stop
 * waiting, and says how it went. The browser never calls the service itself (docs/DESIGN.md section 2).
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { SyncStatus } from "../../../entities/option-sets";
import { findCoSellProblems } from "../forms/cosell-requirements";
import { readDate, readOption, readText, type FormContext } from "../forms/form-values";
import { refreshSyncErrorNotification } from "../forms/sync-notification";
import type { ClientHost } from "../host/client-host";
import { showAlert, withProgress } from "../host/dialogs";
import { messagesFor, type Messages } from "../messages/messages";
import { reportCommandError } from "./command-errors";
import { saveChanges } from "./save-changes";

const C = OpportunityColumns;

export interface SyncWatchOptions {
  intervalMs: number;
  timeoutMs: number;
}

/** The service answers in seconds; a minute covers its retries before we hand over to the status field. */
export const DEFAULT_SYNC_WATCH: SyncWatchOptions = { intervalMs: 3_000, timeoutMs: 60_000 };

export type SyncOutcome = { kind: "synced" } | { kind: "failed"; reason: string } | { kind: "still-pending" };

interface SyncMarks {
  status: number | null;
  lastSyncedOn: number | null;
  error: string;
}

function syncMarks(form: FormContext): SyncMarks {
  return {
    status: readOption(form, C.syncStatus),
    lastSyncedOn: readDate(form, C.lastSyncedOn)?.getTime() ?? null,
    error: readText(form, C.syncError),
  };
}

/**
 * Refreshes until the service has visibly handled the request. A status that is not Pending only
 * counts once something moved (we saw Pending, or the last-synced time or the error changed):
 * right after the save the record still shows the previous sync's result.
 */
export async function watchSync(host: ClientHost, form: FormContext, before: SyncMarks, watch: SyncWatchOptions): Promise<SyncOutcome> {
  const polls = Math.max(1, Math.ceil(watch.timeoutMs / watch.intervalMs));
  let sawPending = false;
  for (let poll = 0; poll < polls; poll++) {
    await host.sleep(watch.intervalMs);
    await form.data.refresh(false);
    const now = syncMarks(form);
    if (now.status === SyncStatus.Pending) {
      sawPending = true;
      continue;
    }
    const moved = sawPending || now.lastSyncedOn !== before.lastSyncedOn || now.error !== before.error;
    if (!moved) continue;
    if (now.status === SyncStatus.Error) return { kind: "failed", reason: now.error };
    if (now.status === SyncStatus.Synced) return { kind: "synced" };
  }
  return { kind: "still-pending" };
}

function outcomeText(outcome: SyncOutcome, messages: Messages, watch: SyncWatchOptions): string {
  switch (outcome.kind) {
    case "synced":
      return messages.syncDone;
    case "failed":
      return outcome.reason ? messages.syncFailed(outcome.reason) : messages.syncErrorWithoutReason;
    case "still-pending":
      return messages.syncStillPending(Math.round(watch.timeoutMs / 1000));
  }
}

export async function syncNow(host: ClientHost, form: FormContext, watch: SyncWatchOptions = DEFAULT_SYNC_WATCH): Promise<void> {
  const messages = messagesFor(host.xrm);
  try {
    // Same check as OnSave, up front: a save the check would block must not look like a sync.
    const problems = await findCoSellProblems(host, form, messages);
    if (problems.length > 0) {
      await showAlert(host, messages, messages.saveBlocked(problems));
      return;
    }
    const outcome = await withProgress(host, messages.syncing, async () => {
      const before = syncMarks(form);
      await saveChanges(host, form, { [C.syncRequestedOn]: host.now() });
      return watchSync(host, form, before, watch);
    });
    refreshSyncErrorNotification(form, messages);
    await showAlert(host, messages, outcomeText(outcome, messages, watch));
  } catch (error) {
    await reportCommandError(host, messages, error);
  }
}
