/**
 * What the form page reads out of the built solution zip (no browser): the shipped form with the PCF
 * control bound through controlDescriptions, the form's handlers, the command bar, and the fallbacks
 * when a piece is not in the zip.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import JSZip from "jszip";
import { beforeAll, describe, expect, it } from "vitest";
import { OpportunityColumns } from "../../entities/opportunity-columns";
import { defaultSolutionZip } from "../../sandbox/form-page/form-page-server";
import type { FormCell, PageModel } from "../../sandbox/form-page/page-model";
import { readSolution } from "../../sandbox/form-page/solution-reader";
import { FORM_HANDLERS, RIBBON_FUNCTIONS, WEB_RESOURCE_NAME } from "../../webresources/src/public-names";

const pcfOutDir = join(import.meta.dirname, "..", "..", "pcf", "out", "controls");
let zip: Buffer;

const cells = (model: PageModel): FormCell[] => model.form?.tabs.flatMap((tab) => tab.sections.flatMap((section) => section.rows.flat())) ?? [];

async function withoutEntries(pattern: RegExp): Promise<Buffer> {
  const archive = await JSZip.loadAsync(zip);
  for (const name of Object.keys(archive.files)) if (pattern.test(name)) archive.remove(name);
  return archive.generateAsync({ type: "nodebuffer" });
}

beforeAll(async () => {
  zip = await readFile(await defaultSolutionZip());
});

describe("reading the built solution for the form page", () => {
  it("finds the co-sell cell, its code component and every bound column", async () => {
    const { model, files } = await readSolution({ zip, zipSource: "built.zip", pcfOutDir });
    const cosell = cells(model).filter((cell) => cell.customControl);
    expect(cosell).toHaveLength(1);
    const binding = cosell[0]!.customControl!;
    expect(cosell[0]!.control?.dataField).toBe(OpportunityColumns.syncWithPartnerCenter);

    const control = model.controls[binding.name];
    expect(control?.controlType).toBe("virtual");
    expect(control?.source).toContain("built.zip");
    expect(files.get(control!.bundleUrl)?.content.toString("utf8")).toContain(`registerControl('${control!.registeredName}'`);
    // Every manifest property is bound, to one of our columns, and labels exist in both languages.
    const columns = new Set<string>(Object.values(OpportunityColumns));
    for (const property of control!.properties) {
      const parameter = binding.parameters[property.name];
      expect(parameter?.kind === "bound" && columns.has(parameter.column), property.name).toBe(true);
    }
    expect(control!.strings["1040"]?.["Section_Title"]).toBe("Co-sell con Microsoft");
  });

  it("lists the form library and the OnLoad, OnSave and switch OnChange handlers", async () => {
    const { model, files } = await readSolution({ zip, zipSource: "built.zip", pcfOutDir });
    expect(model.form?.libraries).toEqual([WEB_RESOURCE_NAME]);
    expect(files.has(model.webResources[WEB_RESOURCE_NAME]!)).toBe(true);
    const handlers = model.form!.events.map((event) => [event.name, event.attribute, event.handlers.map((h) => h.functionName)]);
    expect(handlers).toEqual(expect.arrayContaining([
      ["onload", null, [FORM_HANDLERS.onLoad]],
      ["onsave", null, [FORM_HANDLERS.onSave]],
      ["onchange", OpportunityColumns.syncWithPartnerCenter, [FORM_HANDLERS.onSyncSwitchChange]],
    ]));
  });

  it("reads the command bar: localized labels, custom enable rules with PrimaryControl, grid selection", async () => {
    const { model } = await readSolution({ zip, zipSource: "built.zip", pcfOutDir });
    const syncNow = model.ribbon.find((button) => button.actions.some((action) => action.functionName === RIBBON_FUNCTIONS.syncNow));
    expect(syncNow?.surface).toBe("form");
    expect(syncNow?.labels).toEqual({ "1033": "Sync now", "1040": "Sincronizza ora" });
    expect(syncNow?.enableRules.flatMap((rule) => rule.checks)).toContainEqual({
      kind: "custom", defaultValue: false, invertResult: false,
      call: { functionName: RIBBON_FUNCTIONS.isSyncNowEnabled, library: WEB_RESOURCE_NAME, parameters: [{ kind: "crm", value: "PrimaryControl" }] },
    });
    const syncSelected = model.ribbon.find((button) => button.actions.some((action) => action.functionName === RIBBON_FUNCTIONS.syncSelected));
    expect(syncSelected?.surface).toBe("grid");
    expect(syncSelected?.actions[0]?.parameters).toEqual([{ kind: "crm", value: "SelectedControlSelectedItemIds" }, { kind: "crm", value: "SelectedControl" }]);
  });

  it("takes the control from the PCF build output when the zip does not carry it", async () => {
    const { model } = await readSolution({ zip: await withoutEntries(/^Controls\//), zipSource: "built.zip", pcfOutDir });
    const [control] = Object.values(model.controls);
    expect(control?.source).toContain(join("pcf", "out", "controls"));
    expect(model.controlProblems).toEqual({});
  });

  it("says what to do when the zip has no form or the control is nowhere", async () => {
    const archive = await JSZip.loadAsync(zip);
    const customizations = await archive.file("customizations.xml")!.async("string");
    archive.file("customizations.xml", customizations.replace(/<FormXml>[\s\S]*?<\/FormXml>/, ""));
    const noForm = await readSolution({ zip: await archive.generateAsync({ type: "nodebuffer" }), zipSource: "old.zip", pcfOutDir });
    expect(noForm.model.form).toBeNull();
    expect(noForm.model.formProblem).toContain("npm run build:solution");
    expect(noForm.model.ribbon.length).toBeGreaterThan(0);

    const noControl = await readSolution({ zip: await withoutEntries(/^Controls\//), zipSource: "built.zip", pcfOutDir: join(pcfOutDir, "missing") });
    expect(Object.values(noControl.model.controlProblems)[0]).toContain("npm run build:pcf");
  });
});
