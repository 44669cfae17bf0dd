/**
 * The Sync health page as web resources: the HTML page the Co-sell app's site map opens and the
 * script `npm run build:webresources` built for it. The packer never builds the script; it says so
 * when it is missing.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { healthPageHtml } from "../../webresources/health/health-html";
import { HEALTH_PAGE_NAME, HEALTH_SCRIPT_NAME } from "../../webresources/health/public-names";
import type { SolutionPartFactory } from "../solution-part";
import { MissingWebResourceBundleError } from "./cosell-webresource.part";

/** Stable across builds: Dataverse matches web resources by these ids on every upgrade. */
export const HEALTH_PAGE_ID = "{5f0c2b7e-9a31-4d6e-8c2f-7b1e4a9d3c51}";
export const HEALTH_SCRIPT_ID = "{5f0c2b7e-9a31-4d6e-8c2f-7b1e4a9d3c52}";

export const HEALTH_SCRIPT_PATH = fileURLToPath(new URL(`../../dist/webresources/${HEALTH_SCRIPT_NAME}`, import.meta.url));

/** Web resource types (webresourcetype): 1 HTML, 3 JScript. */
const HTML = 1;
const JS = 3;

export const healthPagePart: SolutionPartFactory = async () => {
  let script: Buffer;
  try {
    script = await readFile(HEALTH_SCRIPT_PATH);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new MissingWebResourceBundleError(HEALTH_SCRIPT_PATH, error);
    throw error;
  }
  return {
    name: "Sync health page",
    webResources: [
      {
        id: HEALTH_PAGE_ID, name: HEALTH_PAGE_NAME, webResourceType: HTML, content: healthPageHtml(),
        displayName: "Partner Center co-sell: Sync health",
        description: "Is the sync service running, co-sell opportunities by sync status, the oldest pending one, the latest errors with Retry all.",
      },
      {
        id: HEALTH_SCRIPT_ID, name: HEALTH_SCRIPT_NAME, webResourceType: JS, content: script,
        displayName: "Partner Center co-sell: Sync health script",
        description: "The script of the Sync health page.",
      },
    ],
  };
};
