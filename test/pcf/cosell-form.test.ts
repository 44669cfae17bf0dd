/** The shipped "Opportunity – Co-sell" form: valid FormXml that puts the control on the right column. */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { OpportunityColumns, OpportunityStandardColumns } from "../../entities";
import { BOUND_PROPERTIES, SOLUTION_CONTROL_NAME } from "../../pcf/CoSellSection/ManifestConstants";
import { buildCosellFormXml, cosellForm, COSELL_CONTROL_UNIQUE_ID } from "../../solution/parts/cosell-form.part";
import { FORM_HANDLERS, WEB_RESOURCE_NAME } from "../../webresources/src/public-names";

type Xml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const formXml = buildCosellFormXml();
const form = (new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  isArray: (name) => ["section", "row", "cell", "customControl", "event", "label", "Library"].includes(name),
}).parse(formXml) as Xml).form;

const cells = (form.tabs.tab.columns.column.sections.section as Xml[]).flatMap((s) => (s.rows.row as Xml[]).flatMap((r) => r.cell as Xml[]));

/** Microsoft's XSDs (9.0.0.2090) in ../shared beside the repository, as CI checks it out. */
const SHARED_SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/schemas/dataverse-9.0.0.2090");
const schemas = mkdtempSync(join(tmpdir(), "pcc-formxsd-"));
afterAll(() => rmSync(schemas, { recursive: true, force: true }));

describe("Opportunity – Co-sell form", () => {
  it("validates against Microsoft's FormXml.xsd", async () => {
    // The same local patches as ../shared/tools/validate-solution: the XSDs use .NET-only regex syntax.
    cpSync(SHARED_SCHEMAS, schemas, { recursive: true });
    for (const file of readdirSync(schemas).filter((f) => f.endsWith(".xsd"))) {
      let text = readFileSync(join(schemas, file), "utf8").replace(/(pattern value *= *")\^([^"]*)\$"/g, "$1$2\"");
      if (file === "FormXml.xsd") text = text.replace("(\\$webresource:|/)(.)+", "($webresource:|/)(.)+").replace("(?![cC][rR][mM]_)", "");
      writeFileSync(join(schemas, file), text);
    }
    writeFileSync(join(schemas, "form.xml"), formXml);
    const { stderr } = await promisify(execFile)("xmllint", ["--noout", "--schema", join(schemas, "FormXml.xsd"), join(schemas, "form.xml")]);
    expect(stderr).toContain("validates");
  });

  it("is named in English and Italian and has a fixed id", () => {
    const entry = cosellForm();
    expect(entry.names).toEqual({ 1033: "Opportunity – Co-sell", 1040: "Opportunità – Co-sell" });
    expect(entry.id).toBe("{eb124f35-6378-47f2-8040-a1b043ef50af}");
  });

  it("shows name, customer, account, contact, currency, estimated value, close date and description with standard controls", () => {
    const standard = cells.map((c) => c.control.datafieldname).filter((name: string) => !name.startsWith("pcc_"));
    expect(standard).toEqual([
      OpportunityStandardColumns.name,
      OpportunityStandardColumns.customer,
      // Set by the sync service on opportunities it creates for incoming referrals.
      OpportunityStandardColumns.parentAccount,
      // The OnSave co-sell check wants a customer contact when help is asked for.
      OpportunityStandardColumns.parentContact,
      // The OnSave co-sell check reads the currency from the form.
      OpportunityStandardColumns.transactionCurrency,
      OpportunityStandardColumns.estimatedValue,
      OpportunityStandardColumns.estimatedCloseDate,
      OpportunityStandardColumns.description,
    ]);
  });

  it("puts the PCF control on pcc_syncwithpartnercenter for web, tablet and phone, binding every pcc_ column", () => {
    const cosellCell = cells.find((c) => c.control.uniqueid === COSELL_CONTROL_UNIQUE_ID);
    expect(cosellCell?.control.datafieldname).toBe(OpportunityColumns.syncWithPartnerCenter);
    const description = form.controlDescriptions.controlDescription;
    expect(description.forControl).toBe(COSELL_CONTROL_UNIQUE_ID);
    const [fallback, ...pcf] = description.customControl as Xml[];
    expect(fallback.parameters.datafieldname).toBe(OpportunityColumns.syncWithPartnerCenter);
    expect(pcf.map((c) => [c.formFactor, c.name])).toEqual(["0", "1", "2"].map((f) => [f, SOLUTION_CONTROL_NAME]));
    for (const control of pcf) {
      const bound = Object.entries(control.parameters as Record<string, Xml>).map(([property, value]) => [property, value["#text"], value.type]);
      expect(bound).toEqual(
        Object.entries(BOUND_PROPERTIES).map(([property, ofType]) => [property, OpportunityColumns[property as keyof typeof OpportunityColumns], ofType]),
      );
    }
  });

  it("registers the web resource and runs onLoad, onSave and the sync switch's onchange handler", () => {
    expect((form.formLibraries.Library as Xml[]).map((l) => l.name)).toEqual([WEB_RESOURCE_NAME]);
    const events = (form.events.event as Xml[]).map((e) => [e.name, e.attribute, e.Handlers.Handler.functionName, e.Handlers.Handler.libraryName]);
    expect(events).toEqual([
      ["onload", undefined, FORM_HANDLERS.onLoad, WEB_RESOURCE_NAME],
      ["onsave", undefined, FORM_HANDLERS.onSave, WEB_RESOURCE_NAME],
      ["onchange", OpportunityColumns.syncWithPartnerCenter, FORM_HANDLERS.onSyncSwitchChange, WEB_RESOURCE_NAME],
    ]);
  });

  it("gives every tab, section, cell and handler its own id, the same on every build", () => {
    const ids = [...formXml.matchAll(/(?:\bid|handlerUniqueId|libraryUniqueId|uniqueid)="(\{[0-9a-f-]{36}\})"/gi)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(10);
    expect(new Set(ids).size).toBe(ids.length);
    expect(buildCosellFormXml()).toBe(formXml);
  });
});
