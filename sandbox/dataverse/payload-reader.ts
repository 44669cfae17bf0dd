/**
 * Reads a create / update payload into typed column values, validating each as Dataverse does:
 * unknown names fail with the unknown-property error, literals of the wrong type with the payload
 * error, text longer than the column with the length error, an option value outside the option set
 * with the range error, as is a number outside the column's minimum and maximum; a date-only column
 * takes "YYYY-MM-DD" and nothing else (Edm.Date). Lookups are set with `nav@odata.bind: "/entityset(id)"`
 * and cleared with `nav@odata.bind: null` or `nav: null`; binding to a row that does not exist fails
 * with not-found.
 */
import type { LookupValue } from "./entity-store";
import { ErrorCode, notFound, ODataError, payloadError, unknownPayloadProperty } from "./odata-error";
import type { SandboxContext } from "./sandbox-context";
import { isLookupType, navigationProperties, type AttributeMeta, type TableMeta } from "./schema-types";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BIND_PATH = /(?:^|\/)([A-Za-z_][A-Za-z0-9_]*)\(\{?([0-9a-fA-F-]{36})\}?\)$/;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Ranges of the number types when a column sets none (Dataverse's own type limits). */
const TYPE_RANGE: Partial<Record<AttributeMeta["type"], [number, number]>> = {
  Integer: [-2_147_483_648, 2_147_483_647],
  BigInt: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  Money: [-922_337_203_685_477, 922_337_203_685_477],
  Decimal: [-100_000_000_000, 100_000_000_000],
};

function checkRange(table: TableMeta, attribute: AttributeMeta, value: number): number {
  const [typeMin, typeMax] = TYPE_RANGE[attribute.type] ?? [-Infinity, Infinity];
  const min = attribute.minValue ?? typeMin;
  const max = attribute.maxValue ?? typeMax;
  if (value < min || value > max) {
    throw new ODataError(
      400,
      ErrorCode.ValueOutOfRange,
      `A validation error occurred. The value ${value} of '${attribute.logicalName}' on record of type '${table.logicalName}' is outside the valid range. Accepted range: ${min} to ${max}`,
    );
  }
  return value;
}

const EDM_TYPE: Partial<Record<AttributeMeta["type"], string>> = {
  Boolean: "Edm.Boolean",
  Integer: "Edm.Int32",
  BigInt: "Edm.Int64",
  Decimal: "Edm.Decimal",
  Money: "Edm.Decimal",
  Picklist: "Edm.Int32",
  State: "Edm.Int32",
  Status: "Edm.Int32",
  DateTime: "Edm.DateTimeOffset",
  String: "Edm.String",
  Memo: "Edm.String",
  Uniqueidentifier: "Edm.Guid",
  EntityName: "Edm.String",
};

/**
 * A request body as dataverse-ify's Node transport sends it may be a JSON string holding the JSON
 * object (it encodes twice). Real Dataverse's tolerance of that is unverified; the sandbox accepts it.
 */
export function unwrapBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new ODataError(400, ErrorCode.PayloadError, "The request body is not valid JSON.", { cause: error });
  }
}

