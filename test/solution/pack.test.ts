/**
 * The solution zip as an admin receives it: schema-valid, complete, carrying exactly the columns
 * in entities/, and refused (naming the column) when a definition is broken.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONFLICT_POLICY_OPTIONS,
  COSELL_MAPPING_COLUMNS,
  COSELL_SETTINGS_COLUMNS,
  CoSellMappingColumns,
  CoSellMappingTable,
  CoSellSettingsTable,
  OPPORTUNITY_COLUMNS,
  PUBLISHER,
  SOLUTION,
  type ColumnDefinition,
} from "../../entities";
import { CONFLICT_POLICIES } from "../../sync/engine/field-mapping.config";
import { packSolution, type PackResult } from "../../solution/pack";
import { DATAVERSE_TYPE } from "../../solution/xml/attribute-xml";
import { MAPPING_FORM_ID, MAPPING_VIEW_ID } from "../../solution/xml/mapping-entity";
import { SYNC_SERVICE_ROLE } from "../../solution/xml/security-role";
import { OPPORTUNITY_VIEWS } from "../../solution/xml/views";
import { parseXml, readZip, run, tempDir, VALIDATE_SOLUTION } from "./solution-test-helpers";

type Xml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let out: Awaited<ReturnType<typeof tempDir>>;
let packed: PackResult;
let unmanaged: Map<string, Buffer>;
let managed: Map<string, Buffer>;

beforeAll(async () => {
  out = await tempDir("pcc-pack-");
  packed = await packSolution({ outDir: out.path });
  unmanaged = await readZip(packed.unmanagedZip);
  managed = await readZip(packed.managedZip);
});
afterAll(() => out.remove());

function customizations(): Xml {
  const xml = unmanaged.get("customizations.xml")!.toString("utf8");
  return parseXml(xml, ["attribute", "option", "label", "displayname", "Description", "savedquery", "RolePrivilege", "cell", "LocalizedName", "systemform", "WebResource", "CustomControl", "Entity"]);
}

/** An <Entity> of customizations.xml by its <Name>. */
function entityNamed(name: string): Xml {
  const entities = customizations().ImportExportXml.Entities.Entity as Xml[];
  const entity = entities.find((e) => String(e.Name["#text"] ?? e.Name).toLowerCase() === name.toLowerCase());
  if (!entity) throw new Error(`customizations.xml has no Entity ${name}`);
  return entity;
}

