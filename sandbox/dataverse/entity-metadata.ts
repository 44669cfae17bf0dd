/**
 * EntityDefinitions as the Web API shapes them (EntityMetadata / AttributeMetadata), built from the
 * live schema so that columns added by ImportSolution appear as soon as the import finishes.
 * Routes select / filter these objects with the same query code as rows.
 */
import { createHash } from "node:crypto";
import type { AttributeMeta, TableMeta } from "./schema-types";

/** Stable GUID-shaped MetadataId from a name, so repeated reads agree. */
function metadataId(name: string): string {
  const hex = createHash("sha1").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The calling user's language when no other is given: English (1033), the base language. */
export const BASE_LANGUAGE = 1033;

/** UserLocalizedLabel is in the calling user's language (the base language's when it has none). */
function label(text: string, labels: Record<number, string> | undefined, language: number) {
  const localized = Object.entries(labels ?? { [BASE_LANGUAGE]: text }).map(([code, value]) => ({
    Label: value,
    LanguageCode: Number(code),
  }));
  const user = localized.find((entry) => entry.LanguageCode === language) ?? localized.find((entry) => entry.LanguageCode === BASE_LANGUAGE);
  return { LocalizedLabels: localized, UserLocalizedLabel: user ?? null };
}

const METADATA_TYPE: Record<AttributeMeta["type"], string> = {
  Uniqueidentifier: "UniqueIdentifierAttributeMetadata",
  String: "StringAttributeMetadata",
  Memo: "MemoAttributeMetadata",
  Integer: "IntegerAttributeMetadata",
  BigInt: "BigIntAttributeMetadata",
  Decimal: "DecimalAttributeMetadata",
  Money: "MoneyAttributeMetadata",
  Boolean: "BooleanAttributeMetadata",
  Picklist: "PicklistAttributeMetadata",
  State: "StateAttributeMetadata",
  Status: "StatusAttributeMetadata",
  DateTime: "DateTimeAttributeMetadata",
  Lookup: "LookupAttributeMetadata",
  Customer: "LookupAttributeMetadata",
  Owner: "LookupAttributeMetadata",
  EntityName: "EntityNameAttributeMetadata",
};

export const attributeMetadataType = (attribute: AttributeMeta) => METADATA_TYPE[attribute.type];

export function attributeMetadata(table: TableMeta, attribute: AttributeMeta, withOptionSet = false, language = BASE_LANGUAGE): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    "@odata.type": `#Microsoft.Dynamics.CRM.${METADATA_TYPE[attribute.type]}`,
    MetadataId: metadataId(`${table.logicalName}.${attribute.logicalName}`),
    LogicalName: attribute.logicalName,
    SchemaName: attribute.schemaName,
    EntityLogicalName: table.logicalName,
    AttributeType: attribute.type,
    AttributeTypeName: { Value: `${attribute.type === "Uniqueidentifier" ? "UniqueidentifierType" : `${attribute.type}Type`}` },
    DisplayName: label(attribute.displayName ?? attribute.schemaName, attribute.displayNames, language),
    IsCustomAttribute: attribute.isCustom ?? false,
    IsPrimaryId: attribute.logicalName === table.primaryId,
    IsPrimaryName: attribute.logicalName === table.primaryName,
    IsValidForRead: attribute.validForRead !== false,
    IsValidForCreate: !attribute.readOnly,
    IsValidForUpdate: !attribute.readOnly,
    RequiredLevel: { Value: "None", CanBeChanged: true, ManagedPropertyLogicalName: "canmodifyrequirementlevelsettings" },
  };
  if (attribute.maxLength !== undefined) metadata["MaxLength"] = attribute.maxLength;
  if (attribute.format !== undefined) metadata["FormatName"] = { Value: attribute.format };
  if (attribute.type === "DateTime") {
    metadata["Format"] = attribute.dateOnly ? "DateOnly" : "DateAndTime";
    metadata["DateTimeBehavior"] = { Value: attribute.dateOnly ? "DateOnly" : "UserLocal" };
  }
  if (attribute.targets) metadata["Targets"] = attribute.targets;
  if (attribute.defaultValue !== undefined && typeof attribute.defaultValue !== "object") {
    metadata["DefaultFormValue"] = typeof attribute.defaultValue === "boolean" ? Number(attribute.defaultValue) : attribute.defaultValue;
  }
  if (withOptionSet && attribute.options) {
    const options = attribute.options.map((option) => ({ Value: option.value, Label: label(option.label, option.labels, language) }));
    metadata["OptionSet"] =
      attribute.type === "Boolean"
        ? { OptionSetType: "Boolean", FalseOption: options.find((o) => o.Value === 0), TrueOption: options.find((o) => o.Value === 1) }
        : { OptionSetType: attribute.type, Options: options };
  }
  return metadata;
}

export function entityMetadata(table: TableMeta, language = BASE_LANGUAGE): Record<string, unknown> {
  return {
    MetadataId: metadataId(table.logicalName),
    LogicalName: table.logicalName,
    SchemaName: table.schemaName,
    EntitySetName: table.entitySetName,
    LogicalCollectionName: table.entitySetName,
    PrimaryIdAttribute: table.primaryId,
    PrimaryNameAttribute: table.primaryName,
    ObjectTypeCode: table.objectTypeCode,
    IsCustomEntity: false,
    ChangeTrackingEnabled: table.changeTrackingEnabled,
    DisplayName: label(table.displayName, undefined, language),
  };
}
