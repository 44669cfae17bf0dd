/**
 * Builds solution.xml (the SolutionManifest): identity, version, publisher and root components.
 * Microsoft publishes no XSD for this file, so tests check it for well-formedness and content.
 */
import { LANGUAGES, PUBLISHER, SOLUTION, type Localized } from "../../entities";
import type { RootComponent } from "../solution-part";
import { localizedList, newDocument, serialize, textElement } from "./xml-helpers";

export interface SolutionManifestInput {
  version: string;
  managed: boolean;
  rootComponents: readonly RootComponent[];
}

export function buildSolutionManifestXml(input: SolutionManifestInput): string {
  const root = newDocument().ele("ImportExportXml", {
    version: "9.2.0.0",
    SolutionPackageVersion: "9.2",
    languagecode: String(LANGUAGES[0]),
    generatedBy: "CrmLive",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
  });
  const manifest = root.ele("SolutionManifest");
  textElement(manifest, "UniqueName", SOLUTION.uniqueName);
  localizedList(manifest, "LocalizedNames", "LocalizedName", SOLUTION.displayName as Localized);
  localizedList(manifest, "Descriptions", "Description", SOLUTION.description as Localized);
  textElement(manifest, "Version", input.version);
  textElement(manifest, "Managed", input.managed ? 1 : 0);
  const publisher = manifest.ele("Publisher");
  textElement(publisher, "UniqueName", PUBLISHER.uniqueName);
  localizedList(publisher, "LocalizedNames", "LocalizedName", PUBLISHER.displayName as Localized);
  localizedList(publisher, "Descriptions", "Description", PUBLISHER.description as Localized);
  textElement(publisher, "CustomizationPrefix", PUBLISHER.customizationPrefix);
  textElement(publisher, "CustomizationOptionValuePrefix", PUBLISHER.customizationOptionValuePrefix);
  const components = manifest.ele("RootComponents");
  for (const component of input.rootComponents) {
    const attributes: Record<string, string> = { type: String(component.type) };
    if (component.schemaName) attributes.schemaName = component.schemaName;
    if (component.id) attributes.id = component.id;
    attributes.behavior = String(component.behavior);
    components.ele("RootComponent", attributes);
  }
  manifest.ele("MissingDependencies");
  return serialize(root.doc());
}

/** [Content_Types].xml: every entry is served as application/octet-stream, as Dataverse exports do. */
export function buildContentTypesXml(extensions: readonly string[]): string {
  const types = newDocument().ele("Types", { xmlns: "http://schemas.openxmlformats.org/package/2006/content-types" });
  for (const extension of [...new Set(extensions)].sort()) {
    types.ele("Default", { Extension: extension, ContentType: "application/octet-stream" });
  }
  return serialize(types.doc());
}
