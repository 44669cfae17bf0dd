/**
 * Checks the mapping rows against the org's metadata and builds the mapping the sync runs with.
 * Each row gets a verdict ("OK: ..." or what is wrong and what to do). A bad row never stops the
 * sync: its field keeps the column of the last valid mapping. Pure: the caller reads the rows and
 * the metadata and writes the verdicts back.
 */
import { MAPPING_DIRECTION_OPTIONS } from "../../entities";
import type { MappedFieldName, MappingDirection, SyncMapping } from "../engine";
import { columnOf, mappableField, MAPPABLE_FIELDS, type FieldSlot, type MappableField, type MappableTable } from "./mappable-fields";
import { directionOf, type MappingRow } from "./mapping-rows";

/** One column of the org, as EntityDefinitions/Attributes describe it. */
export interface OrgColumn {
  /** AttributeType: String, Memo, Money, Picklist, Lookup, ... */
  readonly type: string;
  /** A choice column's option values (read only for the choice columns rows name). */
  readonly options?: readonly number[];
}

export type OrgColumns = Readonly<Record<MappableTable, ReadonlyMap<string, OrgColumn>>>;

export interface MappingCheck {
  /** The mapping to run: valid rows over `fallback`; a bad row's field as in `previous`. */
  readonly mapping: SyncMapping;
  /** Row id → verdict text. */
  readonly verdicts: ReadonlyMap<string, string>;
  /** One line per bad row, for the log. */
  readonly problems: readonly string[];
}

export const OK_PREFIX = "OK";

const LOGICAL_NAME = /^[a-z][a-z0-9_]{0,99}$/;

interface Accepted {
  readonly field: MappableField;
  readonly column: string | null;
  readonly direction: MappingDirection;
  readonly helpCodeOptions?: Readonly<Record<string, number>>;
}

function directionLabel(direction: MappingDirection): string {
  const option = MAPPING_DIRECTION_OPTIONS.find((o) => o.code === direction);
  return (option?.label[1033] ?? direction).toLowerCase();
}

/** The value map's problems (empty: fine) and the options it gives each Partner Center value. */
function checkValueMap(field: MappableField, row: MappingRow, column: OrgColumn): { problems: string[]; options?: Record<string, number> } {
  const choice = field.choice!;
  let map: Record<string, number> = { ...choice.defaultOptions };
  const problems: string[] = [];
  if (row.valueMap !== null) {
    if (!choice.valueMapAllowed) return { problems: [`${field.key} takes no value map (its values drive the referral's lifecycle); empty the value map and point it at a column with the options of Referral status`] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.valueMap);
    } catch (error) {
      return { problems: [`the value map is not valid JSON (${(error as Error).message}); write it as {"PartnerCenterValue": optionValue, ...}`] };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { problems: [`the value map must be a JSON object {"PartnerCenterValue": optionValue, ...}`] };
    map = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!choice.values.includes(key)) problems.push(`"${key}" is not a Partner Center value of ${field.key} (they are ${choice.values.join(", ")})`);
      else if (typeof value !== "number" || !Number.isInteger(value)) problems.push(`the value map gives ${key} ${JSON.stringify(value)}, which is not an option value (a whole number)`);
      else map[key] = value;
    }
  }
  const missing = choice.values.filter((value) => map[value] === undefined);
  if (missing.length > 0 && problems.length === 0) problems.push(`the value map misses ${missing.join(", ")}; give each Partner Center value an option of ${row.column}`);
  const options = new Set(column.options ?? []);
  const unknown = [...new Set(Object.values(map))].filter((value) => !options.has(value));
  if (unknown.length > 0 && problems.length === 0) {
    problems.push(
      row.valueMap === null
        ? `${row.column}'s options are not the solution's (${unknown.join(", ")} missing); add a value map from each Partner Center value to one of its options (${[...options].join(", ") || "none"})`
        : `the value map names ${unknown.join(", ")}, which ${unknown.length === 1 ? "is not an option" : "are not options"} of ${row.column} (its options: ${[...options].join(", ") || "none"})`,
    );
  }
  return problems.length > 0 ? { problems } : { problems, ...(row.valueMap !== null ? { options: map } : {}) };
}

