/**
 * The co-sell field mapping table (entities/cosell-mapping.ts) as a custom <Entity>, with its main
 * form (the mapping, the backend's verdict, and "test on an opportunity") and its default view (every
 * active row with its verdict), so an admin reads and edits the mapping in Dynamics 365.
 */
import { createHash } from "node:crypto";
import { create } from "xmlbuilder2";
import {
  COSELL_MAPPING_COLUMNS,
  COSELL_MAPPING_NAME_COLUMN,
  CoSellMappingColumns as C,
  CoSellMappingTable as T,
  LANGUAGES,
  type Localized,
  type TableColumnDefinition,
} from "../../entities";
import { writeSystemForm } from "./customizations-xml";
import { writeCustomEntity } from "./custom-entity";
import { writeSavedQuery, type ViewDefinition } from "./views";
import type { XMLBuilder } from "./xml-helpers";

/** Stable across builds: Dataverse matches the form and the view by these ids on every upgrade. */
export const MAPPING_FORM_ID = "{3c0d6a52-8e1b-4f7a-9c2d-5e4b7a1f0c31}";
export const MAPPING_VIEW_ID = "{3c0d6a52-8e1b-4f7a-9c2d-5e4b7a1f0c32}";

const FORM_NAMES: Localized = { 1033: "Co-sell field mapping", 1040: "Mapping campi co-sell" };

/** Class ids of the platform's standard form controls. */
const CONTROL_CLASS = {
  text: "{4273EDBD-AC1D-40d3-9FB2-095C621B552D}",
  memo: "{E0DECE4B-6FC8-4a8f-A065-082708572369}",
  dateTime: "{5B773807-9FB2-42db-97C3-7A91EFF8ADFF}",
  optionSet: "{3EF39988-22BB-4f0b-BBBE-64B5A3748AEE}",
} as const;

function stableGuid(name: string): string {
  const hash = createHash("sha1").update(`${MAPPING_FORM_ID}/${name}`).digest("hex");
  const variant = ((parseInt(hash.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `{${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-${variant}${hash.slice(17, 20)}-${hash.slice(20, 32)}}`;
}

function labels(parent: XMLBuilder, text: Localized): void {
  const container = parent.ele("labels");
  for (const lang of LANGUAGES) container.ele("label", { description: text[lang], languagecode: String(lang) });
}

const ALL_COLUMNS: readonly TableColumnDefinition[] = [COSELL_MAPPING_NAME_COLUMN, ...COSELL_MAPPING_COLUMNS];
const column = (name: string): TableColumnDefinition => ALL_COLUMNS.find((c) => c.logicalName === name)!;

const CLASS_BY_TYPE: Record<TableColumnDefinition["type"], string> = {
  text: CONTROL_CLASS.text,
  memo: CONTROL_CLASS.memo,
  datetime: CONTROL_CLASS.dateTime,
  choice: CONTROL_CLASS.optionSet,
  boolean: CONTROL_CLASS.optionSet,
  wholenumber: CONTROL_CLASS.text,
};

/** The form's sections, top to bottom; the backend's columns are locked. */
export const MAPPING_FORM_SECTIONS: readonly { name: string; label: Localized; columns: readonly string[] }[] = [
  { name: "mapping", label: { 1033: "Mapping", 1040: "Mapping" }, columns: [C.name, C.partnerCenterField, C.dataverseColumn, C.direction, C.valueMap] },
  { name: "verdict", label: { 1033: "Verdict of the sync service", 1040: "Esito del servizio di sincronizzazione" }, columns: [C.verdict, C.verdictOn] },
  { name: "test", label: { 1033: "Test on an opportunity", 1040: "Prova su un'opportunità" }, columns: [C.testOpportunity, C.testPreview, C.testedOn] },
];

export function buildMappingFormXml(): string {
  const form = create().ele("form", { shownavigationbar: "true", showImage: "false", maxWidth: "1920" });
  const tab = form.ele("tabs").ele("tab", { name: "general", id: stableGuid("tab/general"), expanded: "true", showlabel: "true", verticallayout: "true" });
  labels(tab, { 1033: "General", 1040: "Generale" });
  const sections = tab.ele("columns").ele("column", { width: "100%" }).ele("sections");
  for (const spec of MAPPING_FORM_SECTIONS) {
    const section = sections.ele("section", { name: spec.name, showlabel: "true", showbar: "false", id: stableGuid(`section/${spec.name}`), columns: "1" });
    labels(section, spec.label);
    const rows = section.ele("rows");
    for (const name of spec.columns) {
      const definition = column(name);
      const cell = rows.ele("row").ele("cell", { id: stableGuid(`cell/${name}`), showlabel: "true" });
      labels(cell, definition.displayName);
      cell.ele("control", { id: name, classid: CLASS_BY_TYPE[definition.type], datafieldname: name, disabled: definition.readOnlyOnForms ? "true" : "false" });
    }
  }
  return form.end({ headless: true, prettyPrint: true });
}

/** The default view: every active mapping row with the sync service's verdict. */
const MAPPING_VIEW: ViewDefinition = {
  id: MAPPING_VIEW_ID,
  names: { 1033: "Active co-sell field mappings", 1040: "Mapping campi co-sell attivi" },
  descriptions: {
    1033: "Every active mapping row with the sync service's verdict.",
    1040: "Tutte le righe di mapping attive con l'esito del servizio di sincronizzazione.",
  },
  columns: [
    { name: C.name, width: 200 }, { name: C.partnerCenterField, width: 160 }, { name: C.dataverseColumn, width: 180 },
    { name: C.direction, width: 150 }, { name: C.verdict, width: 400 }, { name: C.verdictOn, width: 150 },
  ],
  conditions: [{ attribute: "statecode", operator: "eq", values: [0] }],
  orderBy: { attribute: C.partnerCenterField, descending: false },
  table: { logicalName: T.logicalName, primaryId: T.primaryId, nameColumn: C.name },
  isDefault: true,
};

/** The default view as a <savedquery> under `savedQueries`. */
export function writeMappingView(savedQueries: XMLBuilder, introducedVersion: string): void {
  writeSavedQuery(savedQueries, MAPPING_VIEW, introducedVersion);
}

/** The main form as a <systemform> under `forms` (<forms type="main">). */
export function writeMappingForm(forms: XMLBuilder, introducedVersion: string): void {
  writeSystemForm(forms, { id: MAPPING_FORM_ID, type: "main", names: FORM_NAMES, formXml: buildMappingFormXml() }, introducedVersion);
}

/** The table and its columns only (pac's Entity.xml); the form and view are written apart there. */
export function writeMappingTable(entities: XMLBuilder, introducedVersion: string): XMLBuilder {
  return writeCustomEntity(entities, { table: T, nameColumn: COSELL_MAPPING_NAME_COLUMN, columns: COSELL_MAPPING_COLUMNS }, introducedVersion).entity;
}

/** The whole <Entity> of customizations.xml: table, columns, main form and default view. */
export function writeMappingEntity(entities: XMLBuilder, introducedVersion: string): void {
  const entity = writeMappingTable(entities, introducedVersion);
  writeMappingForm(entity.ele("FormXml").ele("forms", { type: "main" }), introducedVersion);
  writeMappingView(entity.ele("SavedQueries").ele("savedqueries"), introducedVersion);
}