describe("solution zip", () => {
  it("names both zips after the solution and the package.json version", () => {
    expect(packed.unmanagedZip).toMatch(/PartnerCenterCoSell_\d+_\d+_\d+\.zip$/);
    expect(packed.managedZip).toMatch(/PartnerCenterCoSell_\d+_\d+_\d+_managed\.zip$/);
  });

  it.each(["unmanaged", "managed"] as const)("the %s zip passes validate-solution (Microsoft's XSDs)", async (kind) => {
    const zip = kind === "managed" ? packed.managedZip : packed.unmanagedZip;
    const { stdout } = await run("bash", [VALIDATE_SOLUTION, zip]);
    expect(stdout).toContain("schema-valid and complete");
  });

  it("has [Content_Types].xml, solution.xml and customizations.xml at the root, without directory entries", () => {
    expect([...unmanaged.keys()]).toEqual(expect.arrayContaining(["[Content_Types].xml", "solution.xml", "customizations.xml"]));
    for (const name of unmanaged.keys()) expect(name.endsWith("/")).toBe(false);
  });

  it("declares the publisher, prefix, option value prefix, version and names in English and Italian", () => {
    const manifest = parseXml(unmanaged.get("solution.xml")!.toString("utf8"), ["LocalizedName"]).ImportExportXml as Xml;
    const solution = manifest.SolutionManifest as Xml;
    expect(solution.UniqueName).toBe(SOLUTION.uniqueName);
    expect(solution.Version).toBe(packed.version);
    expect(solution.Managed).toBe("0");
    expect(solution.Publisher.UniqueName).toBe(PUBLISHER.uniqueName);
    expect(solution.Publisher.CustomizationPrefix).toBe("pcc");
    expect(solution.Publisher.CustomizationOptionValuePrefix).toBe("58120");
    const names = (solution.LocalizedNames.LocalizedName as Xml[]).map((n) => [n["@_languagecode"], n["@_description"]]);
    expect(names).toEqual([["1033", SOLUTION.displayName[1033]], ["1040", SOLUTION.displayName[1040]]]);
    const roots = ([] as Xml[]).concat(solution.RootComponents.RootComponent);
    expect(roots).toContainEqual(expect.objectContaining({ "@_type": "1", "@_schemaName": "opportunity" }));
    expect(roots).toContainEqual(expect.objectContaining({ "@_type": "20", "@_id": SYNC_SERVICE_ROLE.id }));
  });

  it("carries every entities/ column with its Type, Format, MaxLength and option values", () => {
    const entity = entityNamed("Opportunity");
    const attributes = entity.EntityInfo.entity.attributes.attribute as Xml[];
    expect(attributes.map((a) => a.LogicalName).sort()).toEqual(OPPORTUNITY_COLUMNS.map((c) => c.logicalName).sort());
    for (const column of OPPORTUNITY_COLUMNS) {
      const attribute = attributes.find((a) => a.LogicalName === column.logicalName)!;
      expect(attribute["@_PhysicalName"], column.logicalName).toBe(column.schemaName);
      expect(attribute.Type, column.logicalName).toBe(DATAVERSE_TYPE[column.type]);
      const labels = (attribute.displaynames.displayname as Xml[]).map((d) => d["@_description"]);
      expect(labels).toEqual([column.displayName[1033], column.displayName[1040]]);
      if (column.type === "text") {
        expect(attribute.Format).toBe(column.format);
        expect(Number(attribute.MaxLength)).toBe(column.maxLength);
      }
      if (column.type === "memo") expect(Number(attribute.MaxLength)).toBe(column.maxLength);
      if (column.type === "choice") {
        const values = (attribute.optionset.options.option as Xml[]).map((o) => Number(o["@_value"]));
        expect(values, column.logicalName).toEqual(column.options.map((o) => o.value));
        expect(Number(attribute.AppDefaultValue)).toBe(column.defaultValue ?? -1);
      }
      if (column.type === "boolean") {
        expect(attribute.optionset.OptionSetType).toBe("bit");
        expect(Number(attribute.AppDefaultValue)).toBe(column.defaultValue ? 1 : 0);
      }
    }
  });

  it("ships the exact option values of docs/DESIGN.md section 4", () => {
    const attributes = entityNamed("Opportunity").EntityInfo.entity.attributes.attribute as Xml[];
    const options = (name: string) =>
      (attributes.find((a) => a.LogicalName === name)!.optionset.options.option as Xml[]).map((o) => `${o["@_value"]} ${o.labels.label[0]["@_description"]}`);
    expect(options("pcc_syncstatus")).toEqual(["581200000 Not synced", "581200001 Pending", "581200002 ✔ Synced", "581200003 Error"]);
    expect(options("pcc_referraldirection")).toEqual(["581200000 Incoming", "581200001 Outgoing"]);
    expect(options("pcc_referralstatus").map((o) => o.split(" ")[0])).toEqual(
      ["581200000", "581200001", "581200002", "581200003", "581200004", "581200005", "581200006", "581200007"],
    );
    // Closed / Error (Partner Center's "Close as Error"), added after docs/DESIGN.md's list.
    expect(options("pcc_referralstatus").at(-1)).toBe("581200007 Closed / Error");
    expect(options("pcc_howcanmicrosofthelp").map((o) => o.split(" ")[0])).toEqual(
      ["581200000", "581200001", "581200002", "581200003", "581200004", "581200005"],
    );
  });

  it("adds the three co-sell views and the sync service role without delete privileges", () => {
    const root = customizations().ImportExportXml;
    const views = entityNamed("Opportunity").SavedQueries.savedqueries.savedquery as Xml[];
    const names = views.map((v) => (v.LocalizedNames.LocalizedName as Xml[])[0]["@_description"]);
    expect(names).toEqual(["Co-sell opportunities", "Co-sell sync errors", "Incoming Microsoft referrals"]);
    expect(views.map((v) => v.savedqueryid)).toEqual(OPPORTUNITY_VIEWS.map((v) => v.id));
    const privileges = (root.Roles.Role.RolePrivileges.RolePrivilege as Xml[]).map((p) => p["@_name"] as string);
    expect(privileges).toContain("prvWriteOpportunity");
    expect(privileges.filter((p) => p.startsWith("prvDelete"))).toEqual([]);
  });

  it("creates the co-sell settings table, org-owned, with its columns in English and Italian, readable by the sync service role", () => {
    const entity = entityNamed(CoSellSettingsTable.schemaName);
    const info = entity.EntityInfo.entity as Xml;
    expect(info.EntitySetName).toBe(CoSellSettingsTable.entitySetName);
    expect(info.OwnershipTypeMask).toBe("OrgOwned");
    expect((info.LocalizedNames.LocalizedName as Xml[]).map((n) => n["@_description"])).toEqual([CoSellSettingsTable.displayName[1033], CoSellSettingsTable.displayName[1040]]);
    const attributes = info.attributes.attribute as Xml[];
    expect(attributes.find((a) => a.Type === "primarykey")?.LogicalName).toBe(CoSellSettingsTable.primaryId);
    expect(attributes.find((a) => String(a.DisplayMask).includes("PrimaryName"))?.LogicalName).toBe(CoSellSettingsTable.primaryName);
    for (const column of COSELL_SETTINGS_COLUMNS) {
      const attribute = attributes.find((a) => a.LogicalName === column.logicalName);
      expect(attribute?.Type, column.logicalName).toBe(DATAVERSE_TYPE[column.type]);
      expect((attribute!.displaynames.displayname as Xml[]).map((d) => d["@_description"])).toEqual([column.displayName[1033], column.displayName[1040]]);
      if (column.type === "wholenumber") expect([Number(attribute!.MinValue), Number(attribute!.MaxValue)]).toEqual([column.minValue, column.maxValue]);
    }
    // The choice's options are the mapping file's conflict policies, one for one.
    expect(CONFLICT_POLICY_OPTIONS.map((o) => o.code)).toEqual([...CONFLICT_POLICIES]);
    const privileges = (customizations().ImportExportXml.Roles.Role.RolePrivileges.RolePrivilege as Xml[]);
    expect(privileges).toContainEqual(expect.objectContaining({ "@_name": `prvRead${CoSellSettingsTable.schemaName}`, "@_level": "Global" }));
    expect(privileges.map((p) => p["@_name"] as string).filter((p) => p.toLowerCase().includes(CoSellSettingsTable.logicalName) && !p.startsWith("prvRead"))).toEqual([]);
    const manifest = parseXml(unmanaged.get("solution.xml")!.toString("utf8"), ["RootComponent"]).ImportExportXml as Xml;
    expect(manifest.SolutionManifest.RootComponents.RootComponent).toContainEqual(
      expect.objectContaining({ "@_type": "1", "@_schemaName": CoSellSettingsTable.logicalName, "@_behavior": "0" }),
    );
  });

  it("creates the co-sell field mapping table with a main form and a view, the backend's columns locked, writable by the sync service role", () => {
    const entity = entityNamed(CoSellMappingTable.schemaName);
    const info = entity.EntityInfo.entity as Xml;
    expect(info.EntitySetName).toBe(CoSellMappingTable.entitySetName);
    expect(info.OwnershipTypeMask).toBe("OrgOwned");
    const attributes = info.attributes.attribute as Xml[];
    expect(attributes.find((a) => a.Type === "primarykey")?.LogicalName).toBe(CoSellMappingTable.primaryId);
    for (const column of COSELL_MAPPING_COLUMNS) {
      expect(attributes.find((a) => a.LogicalName === column.logicalName)?.Type, column.logicalName).toBe(DATAVERSE_TYPE[column.type]);
    }
    const form = (entity.FormXml.forms.systemform as Xml[])[0]!;
    expect(form.formid).toBe(MAPPING_FORM_ID);
    const controls = JSON.stringify(form.form);
    for (const column of Object.values(CoSellMappingColumns)) expect(controls, column).toContain(`"@_datafieldname":"${column}"`);
    // The verdict and the preview are the backend's: locked on the form.
    expect(controls).toMatch(new RegExp(`"@_id":"${CoSellMappingColumns.verdict}","@_classid":"[^"]*","@_datafieldname":"[^"]*","@_disabled":"true"`));
    expect(controls).toMatch(new RegExp(`"@_id":"${CoSellMappingColumns.dataverseColumn}","@_classid":"[^"]*","@_datafieldname":"[^"]*","@_disabled":"false"`));
    const view = (entity.SavedQueries.savedqueries.savedquery as Xml[])[0]!;
    expect(view.savedqueryid).toBe(MAPPING_VIEW_ID);
    expect(JSON.stringify(view.fetchxml)).toContain(CoSellMappingColumns.verdict);
    const privileges = (customizations().ImportExportXml.Roles.Role.RolePrivileges.RolePrivilege as Xml[]).map((p) => p["@_name"] as string);
    const onMapping = privileges.filter((p) => p.endsWith(CoSellMappingTable.schemaName)).sort();
    expect(onMapping).toEqual([`prvCreate${CoSellMappingTable.schemaName}`, `prvRead${CoSellMappingTable.schemaName}`, `prvWrite${CoSellMappingTable.schemaName}`]);
    const manifest = parseXml(unmanaged.get("solution.xml")!.toString("utf8"), ["RootComponent"]).ImportExportXml as Xml;
    expect(manifest.SolutionManifest.RootComponents.RootComponent).toContainEqual(
      expect.objectContaining({ "@_type": "1", "@_schemaName": CoSellMappingTable.logicalName, "@_behavior": "0" }),
    );
  });

  it("managed and unmanaged differ only in the Managed flag", () => {
    expect([...managed.keys()].sort()).toEqual([...unmanaged.keys()].sort());
    for (const [name, content] of unmanaged) {
      const other = managed.get(name)!;
      if (name === "solution.xml") {
        expect(other.toString("utf8").replace("<Managed>1</Managed>", "<Managed>0</Managed>")).toBe(content.toString("utf8"));
        expect(other.toString("utf8")).toContain("<Managed>1</Managed>");
      } else {
        expect(other.equals(content), name).toBe(true);
      }
    }
  });

  it("writes the unpacked folder in pac's layout", () => {
    for (const path of ["Other/Solution.xml", "Other/Customizations.xml", "Entities/Opportunity/Entity.xml", "Entities/Opportunity/RibbonDiff.xml", `Roles/${SYNC_SERVICE_ROLE.name}.xml`]) {
      expect(existsSync(join(packed.unpackedDir, path)), path).toBe(true);
    }
    for (const view of OPPORTUNITY_VIEWS) {
      expect(existsSync(join(packed.unpackedDir, "Entities/Opportunity/SavedQueries", `${view.id}.xml`))).toBe(true);
    }
  });
});

