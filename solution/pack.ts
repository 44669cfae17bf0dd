/**
 * The solution packer: entities/ + solution parts → an unpacked folder in pac's layout and two
 * importable zips, PartnerCenterCoSell_<version>.zip (unmanaged) and ..._managed.zip. The two zips
 * differ only in solution.xml's Managed flag.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import JSZip from "jszip";
import { SOLUTION, type ColumnDefinition } from "../entities";
import { SOLUTION_PARTS } from "./parts";
import type { SolutionPartFactory } from "./solution-part";
import { buildSolutionModel, type SolutionModel } from "./solution-model";
import { writeUnpackedLayout } from "./unpacked-layout";
import { buildCustomizationsXml, customControlManifestPath, webResourceFilePath } from "./xml/customizations-xml";
import { buildContentTypesXml, buildSolutionManifestXml } from "./xml/solution-manifest-xml";

export const REPOSITORY_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const DEFAULT_OUT_DIR = join(REPOSITORY_ROOT, "dist");

export interface PackOptions {
  /** Where the zips and the unpacked folder go (default dist/). */
  outDir?: string;
  /** Solution version (default: package.json version). */
  version?: string;
  /** Column definitions (default: entities/). Tests pass broken ones to see them refused. */
  columns?: readonly ColumnDefinition[];
  /** Parts to include (default: solution/parts/index.ts). */
  parts?: readonly SolutionPartFactory[];
  /** Called with a line of progress for each step. */
  onProgress?: (message: string) => void;
}

export interface PackResult {
  unmanagedZip: string;
  managedZip: string;
  unpackedDir: string;
  version: string;
}

export async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(REPOSITORY_ROOT, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

export function zipFileName(version: string, managed: boolean): string {
  return `${SOLUTION.uniqueName}_${version.replace(/\./g, "_")}${managed ? "_managed" : ""}.zip`;
}

/** The zip's entries, without directory entries and with forward slashes, as Dataverse exports are. */
async function buildZip(model: SolutionModel, managed: boolean, customizationsXml: string): Promise<Buffer> {
  const files = new Map<string, Buffer | string>();
  files.set("solution.xml", buildSolutionManifestXml({ version: model.version, managed, rootComponents: model.rootComponents }));
  files.set("customizations.xml", customizationsXml);
  for (const resource of model.customizations.webResources) files.set(webResourceFilePath(resource).slice(1), resource.content);
  for (const control of model.customizations.customControls) {
    const folder = customControlManifestPath(control).slice(1).replace(/ControlManifest\.xml$/, "");
    for (const [relative, content] of Object.entries(control.files)) files.set(`${folder}${relative}`, content);
  }
  const extensions = [...files.keys()].map((path) => extname(path).slice(1)).filter(Boolean);
  const zip = new JSZip();
  zip.file("[Content_Types].xml", buildContentTypesXml(extensions), { createFolders: false });
  for (const [path, content] of files) zip.file(path, content, { createFolders: false });
  return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 9 } });
}

export async function packSolution(options: PackOptions = {}): Promise<PackResult> {
  const progress = options.onProgress ?? (() => undefined);
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const version = options.version ?? (await packageVersion());

  progress("checking column definitions and collecting solution parts");
  const model = await buildSolutionModel({ version, columns: options.columns, parts: options.parts ?? SOLUTION_PARTS });
  const customizationsXml = buildCustomizationsXml(model.customizations);

  await mkdir(outDir, { recursive: true });
  const unpackedDir = join(outDir, SOLUTION.uniqueName);
  progress(`writing the unpacked solution (pac layout) to ${unpackedDir}`);
  await writeUnpackedLayout(model, unpackedDir);

  const unmanagedZip = join(outDir, zipFileName(version, false));
  const managedZip = join(outDir, zipFileName(version, true));
  progress(`writing ${unmanagedZip}`);
  await writeFile(unmanagedZip, await buildZip(model, false, customizationsXml));
  progress(`writing ${managedZip}`);
  await writeFile(managedZip, await buildZip(model, true, customizationsXml));
  return { unmanagedZip, managedZip, unpackedDir, version };
}
