/**
 * Converts between Web API JSON rows and the typed values of records.ts: `_x_value` + its
 * lookuplogicalname annotation become an EntityRef, formatted values are collected by column, and
 * @odata.etag is kept (dataverse-ify's sdkify drops every annotation, the etag included, which is why
 * reads do not go through it).
 */
import { DataverseError } from "./dataverse-error";
import type { EntityRef, Retrieved } from "./records";

const FORMATTED = "@OData.Community.Display.V1.FormattedValue";
const LOOKUP_LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname";

/** `$select` names for a set of columns: lookups are selected as `_x_value`. */
export function selectList(columns: readonly string[], lookups: readonly string[]): string {
  return columns.map((column) => (lookups.includes(column) ? `_${column}_value` : column)).join(",");
}

export function fromODataRow<T>(raw: Record<string, unknown>, primaryId: string, columns: readonly string[], lookups: readonly string[]): Retrieved<T> {
  const values: Record<string, unknown> = {};
  const formatted: Record<string, string> = {};
  for (const column of columns) {
    const property = lookups.includes(column) ? `_${column}_value` : column;
    const formattedValue = raw[`${property}${FORMATTED}`];
    if (typeof formattedValue === "string") formatted[column] = formattedValue;
    const value = raw[property];
    if (lookups.includes(column)) {
      const logicalName = raw[`${property}${LOOKUP_LOGICAL_NAME}`];
      values[column] =
        typeof value === "string" && typeof logicalName === "string"
          ? ({ id: value, logicalName, ...(typeof formattedValue === "string" ? { name: formattedValue } : {}) } satisfies EntityRef)
          : null;
    } else if (value instanceof Date) {
      // dataverse-ify parses responses with a date reviver; rows keep Dataverse's wire form instead.
      values[column] = `${value.toISOString().slice(0, 19)}Z`;
    } else {
      values[column] = value ?? null;
    }
  }
  const id = raw[primaryId];
  const etag = raw["@odata.etag"];
  if (typeof id !== "string" || typeof etag !== "string") {
    throw new DataverseError(`The row has no ${typeof id !== "string" ? primaryId : "@odata.etag"}`, { status: 500, cause: raw });
  }
  return { id, etag, values: values as T, formatted };
}

/** An OData string literal: 'O''Brien'. */
export const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;
