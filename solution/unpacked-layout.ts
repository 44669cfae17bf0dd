/**
 * Writes the solution as pac's unpacked folder layout (what `pac solution unpack` produces and
 * `pac solution pack` consumes): Other/Solution.xml, Other/Customizations.xml, Entities/<Name>/
 * Entity.xml with FormXml/, SavedQueries/ and RibbonDiff.xml beside it, Roles/, WebResources/
 * with .data.xml descriptors, Controls/ with .data.xml descriptors, AppModules/ and AppModuleSiteMaps/.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { SolutionModel } from "./solution-model";
import {
  customControlManifestPath,
  ribbonDiffXmlOf,
  webResourceFilePath,
  writeOpportunityEntityShell,
  writeSystemForm,
  writeWebResource,
} from "./xml/customizations-xml";
import { SYNC_SERVICE_ROLE, writeSecurityRole } from "./xml/security-role";
import { writeSettingsEntity } from "./xml/settings-entity";
import { writeHeartbeatEntity } from "./xml/heartbeat-entity";
import { COSELL_APP, writeAppModules, writeAppModuleSiteMaps } from "./xml/app-module";
import { CoSellHeartbeatTable, CoSellMappingTable, CoSellSettingsTable } from "../entities";
import { MAPPING_FORM_ID, MAPPING_VIEW_ID, writeMappingForm, writeMappingTable, writeMappingView } from "./xml/mapping-entity";
import { buildSolutionManifestXml } from "./xml/solution-manifest-xml";
import { OPPORTUNITY_VIEWS, writeSavedQuery } from "./xml/views";
import { importFragment, newDocument, serialize, textElement } from "./xml/xml-helpers";

const ENTITY_FOLDER = "Entities/Opportunity";

async function put(root: string, relativePath: string, content: Buffer | string): Promise<void> {
  const target = join(root, relativePath);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
}

export async function writeUnpackedLayout(model: SolutionModel, folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  const input = model.customizations;

  await put(folder, "Other/Solution.xml", buildSolutionManifestXml({ version: model.version, managed: false, rootComponents: model.rootComponents }));

  // Customizations.xml keeps only what is not split out into its own folder.
  const rest = newDocument().ele("ImportExportXml", { "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance" });
  for (const name of ["Entities", "Roles", "Workflows", "FieldSecurityProfiles", "Templates", "EntityMaps", "EntityRelationships", "OrganizationSettings", "optionsets"]) {
    rest.ele(name);
  }
  const languages = rest.ele("Languages");
  for (const lang of model.languages) textElement(languages, "Language", lang);
  await put(folder, "Other/Customizations.xml", serialize(rest.doc()));

  const entityDoc = newDocument();
  writeOpportunityEntityShell(entityDoc, input);
  await put(folder, `${ENTITY_FOLDER}/Entity.xml`, serialize(entityDoc));
  for (const form of input.forms) {
    const doc = newDocument();
    writeSystemForm(doc.ele("forms", { type: "main" }), form, model.version);
    await put(folder, `${ENTITY_FOLDER}/FormXml/main/${form.id}.xml`, serialize(doc));
  }
  for (const view of OPPORTUNITY_VIEWS) {
    const doc = newDocument();
    writeSavedQuery(doc.ele("savedqueries"), view, model.version);
    await put(folder, `${ENTITY_FOLDER}/SavedQueries/${view.id}.xml`, serialize(doc));
  }
  const settingsDoc = newDocument();
  writeSettingsEntity(settingsDoc, model.version);
  await put(folder, `Entities/${CoSellSettingsTable.schemaName}/Entity.xml`, serialize(settingsDoc));
  const heartbeatDoc = newDocument();
  writeHeartbeatEntity(heartbeatDoc, model.version);
  await put(folder, `Entities/${CoSellHeartbeatTable.schemaName}/Entity.xml`, serialize(heartbeatDoc));

  // pac keeps the app and its site map in folders of their own.
  const appDoc = newDocument();
  writeAppModules(appDoc, model.version);
  await put(folder, `AppModules/${COSELL_APP.uniqueName}/AppModule.xml`, serialize(appDoc));
  const siteMapDoc = newDocument();
  writeAppModuleSiteMaps(siteMapDoc, model.version);
  await put(folder, `AppModuleSiteMaps/${COSELL_APP.siteMapUniqueName}/AppModuleSiteMap.xml`, serialize(siteMapDoc));
  const mappingFolder = `Entities/${CoSellMappingTable.schemaName}`;
  const mappingDoc = newDocument();
  writeMappingTable(mappingDoc, model.version);
  await put(folder, `${mappingFolder}/Entity.xml`, serialize(mappingDoc));
  const mappingFormDoc = newDocument();
  writeMappingForm(mappingFormDoc.ele("forms", { type: "main" }), model.version);
  await put(folder, `${mappingFolder}/FormXml/main/${MAPPING_FORM_ID}.xml`, serialize(mappingFormDoc));
  const mappingViewDoc = newDocument();
  writeMappingView(mappingViewDoc.ele("savedqueries"), model.version);
  await put(folder, `${mappingFolder}/SavedQueries/${MAPPING_VIEW_ID}.xml`, serialize(mappingViewDoc));

  const ribbonDoc = newDocument();
  importFragment(ribbonDoc, ribbonDiffXmlOf(input));
  await put(folder, `${ENTITY_FOLDER}/RibbonDiff.xml`, serialize(ribbonDoc));

  const roleDoc = newDocument();
  writeSecurityRole(roleDoc, model.version);
  await put(folder, `Roles/${SYNC_SERVICE_ROLE.name}.xml`, serialize(roleDoc));

  for (const resource of input.webResources) {
    const path = webResourceFilePath(resource).slice(1);
    await put(folder, path, resource.content);
    const descriptor = newDocument();
    writeWebResource(descriptor, resource, model.version);
    await put(folder, `${path}.data.xml`, serialize(descriptor));
  }
  for (const control of input.customControls) {
    const manifestPath = customControlManifestPath(control).slice(1);
    for (const [relative, content] of Object.entries(control.files)) {
      await put(folder, join(dirname(manifestPath), relative), content);
    }
    const descriptor = newDocument().ele("CustomControl");
    textElement(descriptor, "Name", control.name);
    textElement(descriptor, "FileName", `/${manifestPath}`);
    await put(folder, `${manifestPath}.data.xml`, serialize(descriptor.doc()));
  }
}