export function requireObjectBody(body: unknown): Record<string, unknown> {
  const value = unwrapBody(body);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ODataError(400, ErrorCode.PayloadError, "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** Normalizes a date-time to Dataverse's wire form (UTC, whole seconds) or a date-only column to YYYY-MM-DD. */
export function normalizeDate(value: string, dateOnly: boolean | undefined): string | undefined {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return undefined;
  const iso = new Date(time).toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
}

function readValue(table: TableMeta, attribute: AttributeMeta, value: unknown): unknown {
  if (value === null) return null;
  const edmType = attribute.dateOnly ? "Edm.Date" : (EDM_TYPE[attribute.type] ?? "Edm.String");
  const wrongType = () =>
    payloadError(table.entitySetName, `Cannot convert the literal '${typeof value === "object" ? JSON.stringify(value) : String(value)}' to the expected type '${edmType}'.`);
  switch (attribute.type) {
    case "String":
    case "Memo": {
      if (typeof value !== "string") throw wrongType();
      if (attribute.maxLength !== undefined && value.length > attribute.maxLength) {
        throw new ODataError(
          400,
          ErrorCode.TextTooLong,
          `A validation error occurred. The length of the '${attribute.logicalName}' attribute of the '${table.logicalName}' entity exceeded the maximum allowed length of '${attribute.maxLength}'.`,
        );
      }
      return value;
    }
    case "Integer":
    case "BigInt":
      if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType();
      return checkRange(table, attribute, value);
    case "Decimal":
    case "Money":
      if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType();
      return checkRange(table, attribute, value);
    case "Boolean":
      if (typeof value !== "boolean") throw wrongType();
      return value;
    case "Picklist":
    case "State":
    case "Status": {
      if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType();
      const allowed = attribute.options?.map((option) => option.value) ?? [];
      if (!allowed.includes(value)) {
        throw new ODataError(
          400,
          ErrorCode.OptionValueOutOfRange,
          `A validation error occurred. The value ${value} of '${attribute.logicalName}' on record of type '${table.logicalName}' is outside the valid range. Accepted Values: ${allowed.join(",")}`,
        );
      }
      return value;
    }
    case "DateTime": {
      // Edm.Date takes a bare date: a time (even midnight UTC) is a payload error.
      if (attribute.dateOnly && (typeof value !== "string" || !DATE_ONLY.test(value))) throw wrongType();
      const normalized = typeof value === "string" ? normalizeDate(value, attribute.dateOnly) : undefined;
      if (normalized === undefined) throw wrongType();
      return normalized;
    }
    case "Uniqueidentifier":
      if (typeof value !== "string" || !GUID.test(value)) throw wrongType();
      return value.toLowerCase();
    case "EntityName":
      if (typeof value !== "string") throw wrongType();
      return value;
    default:
      throw unknownPayloadProperty(attribute.logicalName, table.logicalName);
  }
}

function readBind(context: SandboxContext, table: TableMeta, navigationProperty: string, value: unknown): [string, LookupValue | null] {
  const navigation = navigationProperties(table).get(navigationProperty);
  if (!navigation) throw unknownPayloadProperty(navigationProperty, table.logicalName);
  if (value === null) return [navigation.attribute.logicalName, null];
  const match = typeof value === "string" ? BIND_PATH.exec(value.split("?")[0] ?? "") : null;
  const targetTable = context.schema.table(navigation.target);
  if (!match || !targetTable) {
    throw payloadError(table.entitySetName, `The value '${String(value)}' of '${navigationProperty}@odata.bind' is not a valid entity reference.`);
  }
  const [, entitySet = "", rawId = ""] = match;
  const id = rawId.toLowerCase();
  // A polymorphic lookup is bound through the navigation property of the target's table.
  if (entitySet !== targetTable.entitySetName) {
    throw new ODataError(
      400,
      ErrorCode.InvalidArgument,
      `The navigation property '${navigationProperty}' expects a reference to '${targetTable.entitySetName}', not '${entitySet}'.`,
    );
  }
  if (!context.store.get(targetTable.logicalName, id)) throw notFound(targetTable.logicalName, id);
  return [navigation.attribute.logicalName, { id, logicalName: targetTable.logicalName }];
}

/** The column values a payload sets, by logical name. Read-only platform columns are ignored, as Dataverse does. */
export function readPayload(context: SandboxContext, table: TableMeta, body: unknown): Record<string, unknown> {
  const payload = requireObjectBody(body);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key.endsWith("@odata.bind")) {
      const [attribute, lookup] = readBind(context, table, key.slice(0, -"@odata.bind".length), value);
      values[attribute] = lookup;
      continue;
    }
    if (key.includes("@")) continue; // other instance annotations (@odata.type, @odata.etag ...)
    // `"nav": null` disassociates, like `"nav@odata.bind": null`.
    const navigation = navigationProperties(table).get(key);
    if (navigation && value === null) {
      values[navigation.attribute.logicalName] = null;
      continue;
    }
    const attribute = table.attributes.get(key);
    if (!attribute || isLookupType(attribute.type)) throw unknownPayloadProperty(key, table.logicalName);
    if (attribute.readOnly) continue;
    values[key] = readValue(table, attribute, value);
  }
  return values;
}
