/**
 * The other pure pieces of the mapping rows: the preview text an admin reads, one-way fields in the
 * merge, the base correction after a field is re-pointed, and the configuration file and its diff.
 */
import { describe, expect, it } from "vitest";
import { MappingDirectionOption } from "../../entities";
import { ConfigFileError, parseConfigFile, serializeConfigFile, type ConfigFile } from "../../sync/config-transfer/config-file";
import { configFromOrg, formatPlan, isEmptyPlan, planImport } from "../../sync/config-transfer/config-plan";
import { EMPTY_MAPPED_FIELDS, mergeLink, type MappedFields } from "../../sync/engine";
import { defaultMappingRows, readMappingRow } from "../../sync/mapping/mapping-rows";
import { formatPreview, type SyncPreview } from "../../sync/mapping/preview-text";
import { rebaseRepointedFields, RepointedFields } from "../../sync/mapping/repointed-fields";
import { DEFAULT_MAPPING } from "../../sync/engine";

const fields = (change: Partial<MappedFields>): MappedFields => ({ ...EMPTY_MAPPED_FIELDS, name: "Deal", dealValue: 100, ...change });
const at = "2026-12-03T12:00:00.000Z";

describe("one-way fields in the merge", () => {
  const base = fields({ notes: "old" });
  const merge = (crm: MappedFields, pc: MappedFields, direction: "to-partner-center" | "to-dynamics-365") =>
    mergeLink({ base, crm, partnerCenter: pc, crmModifiedAt: null, partnerCenterModifiedAt: null, at, directions: { notes: direction } });

  it("to Partner Center only: a Partner Center edit is not brought over; a Dynamics 365 edit is sent", () => {
    expect(merge(base, fields({ notes: "pc edit" }), "to-partner-center").crmPatch).toEqual({});
    expect(merge(fields({ notes: "crm edit" }), fields({ notes: "pc edit" }), "to-partner-center").partnerCenterPatch).toEqual({ notes: "crm edit" });
  });

  it("to Dynamics 365 only: a seller's edit is not sent; Partner Center's is written", () => {
    expect(merge(fields({ notes: "crm edit" }), base, "to-dynamics-365").partnerCenterPatch).toEqual({});
    expect(merge(fields({ notes: "crm edit" }), fields({ notes: "pc edit" }), "to-dynamics-365").crmPatch).toEqual({ notes: "pc edit" });
  });
});

describe("rebaseRepointedFields", () => {
  it("a base older than the re-pointing takes the new column's value, so an empty new column does not clear the field in Partner Center", () => {
    const base = fields({ notes: "shared notes" });
    const crm = fields({ notes: null });
    const rebased = rebaseRepointedFields(base, 1_000, crm, (field) => (field === "notes" ? 2_000 : 0))!;
    expect(rebased.notes).toBeNull();
    const merged = mergeLink({ base: rebased, crm, partnerCenter: base, crmModifiedAt: null, partnerCenterModifiedAt: null, at });
    expect(merged.partnerCenterPatch).toEqual({});
    expect(merged.crmPatch).toEqual({ notes: "shared notes" });
    // A base saved after the re-pointing is left as it is.
    expect(rebaseRepointedFields(base, 3_000, crm, () => 2_000)).toBe(base);
  });
});

describe("RepointedFields", () => {
  it("the first mapping ever is no re-pointing; a changed column is dated now, and a restart reads that date back from the store", async () => {
    const watermarks = new Map<string, string>();
    const store = { getWatermark: async (name: string) => watermarks.get(name) ?? null, setWatermark: async (name: string, value: string) => void watermarks.set(name, value) };
    const first = new RepointedFields(store);
    await first.observe(DEFAULT_MAPPING, 1_000);
    expect(first.repointedAt("notes")).toBe(0);
    const moved = { ...DEFAULT_MAPPING, opportunity: { ...DEFAULT_MAPPING.opportunity, notes: "customerneed" } };
    await first.observe(moved, 5_000);
    expect(first.repointedAt("notes")).toBe(5_000);
    expect(first.repointedAt("dealValue")).toBe(0);
    const restarted = new RepointedFields(store);
    await restarted.observe(moved, 9_000);
    expect(restarted.repointedAt("notes")).toBe(5_000);
  });
});

