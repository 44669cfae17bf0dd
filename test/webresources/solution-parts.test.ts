/** The two solution parts this bundle brings: the web resource entry and the opportunity RibbonDiffXml. */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCosellRibbonDiffXml, FORM_COMMANDS, GRID_COMMANDS } from "../../solution/parts/cosell-ribbon.part";
import { COSELL_WEB_RESOURCE_ID, MissingWebResourceBundleError, readCosellWebResource } from "../../solution/parts/cosell-webresource.part";
import { SOLUTION_PARTS } from "../../solution/parts";
import { RIBBON_FUNCTIONS, WEB_RESOURCE_NAME } from "../../webresources/src/public-names";

const run = promisify(execFile);
const SCHEMAS = fileURLToPath(new URL("../../../shared/schemas/dataverse-9.0.0.2090/", import.meta.url));

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cosell-ribbon-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Microsoft's XSDs use .NET regex syntax; patch a copy the way ../shared/tools/validate-solution does. */
async function patchedSchemas(): Promise<string> {
  const dir = join(work, "xsd");
  await cp(SCHEMAS, dir, { recursive: true });
  for (const file of await readdir(dir)) {
    if (!file.endsWith(".xsd")) continue;
    const path = join(dir, file);
    let text = await readFile(path, "utf8");
    if (file === "FormXml.xsd") text = text.replace("(\\$webresource:|/)(.)+", "($webresource:|/)(.)+").replace("(?![cC][rR][mM]_)", "");
    text = text.replace(/(pattern value *= *")\^([^"]*)\$"/g, "$1$2\"");
    await writeFile(path, text);
  }
  return dir;
}

async function xmllintRibbon(xml: string): Promise<{ ok: boolean; output: string }> {
  const schemas = await patchedSchemas();
  const file = join(work, `ribbon-${Math.random().toString(36).slice(2)}.xml`);
  await writeFile(file, xml);
  try {
    const { stderr } = await run("xmllint", ["--noout", "--schema", join(schemas, "RibbonCore.xsd"), file]);
    return { ok: true, output: stderr };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
  }
}

