/**
 * The co-sell section PCF control as the solution carries it: the compiled ControlManifest.xml and
 * every file it references (bundle.js, the resx files), read from what `npm run build:pcf` wrote.
 * The packer never builds the control; a missing build is reported with the command to run.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { XMLParser } from "fast-xml-parser";
import {
  CONTROL_CONSTRUCTOR,
  CONTROL_NAMESPACE,
  CONTROL_OUTPUT_DIR,
  SOLUTION_CONTROL_NAME,
} from "../../pcf/CoSellSection/ManifestConstants";
import type { CustomControlEntry, SolutionPartFactory } from "../solution-part";

export const PCF_OUTPUT_DIR = fileURLToPath(new URL(`../../pcf/${CONTROL_OUTPUT_DIR}/`, import.meta.url));

export class MissingPcfBuildError extends Error {
  constructor(path: string, cause: unknown) {
    super(`The PCF control build output ${path} is missing: run npm run build:pcf first.`, { cause });
    this.name = "MissingPcfBuildError";
  }
}

async function readBuilt(folder: string, relativePath: string): Promise<Buffer> {
  const path = `${folder}${relativePath}`;
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new MissingPcfBuildError(path, error);
    throw error;
  }
}

interface CompiledManifest {
  manifest: {
    control: {
      "@_namespace": string;
      "@_constructor": string;
      resources: { code?: Array<{ "@_path": string }>; resx?: Array<{ "@_path": string }>; css?: Array<{ "@_path": string }> };
    };
  };
}

/** The files the compiled manifest references, so the solution carries exactly what the control loads. */
export function referencedFiles(manifestXml: string): string[] {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (name) => ["code", "resx", "css"].includes(name) })
    .parse(manifestXml) as CompiledManifest;
  const control = parsed.manifest.control;
  if (control["@_namespace"] !== CONTROL_NAMESPACE || control["@_constructor"] !== CONTROL_CONSTRUCTOR) {
    throw new Error(`The built control is ${control["@_namespace"]}.${control["@_constructor"]}, expected ${CONTROL_NAMESPACE}.${CONTROL_CONSTRUCTOR}: rebuild with npm run build:pcf.`);
  }
  const { code = [], resx = [], css = [] } = control.resources;
  return [...code, ...resx, ...css].map((resource) => resource["@_path"]);
}

export async function readPcfControl(folder: string = PCF_OUTPUT_DIR): Promise<CustomControlEntry> {
  const manifest = await readBuilt(folder, "ControlManifest.xml");
  const files: Record<string, Buffer> = { "ControlManifest.xml": manifest };
  for (const path of referencedFiles(manifest.toString("utf8"))) files[path] = await readBuilt(folder, path);
  return { name: SOLUTION_CONTROL_NAME, files };
}

export const pcfControlPart: SolutionPartFactory = async () => ({ name: "co-sell PCF control", customControls: [await readPcfControl()] });
