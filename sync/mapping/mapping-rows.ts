/**
 * The mapping rows (entities/cosell-mapping.ts) as the backend reads them, and the default rows it
 * creates in an empty table: a solution carries tables, not data rows, so the shipped mapping is
 * seeded by the service (DEFAULT_MAPPING, one row per field).
 */
import { CoSellMappingColumns as C, MAPPING_DIRECTION_OPTIONS, MappingDirectionOption } from "../../entities";
import { DEFAULT_MAPPING, MAPPING_DIRECTIONS, type MappingDirection, type SyncMapping } from "../engine";
import { columnOf, MAPPABLE_FIELDS } from "./mappable-fields";

export interface MappingRow {
  readonly id: string;
  readonly name: string | null;
  readonly field: string | null;
  readonly column: string | null;
  /** The pcc_direction option value as stored (null: both ways). */
  readonly direction: number | null;
  readonly valueMap: string | null;
  readonly verdict: string | null;
  readonly testOpportunity: string | null;
}

export const MAPPING_ROW_SELECT: readonly string[] = [C.name, C.partnerCenterField, C.dataverseColumn, C.direction, C.valueMap, C.verdict, C.testOpportunity];

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);

export function readMappingRow(id: string, values: Readonly<Record<string, unknown>>): MappingRow {
  const direction = values[C.direction];
  return {
    id,
    name: text(values[C.name]),
    field: text(values[C.partnerCenterField]),
    column: text(values[C.dataverseColumn])?.toLowerCase() ?? null,
    direction: typeof direction === "number" ? direction : null,
    valueMap: text(values[C.valueMap]),
    verdict: text(values[C.verdict]),
    testOpportunity: text(values[C.testOpportunity]),
  };
}

/** The direction a stored option value means; undefined for a value that is not one of ours. */
export function directionOf(option: number | null): MappingDirection | undefined {
  if (option === null) return "both";
  const code = MAPPING_DIRECTION_OPTIONS.find((o) => o.value === option)?.code;
  return MAPPING_DIRECTIONS.find((direction) => direction === code);
}

export function directionOption(direction: MappingDirection): number {
  return MAPPING_DIRECTION_OPTIONS.find((o) => o.code === direction)?.value ?? MappingDirectionOption.Both;
}

/** Plain-language names of the fields, for the rows' pcc_name. */
const ROW_NAMES: Readonly<Record<string, string>> = {
  name: "Referral name", dealValue: "Deal value", currency: "Currency", closingDate: "Close date", notes: "Notes",
  helpCode: "How Microsoft can help", solutionIds: "Co-sell solutions", shareWithMicrosoftSellers: "Share with Microsoft sellers",
  status: "Referral status", statusReason: "Status reason",
};

function rowName(key: string): string {
  if (ROW_NAMES[key]) return ROW_NAMES[key];
  const [prefix, field] = key.split(".");
  const words = (field ?? key).replace(/([A-Z])/g, " $1").toLowerCase();
  return `${prefix === "customer" ? "Customer" : "Contact"} ${words}`;
}

/** The create bodies of the default rows: `mapping` (the shipped one, or MAPPING_FILE's), both ways, one row per field. */
export function defaultMappingRows(mapping: SyncMapping = DEFAULT_MAPPING): Record<string, unknown>[] {
  return MAPPABLE_FIELDS.map((field) => ({
    [C.name]: rowName(field.key),
    [C.partnerCenterField]: field.key,
    [C.dataverseColumn]: columnOf(mapping, field.slot),
    [C.direction]: MappingDirectionOption.Both,
  }));
}
