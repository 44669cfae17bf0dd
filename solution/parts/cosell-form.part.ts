/**
 * The shipped main form "Opportunity – Co-sell": a General tab with the standard deal fields and
 * the Co-sell section, whose one cell puts the PCF control on pcc_syncwithpartnercenter and binds
 * every other pcc_ column to the control's properties. A separate form (own formid) rather than a
 * section in the stock form: in an unmanaged solution a systemform carries the whole form and
 * would replace the org's own opportunity form on import.
 */
import { createHash } from "node:crypto";
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import { LANGUAGES, OpportunityColumns, OpportunityStandardColumns, opportunityColumn, type Localized } from "../../entities";
import {
  boundColumn,
  BOUND_PROPERTIES,
  MANIFEST_PROPERTY_NAMES,
  PRIMARY_PROPERTY,
  SOLUTION_CONTROL_NAME,
} from "../../pcf/CoSellSection/ManifestConstants";
import { FORM_HANDLERS, WEB_RESOURCE_NAME } from "../../webresources/src/public-names";
import type { FormEntry, SolutionPartFactory } from "../solution-part";

/** Stable across builds: Dataverse matches the form by this id on every upgrade. */
export const COSELL_FORM_ID = "{eb124f35-6378-47f2-8040-a1b043ef50af}";

export const COSELL_FORM_NAMES: Localized = { 1033: "Opportunity – Co-sell", 1040: "Opportunità – Co-sell" };
const COSELL_FORM_DESCRIPTIONS: Localized = {
  1033: "Opportunity form with the Partner Center co-sell section.",
  1040: "Modulo opportunità con la sezione co-sell di Partner Center.",
};

/** Class ids of the platform's standard form controls. */
export const CONTROL_CLASS = {
  text: "{4273EDBD-AC1D-40d3-9FB2-095C621B552D}",
  memo: "{E0DECE4B-6FC8-4a8f-A065-082708572369}",
  money: "{533B9E00-756B-4312-95A0-DC888637AC78}",
  dateTime: "{5B773807-9FB2-42db-97C3-7A91EFF8ADFF}",
  lookup: "{270BD3DB-D9AF-4782-9025-509E298DEC0A}",
  twoOptions: "{67FAC785-CD58-4f9f-ABB3-4B7DDC6ED5ED}",
  optionSet: "{3EF39988-22BB-4f0b-BBBE-64B5A3748AEE}",
} as const;

/** Web, tablet and phone: the section is laid out to work on all three. */
const FORM_FACTORS = [0, 1, 2] as const;

/**
 * Ids of tabs, sections, cells, the library and handlers, derived from the form id and a name:
 * stable across builds (Dataverse merges form customizations by them) without a table of GUIDs.
 */
