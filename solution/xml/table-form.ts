/**
 * A plain main form for one of our own tables: sections of standard controls, one column per row,
 * each labelled with the column's display name. The settings form is built this way (and any later
 * admin table's), so the form always lists exactly the columns entities/ defines.
 */
import { createHash } from "node:crypto";
import { create } from "xmlbuilder2";
import { LANGUAGES, type Localized, type TableColumnDefinition } from "../../entities";
import type { FormEntry } from "../solution-part";
import type { XMLBuilder } from "./xml-helpers";

/** Class ids of the platform's standard form controls, by our column types. */
const CONTROL_CLASS_BY_TYPE: Record<TableColumnDefinition["type"], string> = {
  text: "{4273EDBD-AC1D-40d3-9FB2-095C621B552D}",
  memo: "{E0DECE4B-6FC8-4a8f-A065-082708572369}",
  datetime: "{5B773807-9FB2-42db-97C3-7A91EFF8ADFF}",
  boolean: "{67FAC785-CD58-4f9f-ABB3-4B7DDC6ED5ED}",
  choice: "{3EF39988-22BB-4f0b-BBBE-64B5A3748AEE}",
  wholenumber: "{C6D124CA-7EDA-4a60-AEA9-7FB8D318B68F}",
};

export interface TableFormSection {
  name: string;
  label: Localized;
  columns: readonly TableColumnDefinition[];
}

export interface TableFormDefinition {
  /** GUID in braces, stable across builds. */
  id: string;
  names: Localized;
  descriptions: Localized;
  tabLabel: Localized;
  sections: readonly TableFormSection[];
}

/** Ids of tabs, sections and cells derived from the form id: stable across builds without a table of GUIDs. */
function stableGuid(formId: string, name: string): string {
  const hash = createHash("sha1").update(`${formId}/${name}`).digest("hex");
  const variant = ((parseInt(hash.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `{${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-${variant}${hash.slice(17, 20)}-${hash.slice(20, 32)}}`;
}

function labels(parent: XMLBuilder, text: Localized): void {
  const container = parent.ele("labels");
  for (const lang of LANGUAGES) container.ele("label", { description: text[lang], languagecode: String(lang) });
}

export function buildTableFormXml(definition: TableFormDefinition): string {
  const form = create().ele("form", { shownavigationbar: "true", showImage: "false", maxWidth: "1920" });
  const tab = form.ele("tabs").ele("tab", { name: "general", id: stableGuid(definition.id, "tab/general"), expanded: "true", showlabel: "true", verticallayout: "true" });
  labels(tab, definition.tabLabel);
  const sections = tab.ele("columns").ele("column", { width: "100%" }).ele("sections");
  for (const section of definition.sections) {
    const element = sections.ele("section", { name: section.name, showlabel: "true", showbar: "false", id: stableGuid(definition.id, `section/${section.name}`), columns: "1" });
    labels(element, section.label);
    const rows = element.ele("rows");
    for (const column of section.columns) {
      const cell = rows.ele("row").ele("cell", { id: stableGuid(definition.id, `cell/${column.logicalName}`), showlabel: "true" });
      labels(cell, column.displayName);
      cell.ele("control", { id: column.logicalName, classid: CONTROL_CLASS_BY_TYPE[column.type], datafieldname: column.logicalName, disabled: column.readOnlyOnForms ? "true" : "false" });
    }
  }
  return form.end({ headless: true, prettyPrint: true });
}

export function tableForm(definition: TableFormDefinition): FormEntry {
  return { id: definition.id, type: "main", names: definition.names, descriptions: definition.descriptions, formXml: buildTableFormXml(definition) };
}
