/**
 * The pure checker of the mapping rows: the verdict an admin reads for each row, and the mapping the
 * sync runs with (valid rows over the fallback, a bad row's field kept as it last ran).
 */
import { describe, expect, it } from "vitest";
import { HowCanMicrosoftHelp, MappingDirectionOption, OpportunityColumns as C, OpportunityStandardColumns as S } from "../../entities";
import { DEFAULT_MAPPING, EMPTY_MAPPED_FIELDS, opportunityToMappedFields, opportunityUpdateFromMerge, type SyncMapping } from "../../sync/engine";
import { checkMappingRows, type OrgColumn, type OrgColumns } from "../../sync/mapping/mapping-checker";
import { defaultMappingRows, readMappingRow, type MappingRow } from "../../sync/mapping/mapping-rows";
import { MAPPABLE_FIELDS } from "../../sync/mapping/mappable-fields";

/** An org with the default mapping's columns (of the right types) plus a few spare ones. */
function org(extra: Partial<Record<keyof OrgColumns, Record<string, OrgColumn>>> = {}): OrgColumns {
  const typeOf = (types: readonly string[]) => types[0]!;
  const tables: Record<"opportunity" | "account" | "contact", Map<string, OrgColumn>> = { opportunity: new Map(), account: new Map(), contact: new Map() };
  for (const field of MAPPABLE_FIELDS) {
    const column = field.slot.table === "opportunity" ? DEFAULT_MAPPING.opportunity[field.slot.field] : field.slot.table === "account" ? DEFAULT_MAPPING.account[field.slot.field] : DEFAULT_MAPPING.contact[field.slot.field];
    if (column) tables[field.slot.table].set(column, { type: typeOf(field.types), ...(field.choice ? { options: Object.values(field.choice.defaultOptions) } : {}) });
  }
  tables.opportunity.set("customerneed", { type: "Memo" });
  tables.opportunity.set("budgetstatus", { type: "Picklist", options: [0, 1, 2, 3] });
  for (const [table, columns] of Object.entries(extra)) for (const [name, column] of Object.entries(columns ?? {})) tables[table as keyof OrgColumns].set(name, column);
  return tables;
}

function defaultRows(): MappingRow[] {
  return defaultMappingRows().map((values, index) => readMappingRow(`row-${index}`, values));
}

function withRow(rows: MappingRow[], field: string, change: Partial<MappingRow>): MappingRow[] {
  return rows.map((row) => (row.field === field ? { ...row, ...change } : row));
}

const idOf = (rows: MappingRow[], field: string) => rows.find((r) => r.field === field)!.id;
const check = (rows: MappingRow[], previous: SyncMapping = DEFAULT_MAPPING, columns = org()) => checkMappingRows(rows, columns, { fallback: DEFAULT_MAPPING, previous });