describe("formatPreview", () => {
  const preview: SyncPreview = {
    opportunity: { id: "0f8fad5b-d9cb-469f-a165-70867728950e", name: "Fabrikam" },
    at,
    syncOn: false,
    fields: [{ field: "notes", column: "customerneed", direction: "to-partner-center" }],
    values: fields({ notes: "needs a data platform" }),
    action: { kind: "create", body: { name: "Fabrikam", details: { notes: "needs a data platform" } }, problems: ["the customer's country is missing"] },
  };

  it("says nothing was sent, which column each field came from, the referral body and why Partner Center would refuse it", () => {
    const text = formatPreview(preview);
    expect(text.split("\n").slice(0, 5)).toEqual([
      `Test of the mapping on "Fabrikam" (0f8fad5b-d9cb-469f-a165-70867728950e) at ${at}. Nothing was sent to Partner Center and nothing was written to the opportunity.`,
      "Sync with Partner Center is off on this opportunity: this is what would happen once it is turned on.",
      "",
      "Fields read under the mapping in force:",
      "- notes (notes) → Partner Center only opportunity.customerneed: needs a data platform",
    ]);
    expect(text).toContain('"notes": "needs a data platform"');
    expect(text).toContain("- the customer's country is missing");
  });

  it("for a linked referral: the JSON Patch it would send and the columns it would write", () => {
    const text = formatPreview({ ...preview, syncOn: true, action: { kind: "update", referralId: "r-1", operations: [{ op: "replace", path: "/details/notes", value: "x" }], crmWrite: { description: "y" }, notes: [] } });
    expect(text).toContain('Would update referral r-1 in Partner Center (PATCH, JSON Patch):\n[\n  {\n    "op": "replace"');
    expect(text).toContain('Would write on the opportunity:\n{\n  "description": "y"\n}');
    expect(text).not.toContain("Sync with Partner Center is off");
  });
});

describe("the configuration file", () => {
  const rows = defaultMappingRows().map((values, index) => readMappingRow(`id-${index}`, values));
  const exported = configFromOrg(rows, { conflictPolicy: "crm-wins", catchUpIntervalSeconds: null });

  it("serializes the same configuration to the same bytes whatever the row order, and parses back to it", () => {
    const shuffled: ConfigFile = { ...exported.file, mapping: [...exported.file.mapping].reverse() };
    const text = serializeConfigFile(exported.file);
    expect(serializeConfigFile(shuffled)).toBe(text);
    expect(parseConfigFile(text, "f.json")).toEqual(parseConfigFile(serializeConfigFile(parseConfigFile(text, "f.json")), "f.json"));
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("refuses a duplicate field, an unknown key or a wrong version, listing each", () => {
    const file = JSON.parse(serializeConfigFile(exported.file)) as Record<string, unknown> & { mapping: unknown[] };
    const bad = { ...file, version: 2, extra: true, mapping: [...file.mapping, file.mapping[0]] };
    expect(() => parseConfigFile(JSON.stringify(bad), "f.json")).toThrow(ConfigFileError);
    try {
      parseConfigFile(JSON.stringify(bad), "f.json");
    } catch (error) {
      expect((error as ConfigFileError).problems.join("\n")).toMatch(/version/);
      expect((error as ConfigFileError).problems.join("\n")).toMatch(/extra/);
    }
    const duplicate = { ...file, mapping: [...file.mapping, file.mapping[0]] };
    expect(() => parseConfigFile(JSON.stringify(duplicate), "f.json")).toThrow(/name appears more than once/);
  });

  it("the plan: nothing for the same configuration; a changed column, a new row, a removed row and a setting, each one line", () => {
    expect(isEmptyPlan(planImport(rows, { conflictPolicy: "crm-wins", catchUpIntervalSeconds: null }, exported.file))).toBe(true);
    const incoming: ConfigFile = {
      ...exported.file,
      settings: { conflictPolicy: "latest-wins", catchUpIntervalSeconds: 10 },
      mapping: exported.file.mapping
        .filter((m) => m.partnerCenterField !== "customer.duns")
        .map((m) => (m.partnerCenterField === "notes" ? { ...m, dataverseColumn: "customerneed", direction: "to-partner-center" as const } : m)),
    };
    const withoutName = rows.filter((r) => r.field !== "name");
    const plan = planImport(withoutName, { conflictPolicy: "crm-wins", catchUpIntervalSeconds: null }, incoming);
    expect(formatPlan(plan)).toEqual([
      "+ mapping name: name, both",
      "~ mapping notes: dataverseColumn description → customerneed; direction both → to-partner-center",
      '- mapping row "Customer duns" (customer.duns)',
      "~ settings: conflictPolicy crm-wins → latest-wins; catchUpIntervalSeconds (empty) → 10",
    ]);
    expect(rows.find((r) => r.field === "notes")?.direction).toBe(MappingDirectionOption.Both);
  });
});
