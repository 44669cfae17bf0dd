/**
 * Turns a stored row into its Web API JSON: @odata.etag, columns by logical name, lookups as
 * `_x_value` with their annotations, formatted values when the client prefers
 * odata.include-annotations, and single-valued $expand of lookups. Also owns the mapping from the
 * names a query may use ($select / $filter / $orderby) to stored values.
 */
import { isLookupValue, type StoredRecord } from "./entity-store";
import { unknownQueryProperty } from "./odata-error";
import { wantsAnnotation, type ExpandOption, type Preferences } from "./query-options";
import { etagOf, type SandboxContext } from "./sandbox-context";
import { isLookupType, navigationProperties, navigationPropertyName, type AttributeMeta, type TableMeta } from "./schema-types";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
const LOOKUP_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname";
const NAVIGATION_PROPERTY = "Microsoft.Dynamics.CRM.associatednavigationproperty";

const LOOKUP_PROPERTY = /^_(.+)_value$/;

/** The column behind a query property name: `name` for plain columns, `_x_value` for lookups. */
export function resolveProperty(table: TableMeta, property: string): AttributeMeta {
  const lookupMatch = LOOKUP_PROPERTY.exec(property);
  const attribute = table.attributes.get(lookupMatch?.[1] ?? property);
  const valid = attribute && attribute.validForRead !== false && (lookupMatch ? isLookupType(attribute.type) : !isLookupType(attribute.type));
  if (!attribute || !valid) throw unknownQueryProperty(property, table.logicalName);
  return attribute;
}

export const propertyName = (attribute: AttributeMeta) => (isLookupType(attribute.type) ? `_${attribute.logicalName}_value` : attribute.logicalName);

/** The comparable value of a property on a row (a lookup's GUID, not the lookup object). */
export function propertyValue(record: StoredRecord, attribute: AttributeMeta): unknown {
  const value = record.values[attribute.logicalName];
  if (isLookupValue(value)) return value.id;
  return value ?? null;
}

const pad = (n: number) => String(n).padStart(2, "0");

function formatValue(context: SandboxContext, record: StoredRecord, attribute: AttributeMeta, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (attribute.type) {
    case "Boolean":
      return attribute.options?.find((option) => option.value === (value ? 1 : 0))?.label ?? (value ? "Yes" : "No");
    case "Picklist":
    case "State":
    case "Status":
      return attribute.options?.find((option) => option.value === value)?.label;
    case "Money": {
      const currency = record.values["transactioncurrencyid"];
      const currencyRow = isLookupValue(currency) ? context.store.get(currency.logicalName, currency.id) : undefined;
      const symbol = typeof currencyRow?.values["currencysymbol"] === "string" ? currencyRow.values["currencysymbol"] : "$";
      return `${symbol}${Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    }
    case "Integer":
    case "BigInt":
    case "Decimal":
      return Number(value).toLocaleString("en-US");
    case "DateTime": {
      const date = new Date(String(value));
      const day = `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
      if (attribute.dateOnly) return day;
      const hours = date.getUTCHours();
      return `${day} ${hours % 12 === 0 ? 12 : hours % 12}:${pad(date.getUTCMinutes())} ${hours < 12 ? "AM" : "PM"}`;
    }
    case "Lookup":
    case "Customer":
    case "Owner": {
      if (!isLookupValue(value)) return undefined;
      const target = context.schema.table(value.logicalName);
      const row = target ? context.store.get(target.logicalName, value.id) : undefined;
      const name = target && row ? row.values[target.primaryName] : undefined;
      return typeof name === "string" ? name : undefined;
    }
    default:
      return undefined;
  }
}

function selectedAttributes(table: TableMeta, select: string[] | undefined): AttributeMeta[] {
  const primary = table.attributes.get(table.primaryId);
  if (!select) return [...table.attributes.values()].filter((attribute) => attribute.validForRead !== false);
  const chosen = select.map((name) => resolveProperty(table, name));
  if (primary && !chosen.includes(primary)) chosen.push(primary);
  return chosen;
}

export function serializeRecord(
  context: SandboxContext,
  table: TableMeta,
  record: StoredRecord,
  options: { select?: string[]; expand?: ExpandOption[]; preferences: Preferences },
): Record<string, unknown> {
  const { preferences } = options;
  const output: Record<string, unknown> = { "@odata.etag": etagOf(record.version) };
  for (const attribute of selectedAttributes(table, options.select)) {
    const value = record.values[attribute.logicalName] ?? null;
    const name = propertyName(attribute);
    const formatted = formatValue(context, record, attribute, value);
    if (formatted !== undefined && wantsAnnotation(preferences, FORMATTED)) output[`${name}@${FORMATTED}`] = formatted;
    if (isLookupValue(value)) {
      if (wantsAnnotation(preferences, NAVIGATION_PROPERTY)) {
        output[`${name}@${NAVIGATION_PROPERTY}`] = navigationPropertyName(attribute, value.logicalName);
      }
      if (wantsAnnotation(preferences, LOOKUP_LOGICAL_NAME)) output[`${name}@${LOOKUP_LOGICAL_NAME}`] = value.logicalName;
      output[name] = value.id;
    } else {
      output[name] = value;
    }
  }
  const navigation = navigationProperties(table);
  for (const expand of options.expand ?? []) {
    const target = navigation.get(expand.navigationProperty);
    if (!target) throw unknownQueryProperty(expand.navigationProperty, table.logicalName);
    const value = record.values[target.attribute.logicalName];
    const targetTable = context.schema.table(target.target);
    const row = isLookupValue(value) && value.logicalName === target.target ? context.store.get(target.target, value.id) : undefined;
    output[expand.navigationProperty] =
      row && targetTable ? serializeRecord(context, targetTable, row, { select: expand.select, preferences }) : null;
  }
  return output;
}