describe("checkMappingRows", () => {
  it("the shipped rows are all OK and give the default mapping", () => {
    const rows = defaultRows();
    const result = check(rows);
    expect([...result.verdicts.values()].filter((v) => !v.startsWith("OK"))).toEqual([]);
    expect(result.verdicts.get(idOf(rows, "dealValue"))).toBe(`OK: dealValue ↔ opportunity.${S.estimatedValue}, both ways`);
    expect(result.verdicts.get(idOf(rows, "customer.duns"))).toBe("OK: customer.duns ↔ not mapped, both ways");
    expect(result.mapping).toEqual(DEFAULT_MAPPING);
    expect(result.problems).toEqual([]);
  });

  it("a column that does not exist: the verdict names it and the field keeps the column it last ran with", () => {
    const previous: SyncMapping = { ...DEFAULT_MAPPING, opportunity: { ...DEFAULT_MAPPING.opportunity, notes: "customerneed" } };
    const rows = withRow(defaultRows(), "notes", { column: "new_region" });
    const result = check(rows, previous);
    expect(result.verdicts.get(idOf(rows, "notes"))).toBe("column new_region does not exist on opportunity; until it is fixed notes keeps syncing through opportunity.customerneed (the last valid mapping)");
    expect(result.mapping.opportunity.notes).toBe("customerneed");
    expect(result.problems).toHaveLength(1);
  });

  it("a valid new column is taken at once, with its direction", () => {
    const rows = withRow(defaultRows(), "notes", { column: "customerneed", direction: MappingDirectionOption.ToDynamics });
    const result = check(rows);
    expect(result.verdicts.get(idOf(rows, "notes"))).toBe("OK: notes ↔ opportunity.customerneed, to dynamics 365 only");
    expect(result.mapping.opportunity.notes).toBe("customerneed");
    expect(result.mapping.directions).toEqual({ notes: "to-dynamics-365" });
  });

  it("a column of the wrong type, or one already carrying another field, is refused", () => {
    let rows = withRow(defaultRows(), "dealValue", { column: "customerneed" });
    expect(check(rows).verdicts.get(idOf(rows, "dealValue"))).toMatch(/^column customerneed is a Memo column; dealValue needs Money or Decimal or Double; until it is fixed dealValue keeps syncing through opportunity\.estimatedvalue/);
    rows = withRow(defaultRows(), "statusReason", { column: S.description });
    expect(check(rows).verdicts.get(idOf(rows, "statusReason"))).toMatch(/^column description already carries notes \(another row\)/);
  });

  it("value maps: a missing Partner Center value, an unknown one, an option the column lacks, bad JSON, or no map on a column with other options", () => {
    const full = { WorkloadSpecificValueProposition: 0, CustomerTechnicalArchitecture: 1, ProofOfConceptOrDemo: 2, QuotesOrLicensing: 3, PostSalesCustomerSuccess: 3, GeneralOrOther: 3 };
    const verdict = (valueMap: string | null) => {
      const rows = withRow(defaultRows(), "helpCode", { column: "budgetstatus", valueMap });
      return check(rows).verdicts.get(idOf(rows, "helpCode"))!;
    };
    expect(verdict(JSON.stringify({ GeneralOrOther: 3 }))).toMatch(/^the value map misses CustomerTechnicalArchitecture, .*WorkloadSpecificValueProposition; give each Partner Center value an option of budgetstatus/);
    expect(verdict(JSON.stringify({ ...full, Other: 1 }))).toMatch(/^"Other" is not a Partner Center value of helpCode/);
    expect(verdict(JSON.stringify({ ...full, GeneralOrOther: 9 }))).toMatch(/^the value map names 9, which is not an option of budgetstatus \(its options: 0, 1, 2, 3\)/);
    expect(verdict("{GeneralOrOther: 3")).toMatch(/^the value map is not valid JSON/);
    expect(verdict(null)).toMatch(/^budgetstatus's options are not the solution's .*add a value map/);
    const rows = withRow(defaultRows(), "helpCode", { column: "budgetstatus", valueMap: JSON.stringify(full) });
    const result = check(rows);
    expect(result.verdicts.get(idOf(rows, "helpCode"))).toBe("OK: helpCode ↔ opportunity.budgetstatus, both ways");
    expect(result.mapping.helpCodeOptions).toEqual(full);
  });

  it("rows the engine cannot run: an unknown field, a second row for a field, status one way or with a value map, a customer field one way", () => {
    const rows = [
      ...defaultRows(),
      readMappingRow("x1", { pcc_name: "Region", pcc_partnercenterfield: "region", pcc_dataversecolumn: "new_region" }),
      readMappingRow("x2", { pcc_name: "Notes again", pcc_partnercenterfield: "Notes", pcc_dataversecolumn: "customerneed" }),
    ];
    let result = check(rows);
    expect(result.verdicts.get("x1")).toMatch(/^"region" is not a Partner Center field this connector maps; use one of name, dealValue, .*; this row is ignored$/);
    expect(result.verdicts.get("x2")).toBe('another row ("Notes") already maps notes; delete or deactivate one of them; this row is ignored');
    expect(result.mapping.opportunity.notes).toBe(S.description);

    const oneWay = withRow(withRow(defaultRows(), "status", { direction: MappingDirectionOption.ToPartnerCenter }), "customer.city", { direction: MappingDirectionOption.ToDynamics });
    result = check(oneWay);
    expect(result.verdicts.get(idOf(oneWay, "status"))).toMatch(/^status syncs both ways only/);
    expect(result.verdicts.get(idOf(oneWay, "customer.city"))).toMatch(/^customer\.city syncs both ways only \(customer and contact fields are copied when a record is created\)/);
    const statusMap = withRow(defaultRows(), "status", { valueMap: "{}" });
    expect(check(statusMap).verdicts.get(idOf(statusMap, "status"))).toMatch(/^status takes no value map/);
    expect(check(statusMap).mapping.opportunity.status).toBe(C.referralStatus);
  });

  it("a value-mapped help column is read and written through its map by the engine", () => {
    const map = { WorkloadSpecificValueProposition: 0, CustomerTechnicalArchitecture: 1, ProofOfConceptOrDemo: 2, QuotesOrLicensing: 3, PostSalesCustomerSuccess: 3, GeneralOrOther: 3 };
    const rows = withRow(defaultRows(), "helpCode", { column: "budgetstatus", valueMap: JSON.stringify(map) });
    const { mapping } = check(rows);
    const ctx = { mapping, currencies: [] };
    expect(opportunityToMappedFields({ budgetstatus: 2, [C.howCanMicrosoftHelp]: HowCanMicrosoftHelp.GeneralOrOther }, ctx).helpCode).toBe("ProofOfConceptOrDemo");
    const merged = { ...EMPTY_MAPPED_FIELDS, helpCode: "CustomerTechnicalArchitecture" as const };
    const write = opportunityUpdateFromMerge({ helpCode: "CustomerTechnicalArchitecture" }, merged, {}, ctx).body;
    expect(write).toMatchObject({ budgetstatus: 1 });
    expect(write).not.toHaveProperty(C.howCanMicrosoftHelp);
  });
});
