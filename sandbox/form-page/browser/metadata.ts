/**
 * The org's metadata the form needs, read from the sandbox's EntityDefinitions like the Unified
 * Interface does: entity set names, each column's type, length, targets and labels, and the options
 * of choice and yes/no columns (in every language, so the language switch needs no second read).
 */
import { getJson } from "./web-api";

type LocalizedLabels = { LocalizedLabels?: { Label: string; LanguageCode: number }[] };

export interface OptionMeta {
  value: number;
  labels: Record<string, string>;
}

export interface ColumnMeta {
  logicalName: string;
  /** Metadata AttributeType: String, Memo, Boolean, Picklist, DateTime, Lookup, Customer, Money ... */
  type: string;
  displayNames: Record<string, string>;
  maxLength: number | null;
  dateOnly: boolean;
  targets: string[];
  requiredLevel: string;
  defaultValue: number | null;
  options: OptionMeta[] | null;
}

export interface TableMetadata {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  columns: Map<string, ColumnMeta>;
}

function labels(label: LocalizedLabels | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of label?.LocalizedLabels ?? []) result[String(entry.LanguageCode)] = entry.Label;
  return result;
}

export function labelIn(labelsByLanguage: Record<string, string>, languageId: number, fallback = ""): string {
  return labelsByLanguage[String(languageId)] ?? labelsByLanguage["1033"] ?? Object.values(labelsByLanguage)[0] ?? fallback;
}

let entitySets: Promise<Map<string, string>> | null = null;

export function entitySetName(logicalName: string): Promise<string> {
  entitySets ??= getJson<{ value: { LogicalName: string; EntitySetName: string }[] }>("EntityDefinitions?$select=LogicalName,EntitySetName").then(
    (body) => new Map(body.value.map((entity) => [entity.LogicalName, entity.EntitySetName])),
  );
  return entitySets.then((sets) => {
    const name = sets.get(logicalName);
    if (!name) throw { errorCode: -1, message: `The table ${logicalName} does not exist in this org.`, status: 404 };
    return name;
  });
}

const CAST: Record<string, string> = { Picklist: "PicklistAttributeMetadata", Boolean: "BooleanAttributeMetadata", Status: "StatusAttributeMetadata", State: "StateAttributeMetadata" };

async function readOptions(logicalName: string, column: string, type: string): Promise<OptionMeta[] | null> {
  const cast = CAST[type];
  if (!cast) return null;
  type Option = { Value: number; Label?: LocalizedLabels };
  const body = await getJson<{ OptionSet?: { Options?: Option[]; TrueOption?: Option; FalseOption?: Option } }>(
    `EntityDefinitions(LogicalName='${logicalName}')/Attributes(LogicalName='${column}')/Microsoft.Dynamics.CRM.${cast}?$select=LogicalName&$expand=OptionSet`,
  );
  const set = body.OptionSet;
  const options = set?.Options ?? [set?.FalseOption, set?.TrueOption].filter((option): option is Option => option !== undefined);
  return options.map((option) => ({ value: option.Value, labels: labels(option.Label) }));
}

/** Reads a table's columns; option sets only for `withOptions` (the columns on the form). */
export async function readTableMetadata(logicalName: string, withOptions: Iterable<string>): Promise<TableMetadata> {
  type Attribute = {
    LogicalName: string; AttributeType: string; MaxLength?: number; DisplayName?: LocalizedLabels; Targets?: string[];
    Format?: string; RequiredLevel?: { Value?: string }; DefaultFormValue?: number;
  };
  const body = await getJson<{ EntitySetName: string; PrimaryIdAttribute: string; PrimaryNameAttribute: string; Attributes: Attribute[] }>(
    `EntityDefinitions(LogicalName='${logicalName}')?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute&$expand=Attributes`,
  );
  const columns = new Map<string, ColumnMeta>();
  for (const attribute of body.Attributes) {
    columns.set(attribute.LogicalName, {
      logicalName: attribute.LogicalName,
      type: attribute.AttributeType,
      displayNames: labels(attribute.DisplayName),
      maxLength: attribute.MaxLength ?? null,
      dateOnly: attribute.Format === "DateOnly",
      targets: attribute.Targets ?? [],
      requiredLevel: attribute.RequiredLevel?.Value ?? "None",
      defaultValue: typeof attribute.DefaultFormValue === "number" ? attribute.DefaultFormValue : null,
      options: null,
    });
  }
  await Promise.all(
    [...new Set(withOptions)].map(async (column) => {
      const meta = columns.get(column);
      if (meta) meta.options = await readOptions(logicalName, column, meta.type);
    }),
  );
  return { logicalName, entitySetName: body.EntitySetName, primaryId: body.PrimaryIdAttribute, primaryName: body.PrimaryNameAttribute, columns };
}
