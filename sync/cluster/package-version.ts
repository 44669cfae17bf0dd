/** The product version (package.json), as instances report it in cosell_instances and /metrics. */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const PACKAGE_VERSION: string = (require("../../package.json") as { version: string }).version;
