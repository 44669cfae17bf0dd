/**
 * ImportSolution: reads a solution zip (customizations.xml + solution.xml, the format pac and the
 * maker portal export) and adds its columns to the existing tables, with the types, lengths, formats,
 * option values and defaults the XML declares, and creates the custom tables it declares (with the
 * platform columns Dataverse gives a new table). That is the only way pcc_ columns and tables come to
 * exist in the sandbox, so a column our zip forgets is a column the backend cannot write.
 */
import { XMLParser } from "fast-xml-parser";
import JSZip from "jszip";
import { ErrorCode, ODataError } from "./odata-error";
import type { SchemaRegistry } from "./schema-registry";
import type { AttributeMeta, AttributeType, OptionMeta, TableMeta } from "./schema-types";
import { customTablePlatformColumns } from "./seed-schema";

export interface ImportedSolution {
  uniqueName: string;
  friendlyName: string;
  version: string;
  isManaged: boolean;
  /** "table.column" of every column added or updated. */
  columns: string[];
  /** Logical names of the custom tables the import created. */
  tables: string[];
  /** Security roles the solution brings (<Roles><Role name><RolePrivileges><RolePrivilege name>). */
  roles: { name: string; privileges: string[] }[];
}

type Xml = Record<string, unknown>;

const ARRAY_ELEMENTS = new Set(["Entity", "attribute", "option", "label", "displayname", "LocalizedName"]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, jpath) => ARRAY_ELEMENTS.has(name) || jpath === "ImportExportXml.optionsets.optionset",
});

const TYPE_BY_XML: Record<string, AttributeType> = {
  nvarchar: "String",
  ntext: "Memo",
  bit: "Boolean",
  picklist: "Picklist",
  datetime: "DateTime",
  int: "Integer",
  bigint: "BigInt",
  money: "Money",
  decimal: "Decimal",
  lookup: "Lookup",
  uniqueidentifier: "Uniqueidentifier",
};

const invalid = (message: string, cause?: unknown) => new ODataError(400, ErrorCode.ImportFileInvalid, message, { cause });

const asObject = (value: unknown): Xml => (typeof value === "object" && value !== null ? (value as Xml) : {});
const asArray = (value: unknown): Xml[] => (Array.isArray(value) ? value.map(asObject) : value === undefined ? [] : [asObject(value)]);
const text = (value: unknown): string | undefined => {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  const inner = asObject(value)["#text"];
  return typeof inner === "string" ? inner : undefined;
};

function labels(container: unknown, element: string): Record<number, string> {
  const result: Record<number, string> = {};
  for (const entry of asArray(asObject(container)[element])) {
    const code = Number(entry["@_languagecode"]);
    const description = entry["@_description"];
    if (Number.isFinite(code) && typeof description === "string") result[code] = description;
  }
  return result;
}

function readOptions(optionSet: Xml | undefined): OptionMeta[] | undefined {
  if (!optionSet) return undefined;
  return asArray(asObject(optionSet["options"])["option"]).map((option) => {
    const byLanguage = labels(option["labels"], "label");
    return { value: Number(option["@_value"]), label: byLanguage[1033] ?? Object.values(byLanguage)[0] ?? "", labels: byLanguage };
  });
}

function readAttribute(xml: Xml, globalOptionSets: Map<string, Xml>): AttributeMeta | undefined {
  const logicalName = (text(xml["LogicalName"]) ?? text(xml["Name"]))?.toLowerCase();
  const type = TYPE_BY_XML[(text(xml["Type"]) ?? "").toLowerCase()];
  if (!logicalName || !type) return undefined;
  const displayNames = labels(xml["displaynames"], "displayname");
  const attribute: AttributeMeta = {
    logicalName,
    schemaName: String(xml["@_PhysicalName"] ?? logicalName),
    type,
    displayName: displayNames[1033],
    isCustom: text(xml["IsCustomField"]) !== "0",
  };
  const maxLength = Number(text(xml["MaxLength"]));
  if (Number.isFinite(maxLength) && maxLength > 0) attribute.maxLength = maxLength;
  // Number columns carry their range as MinValue / MaxValue; payloads outside it are refused.
  for (const [element, key] of [["MinValue", "minValue"], ["MaxValue", "maxValue"]] as const) {
    const bound = Number(text(xml[element]));
    if (text(xml[element]) !== undefined && Number.isFinite(bound)) attribute[key] = bound;
  }
  const format = text(xml["Format"]) ?? text(asObject(xml["FormatName"])["FormatName"]);
  if (type === "String" && format) attribute.format = format.charAt(0).toUpperCase() + format.slice(1).toLowerCase();
  if (type === "DateTime") attribute.dateOnly = format?.toLowerCase() === "date" || text(xml["Behavior"]) === "2";
  if (type === "Boolean" || type === "Picklist") {
    const inline = xml["optionset"] ? asObject(xml["optionset"]) : undefined;
    const globalName = text(xml["OptionSetName"]);
    attribute.options = readOptions(inline ?? (globalName ? globalOptionSets.get(globalName.toLowerCase()) : undefined));
    if (!attribute.options?.length) throw invalid(`The option set of attribute ${logicalName} has no options.`);
    const appDefault = text(xml["AppDefaultValue"]) ?? text(xml["DefaultValue"]);
    if (type === "Boolean") attribute.defaultValue = appDefault === "1";
    else if (appDefault !== undefined && appDefault !== "-1" && appDefault !== "") attribute.defaultValue = Number(appDefault);
  }
  return attribute;
}

/**
 * A custom table the solution creates. It must say what a new table needs (entity set name, primary
 * key, primary name column, ownership); a changed table this org lacks is refused as before.
 */
