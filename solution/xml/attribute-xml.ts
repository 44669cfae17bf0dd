/**
 * Writes one custom column as the <attribute> element customizations.xml carries inside
 * Entities/Entity/EntityInfo/entity/attributes (CustomizationsSolution.xsd). The element set
 * follows what Dataverse itself exports for a custom column on a standard table, minus the
 * elements the published 2017 schema does not know (AutoNumberFormat, IsRetrieveAuditEnabled).
 */
import type { RequiredLevel, TableColumnDefinition } from "../../entities";
import { PUBLISHER, Tables } from "../../entities";
import { localizedList, textElement, type XMLBuilder } from "./xml-helpers";

/** Dataverse RequiredLevel values as they appear in exports. */
const REQUIRED_LEVEL: Record<RequiredLevel, string> = {
  none: "none",
  recommended: "recommended",
  required: "required",
};

/** DateTimeBehavior codes in customizations.xml: 1 UserLocal, 3 TimeZoneIndependent. */
const DATE_TIME_BEHAVIOR = { UserLocal: 1, TimeZoneIndependent: 3 } as const;

/** The Dataverse storage type (<Type>) each of our column types becomes. */
export const DATAVERSE_TYPE: Record<TableColumnDefinition["type"], string> = {
  boolean: "bit",
  text: "nvarchar",
  memo: "ntext",
  choice: "picklist",
  datetime: "datetime",
  wholenumber: "int",
};

/**
 * Option set names are org-wide, so a local set is qualified with the table name the way
 * Dataverse names them itself: <prefix>_<table>_<column>.
 */
export function localOptionSetName(column: TableColumnDefinition, table: string = Tables.opportunity.logicalName): string {
  return `${PUBLISHER.customizationPrefix}_${table}_${column.logicalName}`;
}

export function writeAttribute(
  attributes: XMLBuilder,
  column: TableColumnDefinition,
  introducedVersion: string,
  options: { table?: string; primaryName?: boolean } = {},
): void {
  const table = options.table ?? Tables.opportunity.logicalName;
  const attribute = attributes.ele("attribute", { PhysicalName: column.schemaName });
  textElement(attribute, "Type", DATAVERSE_TYPE[column.type]);
  textElement(attribute, "Name", column.logicalName);
  textElement(attribute, "LogicalName", column.logicalName);
  textElement(attribute, "RequiredLevel", REQUIRED_LEVEL[column.requiredLevel]);
  // The primary name column is the one lookups and grids show for a row.
  const displayMask = options.primaryName ? "PrimaryName|ValidForAdvancedFind|ValidForForm|ValidForGrid|RequiredForForm" : "ValidForAdvancedFind|ValidForForm|ValidForGrid";
  textElement(attribute, "DisplayMask", displayMask);
  textElement(attribute, "ImeMode", "auto");
  textElement(attribute, "ValidForUpdateApi", 1);
  textElement(attribute, "ValidForReadApi", 1);
  textElement(attribute, "ValidForCreateApi", 1);
  textElement(attribute, "IsCustomField", 1);
  textElement(attribute, "IsAuditEnabled", 1);
  textElement(attribute, "IsSecured", 0);
  textElement(attribute, "IntroducedVersion", introducedVersion);
  textElement(attribute, "IsCustomizable", 1);
  textElement(attribute, "IsRenameable", 1);
  textElement(attribute, "CanModifySearchSettings", 1);
  textElement(attribute, "CanModifyRequirementLevelSettings", 1);
  textElement(attribute, "CanModifyAdditionalSettings", 1);
  textElement(attribute, "SourceType", 0);
  textElement(attribute, "IsGlobalFilterEnabled", 0);
  textElement(attribute, "IsSortableEnabled", 0);
  textElement(attribute, "CanModifyGlobalFilterSettings", 1);
  textElement(attribute, "CanModifyIsSortableSettings", 1);
  textElement(attribute, "IsDataSourceSecret", 0);

  switch (column.type) {
    case "text":
      textElement(attribute, "Format", column.format);
      textElement(attribute, "MaxLength", column.maxLength);
      // Exports carry Length as the byte size of the nvarchar column (2 bytes a character).
      textElement(attribute, "Length", column.maxLength * 2);
      break;
    case "memo":
      textElement(attribute, "Format", "textarea");
      textElement(attribute, "MaxLength", column.maxLength);
      break;
    case "wholenumber":
      textElement(attribute, "Format", "none");
      textElement(attribute, "MinValue", column.minValue);
      textElement(attribute, "MaxValue", column.maxValue);
      break;
    case "datetime":
      textElement(attribute, "Format", "datetime");
      textElement(attribute, "CanChangeDateTimeBehavior", 1);
      textElement(attribute, "Behavior", DATE_TIME_BEHAVIOR[column.behavior]);
      break;
    case "boolean": {
      textElement(attribute, "AppDefaultValue", column.defaultValue ? 1 : 0);
      const optionSet = attribute.ele("optionset", { Name: localOptionSetName(column, table) });
      textElement(optionSet, "OptionSetType", "bit");
      textElement(optionSet, "IntroducedVersion", introducedVersion);
      textElement(optionSet, "IsCustomizable", 1);
      localizedList(optionSet, "displaynames", "displayname", column.displayName);
      localizedList(optionSet, "Descriptions", "Description", column.description);
      const options = optionSet.ele("options");
      for (const [value, label] of [[1, column.trueLabel], [0, column.falseLabel]] as const) {
        const option = options.ele("option", { value: String(value), ExternalValue: "" });
        localizedList(option, "labels", "label", label);
      }
      break;
    }
    case "choice": {
      textElement(attribute, "AppDefaultValue", column.defaultValue ?? -1);
      const optionSet = attribute.ele("optionset", { Name: localOptionSetName(column, table) });
      textElement(optionSet, "OptionSetType", "picklist");
      textElement(optionSet, "IsGlobal", 0);
      textElement(optionSet, "IntroducedVersion", introducedVersion);
      textElement(optionSet, "IsCustomizable", 1);
      localizedList(optionSet, "displaynames", "displayname", column.displayName);
      localizedList(optionSet, "Descriptions", "Description", column.description);
      const options = optionSet.ele("options");
      for (const definition of column.options) {
        const option = options.ele("option", { value: String(definition.value), ExternalValue: "" });
        localizedList(option, "labels", "label", definition.label);
      }
      break;
    }
  }
  localizedList(attribute, "displaynames", "displayname", column.displayName);
  localizedList(attribute, "Descriptions", "Description", column.description);
}
