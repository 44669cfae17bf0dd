/**
 * What the Sync health page reads and writes, through the platform's Xrm.WebApi (the page never calls
 * the sync service): the heartbeat rows, co-sell opportunities counted by sync status, the oldest
 * pending one, the latest errors; and "Retry all", which writes pcc_syncrequestedon on every errored
 * opportunity, as "Sync now" does on one. The service answers through the webhook or its catch-up.
 */
import { CoSellHeartbeatColumns as H, CoSellHeartbeatTable } from "../../entities/cosell-heartbeat";
import { OpportunityColumns as C } from "../../entities/opportunity-column-names";
import { SyncStatus } from "../../entities/option-sets";
import { OpportunityStandardColumns as S, Tables } from "../../entities/standard-tables";

const FORMATTED = "@OData.Community.Display.V1.FormattedValue";
const OPPORTUNITY = Tables.opportunity.logicalName;
/** Enough for a dashboard; the page says when there are more. */
const COUNT_LIMIT = 5000;
const LATEST_ERRORS = 10;

export interface StatusCount {
  status: number;
  label: string;
  count: number;
}

export interface OpportunityLine {
  id: string;
  name: string;
  /** The error, for the errors list. */
  error: string;
  /** When the record last changed: since when it waits (pending), or when it failed (errors). */
  since: string | null;
}

export interface HealthData {
  heartbeats: Record<string, unknown>[];
  counts: StatusCount[];
  countsTruncated: boolean;
  oldestPending: OpportunityLine | null;
  latestErrors: OpportunityLine[];
  errorCount: number;
}

type Row = Record<string, unknown>;

const line = (row: Row, since: string): OpportunityLine => ({
  id: String(row[Tables.opportunity.primaryId]),
  name: String(row[S.name] ?? ""),
  error: String(row[C.syncError] ?? ""),
  since: typeof row[since] === "string" ? (row[since] as string) : null,
});

export async function readHealth(webApi: Xrm.WebApi): Promise<HealthData> {
  const [heartbeats, statuses, pending, errors] = await Promise.all([
    webApi.retrieveMultipleRecords(CoSellHeartbeatTable.logicalName, `?$select=${Object.values(H).join(",")}&$orderby=${H.beatOn} desc`),
    webApi.retrieveMultipleRecords(OPPORTUNITY, `?$select=${C.syncStatus}&$filter=${C.syncStatus} ne null&$top=${COUNT_LIMIT}`),
    // Waiting since its last change (a save says Pending without asking for a sync explicitly).
    webApi.retrieveMultipleRecords(OPPORTUNITY, `?$select=${S.name},${S.modifiedOn}&$filter=${C.syncStatus} eq ${SyncStatus.Pending}&$orderby=${S.modifiedOn} asc&$top=1`),
    webApi.retrieveMultipleRecords(OPPORTUNITY, `?$select=${S.name},${C.syncError},${S.modifiedOn}&$filter=${C.syncStatus} eq ${SyncStatus.Error}&$orderby=${S.modifiedOn} desc`),
  ]);
  const counts = new Map<number, StatusCount>();
  for (const row of statuses.entities) {
    const status = Number(row[C.syncStatus]);
    const entry = counts.get(status) ?? { status, label: String(row[`${C.syncStatus}${FORMATTED}`] ?? status), count: 0 };
    entry.count += 1;
    counts.set(status, entry);
  }
  const order = Object.values(SyncStatus) as number[];
  return {
    heartbeats: heartbeats.entities,
    counts: [...counts.values()].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status)),
    countsTruncated: statuses.entities.length >= COUNT_LIMIT,
    oldestPending: pending.entities[0] ? line(pending.entities[0], S.modifiedOn) : null,
    latestErrors: errors.entities.slice(0, LATEST_ERRORS).map((row) => line(row, S.modifiedOn)),
    errorCount: errors.entities.length,
  };
}

/** Asks the service to sync every errored opportunity again; returns how many were asked. */
export async function retryAll(webApi: Xrm.WebApi, now: Date = new Date()): Promise<number> {
  const errors = await webApi.retrieveMultipleRecords(OPPORTUNITY, `?$select=${Tables.opportunity.primaryId}&$filter=${C.syncStatus} eq ${SyncStatus.Error}`);
  for (const row of errors.entities) {
    await webApi.updateRecord(OPPORTUNITY, String(row[Tables.opportunity.primaryId]), { [C.syncRequestedOn]: now.toISOString() });
  }
  return errors.entities.length;
}