function newCustomTable(tableName: string, entityXml: Xml, existingTables: number): TableMeta {
  const attributes = asArray(asObject(entityXml["attributes"])["attribute"]);
  const entitySetName = text(entityXml["EntitySetName"]);
  const primaryKey = attributes.find((attribute) => text(attribute["Type"])?.toLowerCase() === "primarykey");
  const primaryName = attributes.find((attribute) => (text(attribute["DisplayMask"]) ?? "").split("|").includes("PrimaryName"));
  const ownership = text(entityXml["OwnershipTypeMask"]);
  if (!entitySetName || !primaryKey || !primaryName || (ownership !== "OrgOwned" && ownership !== "UserOwned")) {
    throw invalid(
      `The solution changes table '${tableName}', which this org does not have, and does not create it ` +
        "(a new table needs an EntitySetName, a primarykey attribute, a PrimaryName attribute and an OwnershipTypeMask).",
    );
  }
  const primaryId = (text(primaryKey["LogicalName"]) ?? text(primaryKey["Name"]) ?? "").toLowerCase();
  const columns = new Map<string, AttributeMeta>();
  columns.set(primaryId, { logicalName: primaryId, schemaName: String(primaryKey["@_PhysicalName"] ?? primaryId), type: "Uniqueidentifier" });
  for (const column of customTablePlatformColumns(ownership)) columns.set(column.logicalName, column);
  const displayNames = labels(entityXml["LocalizedNames"], "LocalizedName");
  return {
    logicalName: tableName,
    schemaName: text(asObject(entityXml)["@_Name"]) ?? tableName,
    entitySetName,
    primaryId,
    primaryName: (text(primaryName["LogicalName"]) ?? text(primaryName["Name"]) ?? "").toLowerCase(),
    // Dataverse numbers custom tables from 10000 up.
    objectTypeCode: 10_000 + existingTables,
    displayName: displayNames[1033] ?? tableName,
    changeTrackingEnabled: text(entityXml["ChangeTrackingEnabled"]) === "1",
    attributes: columns,
  };
}

async function readZipFile(zip: JSZip, name: string): Promise<string | undefined> {
  const file = Object.values(zip.files).find((entry) => entry.name.toLowerCase() === name.toLowerCase());
  return file ? file.async("string") : undefined;
}

/** Applies the solution's columns to the schema and returns what was imported. */
export async function importSolution(schema: SchemaRegistry, customizationFileBase64: string): Promise<ImportedSolution> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(Buffer.from(customizationFileBase64, "base64"));
  } catch (error) {
    throw invalid("The import file is not a valid solution zip file.", error);
  }
  const customizationsXml = await readZipFile(zip, "customizations.xml");
  const solutionXml = await readZipFile(zip, "solution.xml");
  if (!customizationsXml || !solutionXml) throw invalid("The solution zip must contain customizations.xml and solution.xml.");

  let customizations: Xml;
  let manifest: Xml;
  try {
    customizations = asObject(asObject(parser.parse(customizationsXml))["ImportExportXml"]);
    manifest = asObject(asObject(asObject(parser.parse(solutionXml))["ImportExportXml"])["SolutionManifest"]);
  } catch (error) {
    throw invalid("customizations.xml or solution.xml is not well-formed XML.", error);
  }
  const uniqueName = text(manifest["UniqueName"]);
  if (!uniqueName) throw invalid("solution.xml has no SolutionManifest/UniqueName.");

  const globalOptionSets = new Map<string, Xml>();
  for (const optionSet of asArray(asObject(customizations["optionsets"])["optionset"])) {
    const name = optionSet["@_Name"];
    if (typeof name === "string") globalOptionSets.set(name.toLowerCase(), optionSet);
  }

  // Read everything first, then apply: a solution that fails validation changes nothing.
  const pending: { table: string; attribute: AttributeMeta }[] = [];
  const newTables: TableMeta[] = [];
  for (const entity of asArray(asObject(customizations["Entities"])["Entity"])) {
    const tableName = (text(entity["Name"]) ?? "").toLowerCase();
    const entityXml = asObject(asObject(entity["EntityInfo"])["entity"]);
    const table = schema.table(tableName) ?? newCustomTable(tableName, entityXml, schema.tables().length + newTables.length);
    if (!schema.table(tableName)) newTables.push(table);
    for (const attributeXml of asArray(asObject(entityXml["attributes"])["attribute"])) {
      const attribute = readAttribute(attributeXml, globalOptionSets);
      const existing = attribute && table.attributes.get(attribute.logicalName);
      if (attribute && (!existing || existing.isCustom)) pending.push({ table: table.logicalName, attribute });
    }
  }
  for (const table of newTables) schema.addTable(table);
  for (const { table, attribute } of pending) schema.upsertAttribute(table, attribute);

  const roles = asArray(asObject(customizations["Roles"])["Role"]).flatMap((role) => {
    const name = role["@_name"];
    if (typeof name !== "string") return [];
    const privileges = asArray(asObject(role["RolePrivileges"])["RolePrivilege"]).map((privilege) => String(privilege["@_name"] ?? ""));
    return [{ name, privileges: privileges.filter(Boolean) }];
  });

  const localizedNames = asArray(asObject(manifest["LocalizedNames"])["LocalizedName"]);
  const friendlyName = localizedNames.find((entry) => entry["@_languagecode"] === "1033")?.["@_description"];
  return {
    uniqueName,
    friendlyName: typeof friendlyName === "string" ? friendlyName : uniqueName,
    version: text(manifest["Version"]) ?? "1.0.0.0",
    isManaged: text(manifest["Managed"]) === "1",
    columns: pending.map(({ table, attribute }) => `${table}.${attribute.logicalName}`),
    tables: newTables.map((table) => table.logicalName),
    roles,
  };
}
