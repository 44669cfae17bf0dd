/**
 * Opens the built solution zip and pulls out what the form page shows: the opportunity's main form,
 * its RibbonDiffXml, the web resources and the code components, the app's site map, the system views
 * and our own tables' main forms, so the page always shows what an
 * admin would import, not a copy kept beside it. A code component the zip does not carry yet is taken
 * from the PCF build output (pcf/out/controls), which is what the packer puts in the zip.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import JSZip from "jszip";
import { Tables } from "../../entities/standard-tables";
import { readControlManifest, readResx } from "./control-manifest";
import { readApp, readTableForms, readViews } from "./app-xml-reader";
import { mainForms, readSystemForm } from "./form-xml-reader";
import type { ControlModel, PageModel } from "./page-model";
import { readRibbonDiff } from "./ribbon-xml-reader";
import { attr, child, path, text, xmlParser, type XmlNode } from "./xml-reading";

/** A file the page server serves, by URL path. */
export interface ServedFile {
  content: Buffer;
  contentType: string;
}

export interface SolutionContent {
  model: PageModel;
  files: Map<string, ServedFile>;
}

const JS = "application/javascript; charset=utf-8";
/** Content types of web resources by webresourcetype (1 HTML, 2 CSS, 3 JScript, 4 XML, 5 PNG, 11 SVG). */
const WEB_RESOURCE_CONTENT_TYPES: Record<string, string> = {
  "1": "text/html; charset=utf-8", "2": "text/css; charset=utf-8", "3": JS, "4": "application/xml", "5": "image/png", "11": "image/svg+xml",
};

async function zipText(zip: JSZip, name: string): Promise<string | null> {
  const entry = zip.file(name) ?? zip.file(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "i"))[0];
  return entry ? entry.async("string") : null;
}

function opportunityEntity(customizations: XmlNode): XmlNode | undefined {
  const logicalName = Tables.opportunity.logicalName;
  return path(customizations, "ImportExportXml", "Entities", "Entity").find((entity) => {
    const name = attr(child(child(entity, "EntityInfo"), "entity"), "Name") ?? text(child(entity, "Name"));
    return name.toLowerCase() === logicalName;
  });
}

interface ControlFolder {
  read(relative: string): Promise<Buffer | null>;
  source: string;
}

function zipFolder(zip: JSZip, folder: string, source: string): ControlFolder {
  return {
    source,
    read: async (relative) => {
      const entry = zip.file(posix.join(folder, relative));
      return entry ? Buffer.from(await entry.async("uint8array")) : null;
    },
  };
}

function diskFolder(folder: string): ControlFolder {
  return {
    source: folder,
    read: (relative) => readFile(join(folder, relative)).catch(() => null),
  };
}

