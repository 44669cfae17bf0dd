/**
 * Change tracking over the Web API: `Prefer: odata.track-changes` on a collection GET returns the rows
 * and an @odata.deltaLink; following the link returns only rows created or changed since, plus a
 * `$deletedEntity` entry per deleted row, and a new delta link. The token carries the org-wide row
 * version the way Dataverse's does ("<version>!<UTC date>").
 */
import { badQuery, ErrorCode, ODataError } from "./odata-error";
import type { Preferences, QueryOptions } from "./query-options";
import { validateProjection } from "./query-engine";
import { serializeRecord } from "./record-serializer";
import { apiBase, type SandboxContext } from "./sandbox-context";
import type { TableMeta } from "./schema-types";

const pad = (n: number) => String(n).padStart(2, "0");

function deltaToken(version: number, now: Date): string {
  const date = `${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}/${now.getUTCFullYear()} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
  return `${version}!${date}`;
}

function tokenVersion(token: string): number {
  const version = Number(token.split("!")[0]);
  if (!Number.isInteger(version) || version < 0) throw badQuery(`The delta token '${token}' is invalid.`);
  return version;
}

export function runDeltaQuery(context: SandboxContext, table: TableMeta, options: QueryOptions, preferences: Preferences): Record<string, unknown> {
  if (!table.changeTrackingEnabled) {
    throw new ODataError(400, ErrorCode.InvalidArgument, `Entity '${table.logicalName}' is not enabled for change tracking.`);
  }
  if (options.filter || options.orderBy.length > 0 || options.expand.length > 0 || options.top !== undefined) {
    throw badQuery("$filter, $orderby, $expand and $top are not supported with change tracking.");
  }
  validateProjection(table, options);
  const select = options.select;
  const base = apiBase(context);
  const since = options.deltaToken === undefined ? undefined : tokenVersion(options.deltaToken);
  const { changed, deletedIds } =
    since === undefined ? { changed: context.store.list(table.logicalName), deletedIds: [] } : context.store.changesSince(table.logicalName, since);
  const selectPart = select ? `$select=${select.join(",")}&` : "";
  const link = `${base}/${table.entitySetName}?${selectPart}$deltatoken=${encodeURIComponent(deltaToken(context.store.currentVersion, new Date(context.clock.nowMs())))}`;
  return {
    "@odata.context": `${base}/$metadata#${table.entitySetName}${select ? `(${select.join(",")})` : ""}/$delta`,
    "@odata.deltaLink": link,
    value: [
      ...changed.map((row) => serializeRecord(context, table, row, { select, preferences })),
      ...deletedIds.map((id) => ({ "@odata.context": `${base}/$metadata#${table.entitySetName}/$deletedEntity`, id, reason: "deleted" })),
    ],
  };
}
