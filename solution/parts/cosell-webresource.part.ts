/**
 * The web resource pcc_/js/cosell.js: the built command-bar and form-script bundle. The packer
 * never builds it; it reads what `npm run build:webresources` wrote, and says so when it is missing.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { WEB_RESOURCE_NAME } from "../../webresources/src/public-names";
import type { SolutionPartFactory, WebResourceEntry } from "../solution-part";

/** Stable across builds: Dataverse matches the web resource by this id on every upgrade. */
export const COSELL_WEB_RESOURCE_ID = "{c4d16469-9885-46e7-92a8-82f653097d82}";

/** Where build.mjs writes the bundle (the web resource name is its path under dist/webresources). */
export const COSELL_BUNDLE_PATH = fileURLToPath(new URL(`../../dist/webresources/${WEB_RESOURCE_NAME}`, import.meta.url));

/** JScript in Dataverse's webresourcetype choice. */
const WEB_RESOURCE_TYPE_JS = 3;

export class MissingWebResourceBundleError extends Error {
  constructor(path: string, cause: unknown) {
    super(`The web resource bundle ${path} is missing: run npm run build:webresources first.`, { cause });
    this.name = "MissingWebResourceBundleError";
  }
}

export async function readCosellWebResource(path: string = COSELL_BUNDLE_PATH): Promise<WebResourceEntry> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new MissingWebResourceBundleError(path, error);
    throw error;
  }
  return {
    id: COSELL_WEB_RESOURCE_ID,
    name: WEB_RESOURCE_NAME,
    displayName: "Partner Center co-sell: command bar and form scripts",
    description: "Sync now, Open in Partner Center, Accept/Decline referral, Stop syncing, Sync selected, and the opportunity form handlers.",
    webResourceType: WEB_RESOURCE_TYPE_JS,
    content,
  };
}

export const cosellWebResourcePart: SolutionPartFactory = async () => ({
  name: "co-sell web resource",
  webResources: [await readCosellWebResource()],
});