export function stableGuid(name: string): string {
  const hash = createHash("sha1").update(`${COSELL_FORM_ID}/${name}`).digest("hex");
  const variant = ((parseInt(hash.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `{${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-${variant}${hash.slice(17, 20)}-${hash.slice(20, 32)}}`;
}

function labels(parent: XMLBuilder, text: Localized): void {
  const container = parent.ele("labels");
  for (const lang of LANGUAGES) container.ele("label", { description: text[lang], languagecode: String(lang) });
}

interface StandardField {
  column: string;
  classId: string;
  label: Localized;
}

const STANDARD_FIELDS: readonly StandardField[] = [
  { column: OpportunityStandardColumns.name, classId: CONTROL_CLASS.text, label: { 1033: "Topic", 1040: "Argomento" } },
  { column: OpportunityStandardColumns.customer, classId: CONTROL_CLASS.lookup, label: { 1033: "Potential Customer", 1040: "Cliente potenziale" } },
  // What the sync service sets on an opportunity it creates for an incoming referral.
  { column: OpportunityStandardColumns.parentAccount, classId: CONTROL_CLASS.lookup, label: { 1033: "Account", 1040: "Account" } },
  // The OnSave co-sell check wants a customer contact when Microsoft's help is asked for.
  { column: OpportunityStandardColumns.parentContact, classId: CONTROL_CLASS.lookup, label: { 1033: "Contact", 1040: "Contatto" } },
  { column: OpportunityStandardColumns.transactionCurrency, classId: CONTROL_CLASS.lookup, label: { 1033: "Currency", 1040: "Valuta" } },
  { column: OpportunityStandardColumns.estimatedValue, classId: CONTROL_CLASS.money, label: { 1033: "Est. Revenue", 1040: "Ricavi stimati" } },
  { column: OpportunityStandardColumns.estimatedCloseDate, classId: CONTROL_CLASS.dateTime, label: { 1033: "Est. Close Date", 1040: "Data di chiusura stimata" } },
  { column: OpportunityStandardColumns.description, classId: CONTROL_CLASS.memo, label: { 1033: "Description", 1040: "Descrizione" } },
];

/** Partner Center's co-sell fields a seller fills in (cosell-taxonomy.ts), as plain choice fields under the section. */
const COSELL_DETAIL_COLUMNS = [
  OpportunityColumns.customerMarketplaceIntent,
  OpportunityColumns.partnerRole,
  OpportunityColumns.solutionArea,
  OpportunityColumns.solutionPlay,
] as const;

/** uniqueid of the cell control the PCF control replaces; controlDescription points at it. */
export const COSELL_CONTROL_UNIQUE_ID = stableGuid("control/cosell");

function section(sections: XMLBuilder, name: string, label: Localized): XMLBuilder {
  const element = sections.ele("section", { name, showlabel: "true", showbar: "false", id: stableGuid(`section/${name}`), columns: "1" });
  labels(element, label);
  return element.ele("rows");
}

function writeTabs(form: XMLBuilder): void {
  const tab = form.ele("tabs").ele("tab", { name: "general", id: stableGuid("tab/general"), expanded: "true", showlabel: "true", verticallayout: "true" });
  labels(tab, { 1033: "General", 1040: "Generale" });
  const sections = tab.ele("columns").ele("column", { width: "100%" }).ele("sections");

  const summary = section(sections, "opportunity_summary", { 1033: "Opportunity", 1040: "Opportunità" });
  for (const field of STANDARD_FIELDS) {
    const cell = summary.ele("row").ele("cell", { id: stableGuid(`cell/${field.column}`), showlabel: "true" });
    labels(cell, field.label);
    cell.ele("control", { id: field.column, classid: field.classId, datafieldname: field.column, disabled: "false" });
  }

  const cosell = section(sections, "cosell", { 1033: "Co-sell with Microsoft", 1040: "Co-sell con Microsoft" });
  const primary = boundColumn(PRIMARY_PROPERTY);
  // The control draws its own labels, so the cell's label is hidden (still read by the form editor).
  const cell = cosell.ele("row").ele("cell", { id: stableGuid("cell/cosell"), showlabel: "false" });
  labels(cell, opportunityColumn(primary).displayName);
  cell.ele("control", {
    id: primary,
    classid: CONTROL_CLASS.twoOptions,
    datafieldname: primary,
    disabled: "false",
    uniqueid: COSELL_CONTROL_UNIQUE_ID,
  });

  const details = section(sections, "cosell_details", { 1033: "Co-sell details for Partner Center", 1040: "Dettagli co-sell per Partner Center" });
  for (const column of COSELL_DETAIL_COLUMNS) {
    const detail = details.ele("row").ele("cell", { id: stableGuid(`cell/${column}`), showlabel: "true" });
    labels(detail, opportunityColumn(column).displayName);
    detail.ele("control", { id: column, classid: CONTROL_CLASS.optionSet, datafieldname: column, disabled: "false" });
  }
}

function writeControlDescription(form: XMLBuilder): void {
  const description = form.ele("controlDescriptions").ele("controlDescription", { forControl: COSELL_CONTROL_UNIQUE_ID });
  // The first customControl is the platform control the PCF control stands in for (the fallback).
  description.ele("customControl", { id: CONTROL_CLASS.twoOptions }).ele("parameters").ele("datafieldname").txt(boundColumn(PRIMARY_PROPERTY));
  for (const formFactor of FORM_FACTORS) {
    const parameters = description.ele("customControl", { formFactor: String(formFactor), name: SOLUTION_CONTROL_NAME }).ele("parameters");
    for (const property of MANIFEST_PROPERTY_NAMES) {
      parameters.ele(property, { type: BOUND_PROPERTIES[property] }).txt(boundColumn(property));
    }
  }
}

function handler(parent: XMLBuilder, functionName: string): void {
  parent.ele("Handlers").ele("Handler", {
    functionName,
    libraryName: WEB_RESOURCE_NAME,
    handlerUniqueId: stableGuid(`handler/${functionName}`),
    enabled: "true",
    parameters: "",
    passExecutionContext: "true",
  });
}

function writeScripts(form: XMLBuilder): void {
  form.ele("formLibraries").ele("Library", { name: WEB_RESOURCE_NAME, libraryUniqueId: stableGuid(`library/${WEB_RESOURCE_NAME}`) });
  const events = form.ele("events");
  handler(events.ele("event", { name: "onload", application: "false", active: "false" }), FORM_HANDLERS.onLoad);
  handler(events.ele("event", { name: "onsave", application: "false", active: "false" }), FORM_HANDLERS.onSave);
  handler(
    events.ele("event", { name: "onchange", application: "false", active: "false", attribute: OpportunityColumns.syncWithPartnerCenter }),
    FORM_HANDLERS.onSyncSwitchChange,
  );
}

/** The <form> element (FormXml.xsd) of the shipped form. */
export function buildCosellFormXml(): string {
  const form = create().ele("form", { shownavigationbar: "true", showImage: "false", maxWidth: "1920" });
  writeTabs(form);
  writeControlDescription(form);
  writeScripts(form);
  return form.end({ headless: true, prettyPrint: true });
}

export function cosellForm(): FormEntry {
  return { id: COSELL_FORM_ID, type: "main", names: COSELL_FORM_NAMES, descriptions: COSELL_FORM_DESCRIPTIONS, formXml: buildCosellFormXml() };
}

export const cosellFormPart: SolutionPartFactory = async () => ({ name: "co-sell form", opportunityForms: [cosellForm()] });
