import { describe, expect, it } from "vitest";
import { AccountColumns, ContactColumns, OpportunityColumns, OpportunityStandardColumns } from "../../entities";
import {
  DEFAULT_MAPPING,
  MappingConfigError,
  MissingColumnsError,
  checkMappingAgainstMetadata,
  parseMappingOverride,
  resolveMapping,
} from "../../sync/engine";

const allOpportunityColumns = [...Object.values(OpportunityColumns), ...Object.values(OpportunityStandardColumns)];
const metadata = {
  opportunity: allOpportunityColumns,
  account: Object.values(AccountColumns),
  contact: Object.values(ContactColumns),
};

describe("mapping override file", () => {
  it("re-points a column and a conflict policy, leaving the rest at the default", () => {
    const mapping = resolveMapping(
      parseMappingOverride(JSON.stringify({ opportunity: { dealValue: "new_dealvalue" }, conflictPolicy: { fields: { notes: "crm-wins" } } })),
    );
    expect(mapping.opportunity.dealValue).toBe("new_dealvalue");
    expect(mapping.opportunity.name).toBe(DEFAULT_MAPPING.opportunity.name);
    expect(mapping.conflictPolicy).toEqual({ default: "latest-wins", fields: { notes: "crm-wins" } });
  });

  it("lists every problem of a bad file with its path", () => {
    const text = JSON.stringify({ opportunity: { dealvalue: "x", name: "Bad Name" }, conflictPolicy: { default: "newest" } });
    try {
      parseMappingOverride(text, "mapping.json");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MappingConfigError);
      const problems = (error as MappingConfigError).problems.join("\n");
      expect(problems).toMatch(/opportunity\.name: must be a lower-case Dataverse logical name/);
      expect(problems).toMatch(/dealvalue/);
      expect(problems).toMatch(/conflictPolicy\.default/);
    }
  });

  it("reports invalid JSON with the parser's reason as cause", () => {
    expect(() => parseMappingOverride("{ nope")).toThrow(/not valid JSON/);
  });
});

describe("checkMappingAgainstMetadata", () => {
  it("accepts the default mapping on an org with the solution imported", () => {
    expect(checkMappingAgainstMetadata(DEFAULT_MAPPING, metadata)).toEqual([]);
  });

  it("names every missing column: a re-pointed one and our solution's columns", () => {
    const mapping = resolveMapping({ opportunity: { dealValue: "new_dealvalue" }, account: { duns: "new_duns" } });
    const missing = checkMappingAgainstMetadata(mapping, {
      ...metadata,
      opportunity: allOpportunityColumns.filter((c) => c !== OpportunityColumns.products && c !== OpportunityColumns.audit),
    });
    expect(missing).toEqual([
      { table: "opportunity", column: "new_dealvalue", field: "dealValue" },
      { table: "opportunity", column: OpportunityColumns.products, field: "solutionIds" },
      { table: "opportunity", column: OpportunityColumns.audit, field: "sync bookkeeping" },
      { table: "account", column: "new_duns", field: "duns" },
    ]);
    expect(new MissingColumnsError(missing).message).toContain(`opportunity.new_dealvalue (for dealValue)`);
  });
});
