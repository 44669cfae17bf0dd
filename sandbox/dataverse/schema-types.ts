/**
 * How the sandbox describes a table and its columns. It mirrors the parts of Dataverse's
 * EntityMetadata / AttributeMetadata that the Web API contract depends on: the attribute type
 * decides how a value is validated, serialized and filtered; lookups carry their targets and the
 * single-valued navigation property names used by @odata.bind and $expand.
 */

export type AttributeType =
  | "Uniqueidentifier"
  | "String"
  | "Memo"
  | "Integer"
  | "BigInt"
  | "Decimal"
  | "Money"
  | "Boolean"
  | "Picklist"
  | "State"
  | "Status"
  | "DateTime"
  | "Lookup"
  | "Customer"
  | "Owner"
  | "EntityName";

export interface OptionMeta {
  value: number;
  label: string;
  /** Labels by language code, for metadata; `label` is the 1033 one used for formatted values. */
  labels?: Record<number, string>;
  /** For Status options: the State they belong to. */
  state?: number;
}

export interface AttributeMeta {
  logicalName: string;
  schemaName: string;
  type: AttributeType;
  displayName?: string;
  /** Display names by language code, for metadata; `displayName` is the 1033 one. */
  displayNames?: Record<number, string>;
  /** String/Memo maximum length. */
  maxLength?: number;
  /** String format ("Text", "Url", "Email"). */
  format?: string;
  /** Picklist / State / Status / Boolean options (Boolean: 0 = false label, 1 = true label). */
  options?: OptionMeta[];
  /** Integer / BigInt / Decimal / Money: the smallest and largest value accepted (the type's range if not set). */
  minValue?: number;
  maxValue?: number;
  /** DateTime: date only ("2026-11-25") instead of a UTC timestamp. */
  dateOnly?: boolean;
  /** Lookup / Customer / Owner: target tables, logical names. */
  targets?: string[];
  /** The platform sets it; a payload may not write it. */
  readOnly?: boolean;
  /** Value returned on read (false for secrets such as a service endpoint's auth value). */
  validForRead?: boolean;
  isCustom?: boolean;
  defaultValue?: unknown;
}

export interface TableMeta {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  objectTypeCode: number;
  displayName: string;
  changeTrackingEnabled: boolean;
  attributes: Map<string, AttributeMeta>;
}

export const isLookupType = (type: AttributeType) => type === "Lookup" || type === "Customer" || type === "Owner";

/**
 * Single-valued navigation property for a lookup and one of its targets. Dataverse names it after
 * the lookup column when there is one target (parentaccountid) and suffixes the target table when the
 * lookup is polymorphic (customerid_account, customerid_contact). Owner lookups keep the plain name.
 */
export function navigationPropertyName(attribute: AttributeMeta, target: string): string {
  const targets = attribute.targets ?? [];
  if (attribute.type === "Owner" || targets.length <= 1) return attribute.logicalName;
  return `${attribute.logicalName}_${target}`;
}

/** Every navigation property of a table: name → (lookup column, target table). */
export function navigationProperties(table: TableMeta): Map<string, { attribute: AttributeMeta; target: string }> {
  const result = new Map<string, { attribute: AttributeMeta; target: string }>();
  for (const attribute of table.attributes.values()) {
    if (!isLookupType(attribute.type)) continue;
    for (const target of attribute.targets ?? []) {
      const name = navigationPropertyName(attribute, target);
      if (!result.has(name)) result.set(name, { attribute, target });
    }
  }
  return result;
}
