/**
 * The generated manifest and resx files against entities/: one bound property per pcc_ column,
 * each with the of-type Dataverse needs to offer the control on that column, and every text the
 * manifest names present in both languages.
 */
import { existsSync, readFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { LANGUAGES, OPPORTUNITY_COLUMNS, OpportunityColumns, type ColumnDefinition } from "../../entities";
import { CONTROL_OUTPUT_DIR } from "../../pcf/CoSellSection/ManifestConstants";
import { ofTypeFor, renderManifest } from "../../pcf/scripts/generate-manifest";
import { resx } from "./support/mock-context";

type Xml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Written out here, not imported, so the test checks the generator rather than repeating it. */
function expectedOfType(column: ColumnDefinition): string {
  if (column.type === "boolean") return "TwoOptions";
  if (column.type === "choice") return "OptionSet";
  if (column.type === "memo") return "Multiple";
  if (column.type === "datetime") return "DateAndTime.DateAndTime";
  return column.format === "url" ? "SingleLine.URL" : "SingleLine.Text";
}

function parseManifest(xml: string): Xml {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (name) => ["property", "platform-library", "resx"].includes(name) });
  return (parser.parse(xml) as Xml).manifest.control;
}

const control = parseManifest(renderManifest());
const properties = control.property as Xml[];

describe("ControlManifest.Input.xml", () => {
  it("declares one virtual control PartnerCenterCoSell.CoSellSection using the platform's React 16.14 and Fluent 8.29", () => {
    expect([control["@_namespace"], control["@_constructor"], control["@_control-type"]]).toEqual(["PartnerCenterCoSell", "CoSellSection", "virtual"]);
    expect(control.resources["platform-library"]).toEqual([{ "@_name": "React", "@_version": "16.14.0" }, { "@_name": "Fluent", "@_version": "8.29.0" }]);
  });

  it("binds every pcc_ column exactly once, with the of-type of the column's type in entities/", () => {
    const bound = properties.map((p) => {
      expect(p["@_usage"], p["@_name"]).toBe("bound");
      return [OpportunityColumns[p["@_name"] as keyof typeof OpportunityColumns], p["@_of-type"]];
    });
    const expected = OPPORTUNITY_COLUMNS.map((column) => [column.logicalName, expectedOfType(column)]);
    expect(bound.sort()).toEqual(expected.sort());
  });

  it("makes pcc_syncwithpartnercenter the one required property (the column the control is placed on)", () => {
    const required = properties.filter((p) => p["@_required"] === "true").map((p) => OpportunityColumns[p["@_name"] as keyof typeof OpportunityColumns]);
    expect(required).toEqual([OpportunityColumns.syncWithPartnerCenter]);
  });

  it("has every display name and description it names in English and Italian", () => {
    const keys = [control["@_display-name-key"], control["@_description-key"], ...properties.flatMap((p) => [p["@_display-name-key"], p["@_description-key"]])];
    expect((control.resources.resx as Xml[]).map((r) => r["@_path"])).toEqual(LANGUAGES.map((lcid) => `strings/CoSellSection.${lcid}.resx`));
    for (const lcid of LANGUAGES) {
      for (const key of keys) expect(resx(lcid).get(key)?.trim(), `${key} (${lcid})`).toBeTruthy();
    }
  });

  it("has the same keys in both resx files", () => {
    expect([...resx(1040).keys()].sort()).toEqual([...resx(1033).keys()].sort());
    for (const [key, text] of resx(1040)) expect(text.trim(), key).not.toBe("");
  });

  it("refuses a column type it has no of-type for, instead of guessing", () => {
    const email = { ...OPPORTUNITY_COLUMNS[1], type: "text", format: "email" } as ColumnDefinition;
    expect(() => ofTypeFor(email)).toThrow(/no manifest type for text format "email"/);
  });

  const built = new URL(`../../pcf/${CONTROL_OUTPUT_DIR}/ControlManifest.xml`, import.meta.url);
  it.skipIf(!existsSync(built))("was built from the current entities/ (the compiled manifest has the same properties)", () => {
    const compiled = parseManifest(readFileSync(built, "utf8"));
    expect(compiled.property).toEqual(properties);
  });
});
