/**
 * GET EntityDefinitions ... : the metadata reads clients make. dataverse-ify asks
 * EntityDefinitions(LogicalName='x')?$select=EntitySetName once per table; the backend checks its
 * mapped columns exist through .../Attributes and reads option sets through the typed attribute cast.
 */
import type { StoredRecord } from "./entity-store";
import { ErrorCode, ODataError, badQuery } from "./odata-error";
import { guidKey, namedKey, type PathSegment } from "./api-path";
import { matches } from "./query-engine";
import type { QueryOptions } from "./query-options";
import { apiBase, type SandboxContext } from "./sandbox-context";
import { attributeMetadata, attributeMetadataType, entityMetadata } from "./entity-metadata";
import type { AttributeMeta, TableMeta } from "./schema-types";

function select(object: Record<string, unknown>, names: string[] | undefined): Record<string, unknown> {
  if (!names) return object;
  const result: Record<string, unknown> = {};
  for (const name of ["@odata.type", "MetadataId", ...names]) if (name in object) result[name] = object[name];
  return result;
}

/** Filters metadata objects with the row filter, by presenting their properties as text/number/boolean columns. */
function filterObjects(objects: Record<string, unknown>[], options: QueryOptions): Record<string, unknown>[] {
  const filter = options.filter;
  if (!filter) return objects;
  const attributes = new Map<string, AttributeMeta>();
  for (const object of objects) {
    for (const [name, value] of Object.entries(object)) {
      if (attributes.has(name)) continue;
      const type = typeof value === "number" ? "Integer" : typeof value === "boolean" ? "Boolean" : "String";
      attributes.set(name, { logicalName: name, schemaName: name, type });
    }
  }
  const table: TableMeta = {
    logicalName: "EntityMetadata", schemaName: "EntityMetadata", entitySetName: "EntityDefinitions", primaryId: "MetadataId",
    primaryName: "LogicalName", objectTypeCode: 0, displayName: "", changeTrackingEnabled: false, attributes,
  };
  return objects.filter((object, index) => {
    const row: StoredRecord = { id: String(index), values: object, version: 0, sequence: index };
    return matches(table, row, filter);
  });
}

function findTable(context: SandboxContext, segment: PathSegment): TableMeta {
  const logicalName = namedKey(segment.key, "LogicalName");
  const id = guidKey(segment.key);
  const table = context.schema.tables().find((candidate) =>
    logicalName !== undefined ? candidate.logicalName === logicalName : entityMetadata(candidate)["MetadataId"] === id,
  );
  if (!table) {
    throw new ODataError(404, ErrorCode.ObjectDoesNotExist, `Could not find entity with logical name '${logicalName ?? segment.key ?? ""}'.`);
  }
  return table;
}

export function readMetadata(context: SandboxContext, segments: PathSegment[], options: QueryOptions): Record<string, unknown> {
  const base = `${apiBase(context)}/$metadata#EntityDefinitions`;
  const [entities, attributes, cast] = segments;
  if (!entities) throw badQuery("EntityDefinitions segment expected.");
  if (entities.key === undefined) {
    const all = filterObjects(context.schema.tables().map((table) => entityMetadata(table, context.languageCode)), options);
    return { "@odata.context": base, value: all.map((object) => select(object, options.select)) };
  }
  const table = findTable(context, entities);
  if (!attributes) {
    const result = select(entityMetadata(table, context.languageCode), options.select);
    const expandAttributes = options.expand.find((expand) => expand.navigationProperty === "Attributes");
    if (expandAttributes) {
      result["Attributes"] = [...table.attributes.values()].map((attribute) => select(attributeMetadata(table, attribute, false, context.languageCode), expandAttributes.select));
    }
    return { "@odata.context": `${base}/$entity`, ...result };
  }
  if (attributes.name !== "Attributes") throw badQuery(`Resource not found for the segment '${attributes.name}'.`);
  if (attributes.key === undefined) {
    const all = filterObjects([...table.attributes.values()].map((attribute) => attributeMetadata(table, attribute, false, context.languageCode)), options);
    return { "@odata.context": `${base}(${table.logicalName})/Attributes`, value: all.map((object) => select(object, options.select)) };
  }
  const logicalName = namedKey(attributes.key, "LogicalName");
  const attribute = [...table.attributes.values()].find((candidate) => candidate.logicalName === logicalName);
  if (!attribute) {
    throw new ODataError(404, ErrorCode.ObjectDoesNotExist, `Could not find attribute with logical name '${logicalName ?? attributes.key}' on entity '${table.logicalName}'.`);
  }
  if (cast && cast.name !== `Microsoft.Dynamics.CRM.${attributeMetadataType(attribute)}`) {
    throw badQuery(`The type '${cast.name}' is not compatible with the attribute '${attribute.logicalName}'.`);
  }
  const withOptionSet = options.expand.some((expand) => expand.navigationProperty === "OptionSet" || expand.navigationProperty === "GlobalOptionSet");
  return { "@odata.context": `${base}(${table.logicalName})/Attributes/$entity`, ...select(attributeMetadata(table, attribute, withOptionSet, context.languageCode), options.select && [...options.select, "OptionSet"]) };
}

/**
 * PUT EntityDefinitions(LogicalName='x'): the metadata update an admin makes. The sandbox applies the
 * one property the connector needs, ChangeTrackingEnabled, which (as documented) can be turned on but
 * never off again.
 */
export function updateEntityDefinition(context: SandboxContext, segments: PathSegment[], body: Record<string, unknown>): void {
  const [entities, rest] = segments;
  if (!entities || entities.key === undefined || rest) throw badQuery("PUT takes one entity definition: EntityDefinitions(LogicalName='name').");
  const table = findTable(context, entities);
  const enabled = body["ChangeTrackingEnabled"];
  if (enabled === undefined) return;
  if (typeof enabled !== "boolean") throw new ODataError(400, ErrorCode.PayloadError, "ChangeTrackingEnabled must be true or false.");
  if (!enabled && table.changeTrackingEnabled) {
    throw new ODataError(400, ErrorCode.InvalidArgument, `Change tracking cannot be disabled for entity '${table.logicalName}' once it is enabled.`);
  }
  table.changeTrackingEnabled = enabled;
}