/** What is wrong with one row (empty: nothing), given the rows accepted before it. */
function checkRow(row: MappingRow, field: MappableField, org: OrgColumns, accepted: readonly Accepted[]): { problems: string[]; accepted?: Accepted } {
  const table = field.slot.table;
  const direction = directionOf(row.direction);
  if (direction === undefined) return { problems: [`direction ${row.direction} is not one of ours; choose ${MAPPING_DIRECTION_OPTIONS.map((o) => o.label[1033]).join(", ")}`] };
  if (direction !== "both" && !field.oneWayAllowed) {
    return { problems: [`${field.key} syncs both ways only (${field.slot.table === "opportunity" ? "the referral's status drives accept, decline, won and lost" : "customer and contact fields are copied when a record is created"}); choose Both ways`] };
  }
  if (row.column === null) {
    if (field.columnOptional) return { problems: [], accepted: { field, column: null, direction } };
    return { problems: [`no Dataverse column: name the ${table} column that carries ${field.key}`] };
  }
  if (!LOGICAL_NAME.test(row.column)) return { problems: [`"${row.column}" is not a column's logical name (lower case, like new_region)`] };
  const column = org[table].get(row.column);
  if (!column) return { problems: [`column ${row.column} does not exist on ${table}`] };
  if (!field.types.includes(column.type)) {
    return { problems: [`column ${row.column} is a ${column.type} column; ${field.key} needs ${field.types.join(" or ")}`] };
  }
  const taken = accepted.find((other) => other.field.slot.table === table && other.column === row.column);
  if (taken) return { problems: [`column ${row.column} already carries ${taken.field.key} (another row); one column carries one field`] };
  if (field.choice) {
    const values = checkValueMap(field, row, column);
    if (values.problems.length > 0) return { problems: values.problems };
    return { problems: [], accepted: { field, column: row.column, direction, ...(values.options ? { helpCodeOptions: values.options } : {}) } };
  }
  if (row.valueMap !== null) return { problems: [`${field.key} is not a choice; empty the value map`] };
  return { problems: [], accepted: { field, column: row.column, direction } };
}

function setColumn(target: { opportunity: Record<string, string>; account: Record<string, string | null>; contact: Record<string, string> }, slot: FieldSlot, column: string | null): void {
  if (slot.table === "account") target.account[slot.field] = column;
  else if (column !== null) target[slot.table][slot.field] = column;
}

/**
 * `rows`: oldest first (the first row naming a field wins). `fallback`: the mapping for fields no row
 * names (MAPPING_FILE, else the default). `previous`: the mapping running now, kept for a bad row's field.
 */
export function checkMappingRows(rows: readonly MappingRow[], org: OrgColumns, options: { fallback: SyncMapping; previous: SyncMapping }): MappingCheck {
  const verdicts = new Map<string, string>();
  const problems: string[] = [];
  const accepted: Accepted[] = [];
  const bad = new Set<MappableField>();
  const named = new Map<MappableField, MappingRow>();

  for (const row of rows) {
    const field = row.field === null ? undefined : mappableField(row.field);
    let rowProblems: string[];
    if (!field) {
      rowProblems = [row.field === null
        ? "no Partner Center field: name one of " + MAPPABLE_FIELDS.map((f) => f.key).join(", ")
        : `"${row.field}" is not a Partner Center field this connector maps; use one of ${MAPPABLE_FIELDS.map((f) => f.key).join(", ")}`];
    } else if (named.has(field)) {
      rowProblems = [`another row ("${named.get(field)!.name ?? named.get(field)!.id}") already maps ${field.key}; delete or deactivate one of them`];
    } else {
      named.set(field, row);
      const result = checkRow(row, field, org, accepted);
      rowProblems = result.problems;
      if (result.accepted) accepted.push(result.accepted);
      else bad.add(field);
    }
    if (rowProblems.length === 0) {
      const hit = accepted.find((a) => named.get(a.field) === row)!;
      const target = hit.column === null ? "not mapped" : `${hit.field.slot.table}.${hit.column}`;
      verdicts.set(row.id, `${OK_PREFIX}: ${hit.field.key} ↔ ${target}, ${directionLabel(hit.direction)}`);
      continue;
    }
    const kept = field && bad.has(field) ? columnOf(options.previous, field.slot) : null;
    const consequence = field && bad.has(field)
      ? `; until it is fixed ${field.key} keeps syncing through ${kept === null ? "no column" : `${field.slot.table}.${kept}`} (the last valid mapping)`
      : "; this row is ignored";
    const verdict = `${rowProblems.join("; ")}${consequence}`;
    verdicts.set(row.id, verdict);
    problems.push(`${row.name ?? row.field ?? row.id}: ${verdict}`);
  }

  const mapping = {
    opportunity: { ...options.fallback.opportunity } as Record<string, string>,
    account: { ...options.fallback.account } as Record<string, string | null>,
    contact: { ...options.fallback.contact } as Record<string, string>,
  };
  const directions: Partial<Record<MappedFieldName, MappingDirection>> = {};
  let helpCodeOptions: Readonly<Partial<Record<string, number>>> | undefined;
  for (const entry of accepted) {
    setColumn(mapping, entry.field.slot, entry.column);
    if (entry.field.slot.table === "opportunity" && entry.direction !== "both") directions[entry.field.slot.field] = entry.direction;
    if (entry.field.key === "helpCode") helpCodeOptions = entry.helpCodeOptions;
  }
  for (const field of bad) {
    setColumn(mapping, field.slot, columnOf(options.previous, field.slot));
    if (field.slot.table === "opportunity") {
      const direction = options.previous.directions?.[field.slot.field];
      if (direction) directions[field.slot.field] = direction;
    }
    if (field.key === "helpCode") helpCodeOptions = options.previous.helpCodeOptions;
  }
  return {
    mapping: {
      ...(mapping as unknown as Pick<SyncMapping, "opportunity" | "account" | "contact">),
      conflictPolicy: options.fallback.conflictPolicy,
      ...(Object.keys(directions).length > 0 ? { directions } : {}),
      ...(helpCodeOptions ? { helpCodeOptions } : {}),
    },
    verdicts,
    problems,
  };
}
