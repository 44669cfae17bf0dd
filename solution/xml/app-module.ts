/**
 * The model-driven app "Co-sell": its site map (an area for sellers with the co-sell views of
 * opportunities, one for admins with the settings, the field mapping and the Sync health page) and the app module that lists its tables, views and forms. Written as
 * <AppModuleSiteMaps> and <AppModules> of customizations.xml (CustomizationsSolution.xsd,
 * SiteMapType.xsd). The site map is data here so the tests and the app module read the same.
 */
import { CoSellMappingTable, CoSellSettingsTable, LANGUAGES, Tables, type Localized } from "../../entities";
import { HEALTH_PAGE_NAME } from "../../webresources/health/public-names";
import { COSELL_FORM_ID } from "../parts/cosell-form.part";
import { MAPPING_FORM_ID, MAPPING_VIEW_ID } from "./mapping-entity";
import { SETTINGS_FORM_ID } from "./settings-entity";
import { OPPORTUNITY_VIEWS } from "./views";
import { localizedList, textElement, type XMLBuilder } from "./xml-helpers";

export const COSELL_APP = {
  uniqueName: "pcc_CoSell",
  siteMapUniqueName: "pcc_cosell",
  names: { 1033: "Co-sell", 1040: "Co-sell" } satisfies Localized,
  descriptions: {
    1033: "Co-sell with Microsoft from Dynamics 365: shared deals, sync errors, Microsoft's referrals, and the sync service's settings and health.",
    1040: "Co-sell con Microsoft da Dynamics 365: opportunità condivise, errori di sincronizzazione, referral di Microsoft, impostazioni e stato del servizio di sincronizzazione.",
  } satisfies Localized,
  /**
   * The app's tile image: the platform's default app icon web resource, which every org has (an app
   * module must name one; the maker portal picks this one when none is chosen).
   */
  iconWebResourceId: "953b9fac-1e5e-e611-80d6-00155ded156f",
} as const;

/** A site map entry: a table's view, a table (its default view, or its one row for settings), or a web resource page. */
export type SubAreaTarget =
  | { kind: "view"; table: string; viewId: string }
  | { kind: "table"; table: string }
  | { kind: "webresource"; name: string };

export interface SubAreaDefinition {
  id: string;
  titles: Localized;
  target: SubAreaTarget;
}

export interface AreaDefinition {
  id: string;
  titles: Localized;
  groups: { id: string; titles: Localized; subAreas: SubAreaDefinition[] }[];
}

const view = (index: number, id: string): SubAreaDefinition => {
  const definition = OPPORTUNITY_VIEWS[index];
  if (!definition) throw new Error(`The site map names opportunity view ${index}, which views.ts does not define`);
  return { id, titles: definition.names, target: { kind: "view", table: Tables.opportunity.logicalName, viewId: definition.id } };
};

export function cosellSiteMap(): AreaDefinition[] {
  return [
    {
      id: "pcc_area_sellers",
      titles: { 1033: "Co-sell", 1040: "Co-sell" },
      groups: [{
        id: "pcc_group_opportunities",
        titles: { 1033: "Opportunities", 1040: "Opportunità" },
        subAreas: [view(0, "pcc_subarea_cosell_opportunities"), view(1, "pcc_subarea_sync_errors"), view(2, "pcc_subarea_incoming_referrals")],
      }],
    },
    {
      id: "pcc_area_admin",
      titles: { 1033: "Administration", 1040: "Amministrazione" },
      groups: [{
        id: "pcc_group_sync_service",
        titles: { 1033: "Sync service", 1040: "Servizio di sincronizzazione" },
        subAreas: [
          { id: "pcc_subarea_settings", titles: CoSellSettingsTable.collectionName, target: { kind: "table", table: CoSellSettingsTable.logicalName } },
          { id: "pcc_subarea_field_mapping", titles: CoSellMappingTable.collectionName, target: { kind: "view", table: CoSellMappingTable.logicalName, viewId: MAPPING_VIEW_ID } },
          { id: "pcc_subarea_sync_health", titles: { 1033: "Sync health", 1040: "Stato della sincronizzazione" }, target: { kind: "webresource", name: HEALTH_PAGE_NAME } },
        ],
      }],
    },
  ];
}