describe("broken column definitions", () => {
  const syncStatus = OPPORTUNITY_COLUMNS.find((c) => c.type === "choice" && c.logicalName === "pcc_syncstatus")!;

  async function packWith(columns: readonly ColumnDefinition[]): Promise<{ error: Error; wroteZip: boolean }> {
    const dir = await tempDir("pcc-broken-");
    try {
      const error = await packSolution({ outDir: dir.path, columns, parts: [] }).then(
        () => new Error("packer accepted the definitions"),
        (e: Error) => e,
      );
      const wroteZip = existsSync(join(dir.path, `${SOLUTION.uniqueName}_1_0_0.zip`));
      return { error, wroteZip };
    } finally {
      await dir.remove();
    }
  }

  it("refuses an unknown column type and names the column", async () => {
    const broken = { ...OPPORTUNITY_COLUMNS[0], type: "money" } as unknown as ColumnDefinition;
    const { error, wroteZip } = await packWith([broken, ...OPPORTUNITY_COLUMNS.slice(1)]);
    expect(error.message).toContain(`${OPPORTUNITY_COLUMNS[0].logicalName}: unknown column type "money"`);
    expect(wroteZip).toBe(false);
  });

  it("refuses a duplicate option value and names the column", async () => {
    if (syncStatus.type !== "choice") throw new Error("fixture");
    const broken = { ...syncStatus, options: [...syncStatus.options, { ...syncStatus.options[0], code: "Again" }] };
    const { error } = await packWith(OPPORTUNITY_COLUMNS.map((c) => (c === syncStatus ? broken : c)));
    expect(error.message).toContain("pcc_syncstatus: option value 581200000 is used twice");
  });

  it("refuses a logical name without the pcc_ prefix", async () => {
    const broken = { ...OPPORTUNITY_COLUMNS[1], logicalName: "referralid", schemaName: "ReferralId" } as ColumnDefinition;
    const { error } = await packWith([OPPORTUNITY_COLUMNS[0], broken]);
    expect(error.message).toContain('referralid: logical name must be lower case and start with "pcc_"');
  });

  it("reports every problem at once", async () => {
    const a = { ...OPPORTUNITY_COLUMNS[2], logicalName: "bad_one", schemaName: "bad_One" } as ColumnDefinition;
    const b = { ...OPPORTUNITY_COLUMNS[1], maxLength: 99999 } as ColumnDefinition;
    const { error } = await packWith([a, b]);
    expect(error.message).toContain("bad_one:");
    expect(error.message).toContain("pcc_referralidentifier: text length 99999 is outside 1..4000");
  });
});
