/**
 * Builds customizations.xml: the opportunity columns from entities/, our tables (settings, field mapping, heartbeat), the views,
 * the security role, the Co-sell app (app module and site map),
 * and whatever the solution parts add (forms, ribbon, web resources, PCF controls). Root children
 * follow the xs:sequence order of CustomizationsSolution.xsd, which Dataverse enforces on import.
 */
import { LANGUAGES, type ColumnDefinition } from "../../entities";
import type { CustomControlEntry, FormEntry, WebResourceEntry } from "../solution-part";
import { writeAttribute } from "./attribute-xml";
import { writeSecurityRole } from "./security-role";
import { writeAppModules, writeAppModuleSiteMaps } from "./app-module";
import { writeHeartbeatEntity } from "./heartbeat-entity";
import { writeMappingEntity } from "./mapping-entity";
import { writeSettingsEntity } from "./settings-entity";
import { OPPORTUNITY_VIEWS, writeSavedQuery } from "./views";
import { importFragment, localizedList, newDocument, serialize, textElement, type XMLBuilder } from "./xml-helpers";

export interface CustomizationsInput {
  version: string;
  columns: readonly ColumnDefinition[];
  forms: readonly FormEntry[];
  ribbonDiffXml: string | null;
  webResources: readonly WebResourceEntry[];
  customControls: readonly CustomControlEntry[];
}

/** Path of a web resource's content inside the zip; FileName must point at it. */
export function webResourceFilePath(resource: WebResourceEntry): string {
  return `/WebResources/${resource.name}`;
}

/** Path of a PCF control's compiled manifest inside the zip. */
export function customControlManifestPath(control: CustomControlEntry): string {
  return `/Controls/${control.name}/ControlManifest.xml`;
}

/** An empty ribbon diff: the shape Dataverse exports for a table whose command bar we do not change. */
const EMPTY_RIBBON_DIFF_XML =
  "<RibbonDiffXml><CustomActions/><Templates><RibbonTemplates Id=\"Mscrm.Templates\"/></Templates>" +
  "<CommandDefinitions/><RuleDefinitions><TabDisplayRules/><DisplayRules/><EnableRules/></RuleDefinitions>" +
  "<LocLabels/></RibbonDiffXml>";

/** The opportunity <Entity> with its name and our columns (pac's Entity.xml holds exactly this). */
export function writeOpportunityEntityShell(parent: XMLBuilder, input: CustomizationsInput): XMLBuilder {
  const entity = parent.ele("Entity");
  // Opportunity is a system table: we ship it "shell only" with just our columns, so the
  // org's own columns, forms and views stay as they are.
  entity.ele("Name", { LocalizedName: "Opportunity", OriginalName: "Opportunity" }).txt("Opportunity");
  const info = entity.ele("EntityInfo").ele("entity", { Name: "Opportunity" });
  localizedList(info, "LocalizedNames", "LocalizedName", { 1033: "Opportunity", 1040: "Opportunità" });
  const attributes = info.ele("attributes");
  for (const column of input.columns) writeAttribute(attributes, column, input.version);
  return entity;
}

function writeOpportunityEntity(entities: XMLBuilder, input: CustomizationsInput): void {
  const entity = writeOpportunityEntityShell(entities, input);
  if (input.forms.length > 0) {
    const forms = entity.ele("FormXml").ele("forms", { type: "main" });
    for (const form of input.forms) writeSystemForm(forms, form, input.version);
  }
  const savedQueries = entity.ele("SavedQueries").ele("savedqueries");
  for (const view of OPPORTUNITY_VIEWS) writeSavedQuery(savedQueries, view, input.version);
  importFragment(entity, ribbonDiffXmlOf(input));
}

export function ribbonDiffXmlOf(input: CustomizationsInput): string {
  return input.ribbonDiffXml ?? EMPTY_RIBBON_DIFF_XML;
}

export function writeSystemForm(forms: XMLBuilder, form: FormEntry, version: string): void {
  const systemForm = forms.ele("systemform");
  textElement(systemForm, "formid", form.id);
  textElement(systemForm, "IntroducedVersion", version);
  textElement(systemForm, "FormPresentation", 1);
  textElement(systemForm, "FormActivationState", 1);
  importFragment(systemForm, form.formXml);
  textElement(systemForm, "IsCustomizable", 1);
  textElement(systemForm, "CanBeDeleted", 1);
  const names = systemForm.ele("LocalizedNames");
  for (const [lang, name] of Object.entries(form.names)) names.ele("LocalizedName", { description: name, languagecode: lang });
  if (form.descriptions) {
    const descriptions = systemForm.ele("Descriptions");
    for (const [lang, text] of Object.entries(form.descriptions)) descriptions.ele("Description", { description: text, languagecode: lang });
  }
}

export function writeWebResource(parent: XMLBuilder, resource: WebResourceEntry, version: string): void {
  const element = parent.ele("WebResource");
  textElement(element, "WebResourceId", resource.id);
  textElement(element, "Name", resource.name);
  textElement(element, "DisplayName", resource.displayName);
  if (resource.description) textElement(element, "Description", resource.description);
  textElement(element, "WebResourceType", resource.webResourceType);
  textElement(element, "IntroducedVersion", version);
  textElement(element, "IsEnabledForMobileClient", 1);
  textElement(element, "IsAvailableForMobileOffline", 1);
  textElement(element, "IsCustomizable", 1);
  textElement(element, "CanBeDeleted", 1);
  textElement(element, "IsHidden", 0);
  textElement(element, "FileName", webResourceFilePath(resource));
}

export function buildCustomizationsXml(input: CustomizationsInput): string {
  const root = newDocument().ele("ImportExportXml", { "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance" });
  const entities = root.ele("Entities");
  writeOpportunityEntity(entities, input);
  writeSettingsEntity(entities, input.version);
  writeMappingEntity(entities, input.version);
  writeHeartbeatEntity(entities, input.version);
  writeSecurityRole(root.ele("Roles"), input.version);
  root.ele("Workflows");
  root.ele("FieldSecurityProfiles");
  root.ele("Templates");
  root.ele("EntityMaps");
  root.ele("EntityRelationships");
  root.ele("OrganizationSettings");
  root.ele("optionsets");
  if (input.webResources.length > 0) {
    const webResources = root.ele("WebResources");
    for (const resource of input.webResources) writeWebResource(webResources, resource, input.version);
  }
  if (input.customControls.length > 0) {
    const controls = root.ele("CustomControls");
    for (const control of input.customControls) {
      const element = controls.ele("CustomControl");
      textElement(element, "Name", control.name);
      textElement(element, "FileName", customControlManifestPath(control));
    }
  }
  writeAppModuleSiteMaps(root, input.version);
  writeAppModules(root, input.version);
  const languages = root.ele("Languages");
  for (const lang of LANGUAGES) textElement(languages, "Language", lang);
  return serialize(root.doc());
}