/** The Unified Interface's address of a system view (main.aspx?pagetype=entitylist; viewtype 1039 = a system view). */
export function viewUrl(table: string, viewId: string): string {
  return `/main.aspx?pagetype=entitylist&etn=${table}&viewid=${encodeURIComponent(viewId)}&viewtype=1039`;
}

function titles(parent: XMLBuilder, text: Localized): void {
  const container = parent.ele("Titles");
  for (const lang of LANGUAGES) container.ele("Title", { LCID: String(lang), Title: text[lang] });
}

function writeSiteMap(parent: XMLBuilder, version: string): void {
  const siteMap = parent.ele("SiteMap", { IntroducedVersion: version });
  for (const area of cosellSiteMap()) {
    const areaElement = siteMap.ele("Area", { Id: area.id, ShowGroups: "true" });
    titles(areaElement, area.titles);
    for (const group of area.groups) {
      const groupElement = areaElement.ele("Group", { Id: group.id, IsProfile: "false" });
      titles(groupElement, group.titles);
      for (const subArea of group.subAreas) {
        const target = subArea.target;
        const attributes: Record<string, string> = { Id: subArea.id };
        if (target.kind === "view") Object.assign(attributes, { Entity: target.table, Url: viewUrl(target.table, target.viewId) });
        else if (target.kind === "table") attributes.Entity = target.table;
        else Object.assign(attributes, { Url: `$webresource:${target.name}` });
        attributes.AvailableOffline = "false";
        attributes.PassParams = "false";
        titles(groupElement.ele("SubArea", attributes), subArea.titles);
      }
    }
  }
}

export function writeAppModuleSiteMaps(root: XMLBuilder, version: string): void {
  const entry = root.ele("AppModuleSiteMaps").ele("AppModuleSiteMap");
  textElement(entry, "SiteMapUniqueName", COSELL_APP.siteMapUniqueName);
  textElement(entry, "SiteMapName", COSELL_APP.names[1033]);
  writeSiteMap(entry, version);
  localizedList(entry, "LocalizedNames", "LocalizedName", COSELL_APP.names);
}

/** AppModuleComponent type codes (Dataverse componenttype). */
const APP_COMPONENT = { entity: 1, view: 26, form: 60, siteMap: 62 } as const;

export function writeAppModules(root: XMLBuilder, version: string): void {
  const app = root.ele("AppModules").ele("AppModule");
  textElement(app, "UniqueName", COSELL_APP.uniqueName);
  textElement(app, "IntroducedVersion", version);
  textElement(app, "WebResourceId", COSELL_APP.iconWebResourceId);
  // 1: web (the Unified Interface); ClientType 4: the Unified Interface.
  textElement(app, "FormFactor", 1);
  textElement(app, "ClientType", 4);
  const components = app.ele("AppModuleComponents");
  const tables = new Set<string>([Tables.opportunity.logicalName]);
  for (const area of cosellSiteMap()) for (const group of area.groups) for (const subArea of group.subAreas) {
    if (subArea.target.kind !== "webresource") tables.add(subArea.target.table);
  }
  for (const table of tables) components.ele("AppModuleComponent", { type: String(APP_COMPONENT.entity), schemaName: table });
  for (const viewId of [...OPPORTUNITY_VIEWS.map((definition) => definition.id), MAPPING_VIEW_ID]) components.ele("AppModuleComponent", { type: String(APP_COMPONENT.view), id: viewId });
  for (const formId of [COSELL_FORM_ID, SETTINGS_FORM_ID, MAPPING_FORM_ID]) components.ele("AppModuleComponent", { type: String(APP_COMPONENT.form), id: formId });
  components.ele("AppModuleComponent", { type: String(APP_COMPONENT.siteMap), schemaName: COSELL_APP.siteMapUniqueName });
  // No role map: sellers' roles differ from org to org, so the admin shares the app with them after
  // import (Apps → Co-sell → Share); System Administrators and Customizers see it at once.
  localizedList(app, "LocalizedNames", "LocalizedName", COSELL_APP.names);
  localizedList(app, "Descriptions", "Description", COSELL_APP.descriptions);
}