/** Finds a control by the name the form uses, in the zip first, then among the PCF build outputs. */
async function findControl(name: string, zip: JSZip, customizations: XmlNode, zipSource: string, pcfOutDir: string): Promise<{ folder: ControlFolder; manifest: string } | null> {
  const registered = path(customizations, "ImportExportXml", "CustomControls", "CustomControl").find((control) => text(child(control, "Name")) === name);
  const fileName = registered ? text(child(registered, "FileName")).replace(/^\//, "") : `Controls/${name}/ControlManifest.xml`;
  const inZip = zip.file(fileName);
  if (inZip) return { folder: zipFolder(zip, posix.dirname(fileName), `${zipSource} → ${posix.dirname(fileName)}`), manifest: await inZip.async("string") };

  // pac prefixes the name with the publisher prefix (pcc_Namespace.Constructor); the manifest does not.
  const unprefixed = name.replace(/^[a-z0-9]+_/i, "");
  const folders = await readdir(pcfOutDir, { withFileTypes: true }).catch(() => []);
  for (const entry of folders) {
    if (!entry.isDirectory()) continue;
    const folder = diskFolder(join(pcfOutDir, entry.name));
    const manifest = await folder.read("ControlManifest.xml");
    if (!manifest) continue;
    const registeredName = readControlManifest(manifest.toString("utf8")).registeredName;
    if (registeredName === name || registeredName === unprefixed) return { folder, manifest: manifest.toString("utf8") };
  }
  return null;
}

export interface ReadSolutionOptions {
  zip: Buffer;
  /** Shown on the page ("dist/PartnerCenterCoSell_1_0_0.zip"). */
  zipSource: string;
  pcfOutDir: string;
}

export async function readSolution(options: ReadSolutionOptions): Promise<SolutionContent> {
  const zip = await JSZip.loadAsync(options.zip);
  const customizationsXml = await zipText(zip, "customizations.xml");
  if (!customizationsXml) throw new Error(`${options.zipSource} has no customizations.xml: is it a Dataverse solution zip?`);
  const customizations = asRoot(customizationsXml);
  const solution = asRoot((await zipText(zip, "solution.xml")) ?? "<ImportExportXml/>");
  const manifest = child(child(solution, "ImportExportXml"), "SolutionManifest");
  const files = new Map<string, ServedFile>();

  const webResources: Record<string, string> = {};
  for (const resource of path(customizations, "ImportExportXml", "WebResources", "WebResource")) {
    const name = text(child(resource, "Name"));
    const entry = zip.file(text(child(resource, "FileName")).replace(/^\//, ""));
    if (!name || !entry) continue;
    const url = `/webresources/${name}`;
    files.set(url, { content: Buffer.from(await entry.async("uint8array")), contentType: WEB_RESOURCE_CONTENT_TYPES[text(child(resource, "WebResourceType"))] ?? JS });
    webResources[name] = url;
  }

  const entity = opportunityEntity(customizations);
  const systemForm = entity ? mainForms(entity)[0] : undefined;
  const form = systemForm ? readSystemForm(systemForm) : null;
  const ribbon = entity ? readRibbonDiff(child(entity, "RibbonDiffXml") ?? {}) : [];

  const controls: Record<string, ControlModel> = {};
  const controlProblems: Record<string, string> = {};
  const used = new Set(form?.tabs.flatMap((tab) => tab.sections.flatMap((s) => s.rows.flat().flatMap((cell) => (cell.customControl ? [cell.customControl.name] : [])))) ?? []);
  for (const name of used) {
    const found = await findControl(name, zip, customizations, options.zipSource, options.pcfOutDir);
    if (!found) {
      controlProblems[name] = `The code component ${name} is neither in ${options.zipSource} nor in ${options.pcfOutDir}: run npm run build:pcf and npm run build:solution.`;
      continue;
    }
    const parsed = readControlManifest(found.manifest);
    const bundle = await found.folder.read(parsed.codePath);
    if (!bundle) {
      controlProblems[name] = `${found.folder.source} has no ${parsed.codePath}: run npm run build:pcf.`;
      continue;
    }
    const bundleUrl = `/controls/${encodeURIComponent(name)}/${parsed.codePath}`;
    files.set(bundleUrl, { content: bundle, contentType: JS });
    const strings: ControlModel["strings"] = {};
    for (const [code, resxPath] of Object.entries(parsed.resx)) {
      const resx = await found.folder.read(resxPath);
      if (resx) strings[code] = readResx(resx.toString("utf8"));
    }
    controls[name] = {
      name, registeredName: parsed.registeredName, controlType: parsed.controlType, properties: parsed.properties, bundleUrl, strings, source: found.folder.source,
    };
  }

  return {
    files,
    model: {
      solution: { uniqueName: text(child(manifest, "UniqueName")), version: text(child(manifest, "Version")), source: options.zipSource },
      app: readApp(customizations),
      views: readViews(customizations),
      tableForms: readTableForms(customizations, Tables.opportunity.logicalName),
      form,
      formProblem: form ? null : `${options.zipSource} has no main form for ${Tables.opportunity.logicalName}: the shipped form is added by the form part of the packer (solution/parts); rebuild with npm run build:solution.`,
      ribbon,
      webResources,
      controls,
      controlProblems,
    },
  };
}

function asRoot(xml: string): XmlNode {
  return xmlParser.parse(xml) as XmlNode;
}
