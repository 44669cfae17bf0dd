/**
 * Change tracking over the Web API: `Prefer: odata.track-changes` on a collection GET returns the rows
 * and an @odata.deltaLink; following the link returns only rows created or changed since, plus a
 * `$deletedEntity` entry per deleted row, and a new delta link. The token carries the org-wide row
 * version the way Dataverse's does ("<version>!<UTC date>"). As documented
 * (use-change-tracking-synchronize-data-external-systems.md): only tables with ChangeTrackingEnabled
 * answer, and a token older than the org's ExpireChangeTrackingInDays (7 by default) is refused: the
 * client must read the table again from scratch.
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

const DAY_MS = 86_400_000;

/** The org setting ExpireChangeTrackingInDays (organization table), 7 by default. */
export const EXPIRE_CHANGE_TRACKING_IN_DAYS = 7;

function tokenVersion(context: SandboxContext, token: string): number {
  const [versionText = "", dateText = ""] = token.split("!");
  const version = Number(versionText);
  const issued = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/.exec(dateText);
  if (!Number.isInteger(version) || version < 0 || !issued) throw badQuery(`The delta token '${token}' is invalid.`);
  const [, month, day, year, hours, minutes, seconds] = issued.map(Number) as number[];
  const issuedAt = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hours, minutes, seconds);
  if (context.clock.nowMs() - issuedAt > EXPIRE_CHANGE_TRACKING_IN_DAYS * DAY_MS) {
    throw new ODataError(
      400,
      ErrorCode.InvalidArgument,
      `The delta token '${token}' has expired: changes are kept ${EXPIRE_CHANGE_TRACKING_IN_DAYS} days (ExpireChangeTrackingInDays). Read the table again without a delta token.`,
    );
  }
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
  const since = options.deltaToken === undefined ? undefined : tokenVersion(context, options.deltaToken);
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
