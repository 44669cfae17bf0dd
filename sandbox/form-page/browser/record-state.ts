/**
 * The record a form holds: one value per column on the form, what it was when read (for dirtiness
 * and "only send what changed"), submit mode, requirement level and the controls showing it. The
 * conversions between Web API JSON and Xrm's attribute values live here too, so the two stay
 * opposite of each other.
 */
import { labelIn, type ColumnMeta, type TableMetadata } from "./metadata";

export type AttributeValue = string | number | boolean | Date | Xrm.LookupValue[] | null;
export type SubmitMode = "always" | "never" | "dirty";

export interface ControlState {
  name: string;
  disabled: boolean;
}

export interface AttributeState {
  meta: ColumnMeta;
  value: AttributeValue;
  initial: AttributeValue;
  /** FormattedValue annotation from the last read, used until the value changes locally. */
  formattedFromServer: string | null;
  submitMode: SubmitMode;
  requiredLevel: Xrm.Attributes.RequirementLevel;
  controls: ControlState[];
}

const FORMATTED = "@OData.Community.Display.V1.FormattedValue";
const LOOKUP_LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname";
const LOOKUP_TYPES = new Set(["Lookup", "Customer", "Owner"]);

export const isLookup = (meta: ColumnMeta) => LOOKUP_TYPES.has(meta.type);

/** Xrm's getAttributeType() names for the metadata AttributeType. */
export function xrmAttributeType(meta: ColumnMeta): string {
  switch (meta.type) {
    case "String": return "string";
    case "Memo": return "memo";
    case "Boolean": return "boolean";
    case "Picklist": case "State": case "Status": return "optionset";
    case "MultiSelectPicklist": return "multiselectoptionset";
    case "DateTime": return "datetime";
    case "Integer": case "BigInt": return "integer";
    case "Decimal": return "decimal";
    case "Double": return "double";
    case "Money": return "money";
    default: return LOOKUP_TYPES.has(meta.type) ? "lookup" : meta.type.toLowerCase();
  }
}

function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    const idA = Array.isArray(a) ? a[0]?.id.toLowerCase() : undefined;
    const idB = Array.isArray(b) ? b[0]?.id.toLowerCase() : undefined;
    return idA === idB;
  }
  return a === b;
}

/** A date-only column holds a calendar day; the form shows it as local midnight, as the UI does. */
function parseDate(text: string, dateOnly: boolean): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly && day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  return new Date(text);
}

function formatDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function fromWebApi(meta: ColumnMeta, json: Record<string, unknown>): { value: AttributeValue; formatted: string | null } {
  if (isLookup(meta)) {
    const key = `_${meta.logicalName}_value`;
    const id = json[key];
    if (typeof id !== "string") return { value: null, formatted: null };
    const name = json[`${key}${FORMATTED}`];
    const entityType = json[`${key}${LOOKUP_LOGICAL_NAME}`];
    return {
      value: [{ id: `{${id.toUpperCase()}}`, name: typeof name === "string" ? name : "", entityType: typeof entityType === "string" ? entityType : meta.targets[0] ?? "" }],
      formatted: typeof name === "string" ? name : null,
    };
  }
  const raw = json[meta.logicalName];
  const formatted = json[`${meta.logicalName}${FORMATTED}`];
  let value: AttributeValue = null;
  if (meta.type === "DateTime" && typeof raw === "string") value = parseDate(raw, meta.dateOnly);
  else if (typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") value = raw;
  return { value, formatted: typeof formatted === "string" ? formatted : null };
}

/** The JSON a Web API write carries for one column (lookups become @odata.bind). */
export async function toWebApi(meta: ColumnMeta, value: AttributeValue, entitySet: (logicalName: string) => Promise<string>): Promise<Record<string, unknown>> {
  if (isLookup(meta)) {
    const lookup = Array.isArray(value) ? value[0] : undefined;
    // A polymorphic lookup (customer) is bound through the navigation property of the target table.
    const target = lookup?.entityType ?? meta.targets[0] ?? "";
    const navigation = meta.targets.length > 1 ? `${meta.logicalName}_${target}` : meta.logicalName;
    if (!lookup) {
      // Clearing: every target's navigation property of a polymorphic lookup would do; use the first.
      const clearNavigation = meta.targets.length > 1 ? `${meta.logicalName}_${meta.targets[0] ?? ""}` : meta.logicalName;
      return { [`${clearNavigation}@odata.bind`]: null };
    }
    return { [`${navigation}@odata.bind`]: `/${await entitySet(target)}(${lookup.id.replace(/[{}]/g, "")})` };
  }
  if (value instanceof Date) return { [meta.logicalName]: meta.dateOnly ? formatDay(value) : value.toISOString() };
  return { [meta.logicalName]: value };
}

export class RecordState {
  readonly attributes = new Map<string, AttributeState>();
  id: string | null = null;
  etag: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(readonly table: TableMetadata, columns: Iterable<string>) {
    for (const column of columns) {
      const meta = table.columns.get(column);
      if (!meta || this.attributes.has(column)) continue;
      this.attributes.set(column, {
        meta, value: null, initial: null, formattedFromServer: null, submitMode: "dirty",
        requiredLevel: meta.requiredLevel === "ApplicationRequired" || meta.requiredLevel === "SystemRequired" ? "required" : meta.requiredLevel === "Recommended" ? "recommended" : "none",
        controls: [],
      });
    }
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** A new record starts from the columns' default values (yes/no and choice defaults). */
  loadDefaults(): void {
    this.id = null;
    this.etag = null;
    for (const state of this.attributes.values()) {
      const fallback = state.meta.defaultValue;
      state.value = state.meta.type === "Boolean" ? fallback === 1 : state.meta.type === "Picklist" && fallback !== null && fallback !== -1 ? fallback : null;
      // Defaults count as changes, so they are sent with the create.
      state.initial = null;
      state.formattedFromServer = null;
    }
    this.notify();
  }

  load(id: string, json: Record<string, unknown>): void {
    this.id = id;
    this.etag = typeof json["@odata.etag"] === "string" ? json["@odata.etag"] : null;
    for (const state of this.attributes.values()) {
      const { value, formatted } = fromWebApi(state.meta, json);
      state.value = value;
      state.initial = value;
      state.formattedFromServer = formatted;
      state.submitMode = "dirty";
    }
    this.notify();
  }

  get(column: string): AttributeState | undefined {
    return this.attributes.get(column);
  }

  setValue(column: string, value: AttributeValue): void {
    const state = this.attributes.get(column);
    if (!state) return;
    state.value = value;
    this.notify();
  }

  isDirty(column: string): boolean {
    const state = this.attributes.get(column);
    return state !== undefined && !sameValue(state.value, state.initial);
  }

  /** Columns a save sends: changed ones and "always", never "never" (a create sends every set value). */
  columnsToSave(): AttributeState[] {
    return [...this.attributes.values()].filter((state) => {
      if (state.submitMode === "never") return false;
      if (state.submitMode === "always") return true;
      return this.id === null ? state.value !== null : this.isDirty(state.meta.logicalName);
    });
  }

  formatted(column: string, languageId: number): string | null {
    const state = this.attributes.get(column);
    if (!state || state.value === null) return null;
    if (!this.isDirty(column) && state.formattedFromServer !== null) return state.formattedFromServer;
    const { value, meta } = state;
    if (Array.isArray(value)) return value[0]?.name ?? null;
    if (meta.options && (typeof value === "number" || typeof value === "boolean")) {
      const option = meta.options.find((candidate) => candidate.value === Number(value));
      if (option) return labelIn(option.labels, languageId);
    }
    const locale = languageId === 1040 ? "it-IT" : "en-US";
    if (value instanceof Date) return meta.dateOnly ? value.toLocaleDateString(locale) : value.toLocaleString(locale);
    if (typeof value === "number") return value.toLocaleString(locale);
    return String(value);
  }
}