describe("co-sell RibbonDiffXml", () => {
  const xml = buildCosellRibbonDiffXml();
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute }).parse(xml);
  const root = parsed.RibbonDiffXml[0];

  it("validates against Microsoft's RibbonCore.xsd", async () => {
    const result = await xmllintRibbon(xml);
    expect(result.output).toContain("validates");
    expect(result.ok).toBe(true);
  });

  it("is rejected by the schema when broken, so the validation above means something", async () => {
    const result = await xmllintRibbon(xml.replace("<CommandDefinitions>", "<CommandDefinition>").replace("</CommandDefinitions>", "</CommandDefinition>"));
    expect(result.ok).toBe(false);
  });

  it("puts five buttons on the form's Save group and Sync selected on the grid", () => {
    const locations = root.CustomActions[0].CustomAction.map((a: Record<string, string>) => a["@_Location"]);
    expect(locations).toEqual([
      ...FORM_COMMANDS.map(() => "Mscrm.Form.opportunity.MainTab.Save.Controls._children"),
      ...GRID_COMMANDS.map(() => "Mscrm.HomepageGrid.opportunity.MainTab.Management.Controls._children"),
    ]);
    expect(FORM_COMMANDS.map((c) => c.action)).toEqual(["syncNow", "openInPartnerCenter", "acceptReferral", "declineReferral", "stopSyncing"]);
  });

  it("calls the bundle's functions from the web resource, with the form or the selected rows", () => {
    const actions = root.CommandDefinitions[0].CommandDefinition.map((d: Record<string, unknown[]>) =>
      (d.Actions[0] as Record<string, Record<string, unknown>[]>).JavaScriptFunction[0]);
    for (const action of actions) expect(action["@_Library"]).toBe(`$webresource:${WEB_RESOURCE_NAME}`);
    const params = (a: Record<string, unknown>) => (a.CrmParameter as Record<string, string>[]).map((p) => p["@_Value"]);
    const byName = new Map(actions.map((a: Record<string, unknown>) => [a["@_FunctionName"], params(a)]));
    expect(byName.get(RIBBON_FUNCTIONS.syncNow)).toEqual(["PrimaryControl"]);
    expect(byName.get(RIBBON_FUNCTIONS.syncSelected)).toEqual(["SelectedControlSelectedItemIds", "SelectedControl"]);
  });

  it("keeps every form button behind the record write privilege and its custom rule", () => {
    const definitions = root.CommandDefinitions[0].CommandDefinition as Record<string, unknown>[];
    const enableRuleIds = (id: string) => {
      const d = definitions.find((x) => x["@_Id"] === id) as Record<string, Record<string, Record<string, string>[]>[]>;
      return d.EnableRules[0].EnableRule.map((r) => r["@_Id"]);
    };
    expect(enableRuleIds("pcc.opportunity.Form.SyncNow.Command")).toEqual([
      "pcc.opportunity.WritePrimaryRecord.EnableRule", "pcc.opportunity.IsSyncNowEnabled.EnableRule",
    ]);
    expect(enableRuleIds("pcc.opportunity.Form.DeclineReferral.Command")).toContain("pcc.opportunity.IsAnswerReferralEnabled.EnableRule");
    const customRules = root.RuleDefinitions[0].EnableRules[0].EnableRule
      .flatMap((r: Record<string, Record<string, string>[]>) => r.CustomRule ?? [])
      .map((r: Record<string, string>) => [r["@_FunctionName"], r["@_Default"]]);
    expect(customRules).toEqual([
      [RIBBON_FUNCTIONS.isSyncNowEnabled, "false"],
      [RIBBON_FUNCTIONS.isOpenInPartnerCenterEnabled, "false"],
      [RIBBON_FUNCTIONS.isAnswerReferralEnabled, "false"],
      [RIBBON_FUNCTIONS.isStopSyncingEnabled, "false"],
    ]);
  });

  it("labels every button in English and Italian", () => {
    const labels = root.LocLabels[0].LocLabel as Record<string, unknown>[];
    const sync = labels.find((l) => l["@_Id"] === "pcc.opportunity.Form.SyncNow.LabelText") as Record<string, Record<string, Record<string, string>[]>[]>;
    expect(sync.Titles[0].Title.map((t) => [t["@_languagecode"], t["@_description"]])).toEqual([["1033", "Sync now"], ["1040", "Sincronizza ora"]]);
    expect(labels).toHaveLength((FORM_COMMANDS.length + GRID_COMMANDS.length) * 2);
    for (const label of labels) {
      expect((label as Record<string, Record<string, unknown[]>[]>).Titles[0].Title).toHaveLength(2);
    }
  });
});

describe("co-sell web resource part", () => {
  it("ships the built bundle as a JScript web resource with a fixed id", async () => {
    const bundle = join(work, "cosell.js");
    await writeFile(bundle, "var PartnerCenterCoSell={};");
    const entry = await readCosellWebResource(bundle);
    expect(entry).toMatchObject({ id: COSELL_WEB_RESOURCE_ID, name: WEB_RESOURCE_NAME, webResourceType: 3 });
    expect(String(entry.content)).toBe("var PartnerCenterCoSell={};");
  });

  it("says which command to run when the bundle has not been built", async () => {
    const missing = join(work, "not-built", "cosell.js");
    await expect(readCosellWebResource(missing)).rejects.toThrow(MissingWebResourceBundleError);
    await expect(readCosellWebResource(missing)).rejects.toThrow("run npm run build:webresources");
  });

  it("is registered with the packer, next to the command bar", () => {
    const names = SOLUTION_PARTS.map((factory) => factory.name);
    expect(names).toContain("cosellWebResourcePart");
    expect(names).toContain("cosellRibbonPart");
  });
});
