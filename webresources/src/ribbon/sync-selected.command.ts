/**
 * "Sync selected" on the opportunity grid: writes pcc_syncrequestedon on every selected row whose
 * sync switch is on, then says how many were queued, skipped (switch off) or failed. One row
 * failing does not stop the others.
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { Tables } from "../../../entities/standard-tables";
import type { ClientHost } from "../host/client-host";
import { describeError } from "../errors";
import { showAlert, withProgress } from "../host/dialogs";
import { messagesFor, type SyncSummary } from "../messages/messages";
import { reportCommandError } from "./command-errors";

const C = OpportunityColumns;
type RowResult = { kind: "queued" } | { kind: "skipped" } | { kind: "failed"; reason: string };

async function queueRow(host: ClientHost, id: string, requestedOn: string): Promise<RowResult> {
  const table = Tables.opportunity.logicalName;
  try {
    // Re-read the switch: the grid may not show the column, and it may have changed since loading.
    const row = await host.xrm.WebApi.retrieveRecord(table, id, `?$select=${C.syncWithPartnerCenter}`);
    if (row[C.syncWithPartnerCenter] !== true) return { kind: "skipped" };
    await host.xrm.WebApi.updateRecord(table, id, { [C.syncRequestedOn]: requestedOn });
    return { kind: "queued" };
  } catch (error) {
    return { kind: "failed", reason: describeError(error) };
  }
}

export async function syncSelected(
  host: ClientHost, selectedIds: readonly string[] | undefined, grid?: { refresh(): void },
): Promise<SyncSummary | undefined> {
  const messages = messagesFor(host.xrm);
  try {
    const ids = [...new Set((selectedIds ?? []).map((id) => id.replace(/[{}]/g, "").toLowerCase()))];
    if (ids.length === 0) {
      await showAlert(host, messages, messages.nothingSelected);
      return undefined;
    }
    const requestedOn = host.now().toISOString();
    const results = await withProgress(host, messages.queueingSelected, () =>
      Promise.all(ids.map((id) => queueRow(host, id, requestedOn))));
    const failures = results.flatMap((r) => (r.kind === "failed" ? [r.reason] : []));
    const summary: SyncSummary = {
      queued: results.filter((r) => r.kind === "queued").length,
      skippedNotSyncing: results.filter((r) => r.kind === "skipped").length,
      failed: failures.length,
      // One reason is enough to act on; the same cause (privilege, network) usually hits every row.
      firstFailure: failures[0],
    };
    grid?.refresh();
    await showAlert(host, messages, messages.syncSelectedSummary(summary));
    return summary;
  } catch (error) {
    await reportCommandError(host, messages, error);
    return undefined;
  }
}
