// Builds pcc_/js/cosell.js: one minified IIFE that exposes the global PartnerCenterCoSell;
// and pcc_/js/synchealth.js, the Sync health page's script.
// esbuild does not type-check; `npm run typecheck` does that for webresources/ with the rest.
import { build } from "esbuild";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Kept in step with WEB_RESOURCE_NAME / GLOBAL_NAMESPACE in src/public-names.ts (checked by the contract test).
const globalName = "PartnerCenterCoSell";
const outfile = join(root, "dist", "webresources", "pcc_", "js", "cosell.js");

await build({
  entryPoints: [join(root, "webresources", "src", "index.ts")],
  bundle: true,
  format: "iife",
  globalName,
  // The Unified Interface supports evergreen browsers only.
  target: "es2020",
  platform: "browser",
  minify: true,
  legalComments: "none",
  outfile,
  // The top-level var is global only in a classic script; the footer also covers hosts that wrap
  // the code in a function (the sandbox page, node:vm in tests).
  footer: { js: `globalThis.${globalName}=${globalName};` },
  logLevel: "warning",
});

console.log(`built ${outfile.slice(root.length + 1)} (${(statSync(outfile).size / 1024).toFixed(1)} KB)`);

// The Sync health page's script (pcc_/js/synchealth.js; its HTML shell is written by the solution part).
const healthOutfile = join(root, "dist", "webresources", "pcc_", "js", "synchealth.js");
await build({
  entryPoints: [join(root, "webresources", "health", "health-page.ts")],
  bundle: true,
  format: "iife",
  target: "es2020",
  platform: "browser",
  minify: true,
  legalComments: "none",
  outfile: healthOutfile,
  logLevel: "warning",
});
console.log(`built ${healthOutfile.slice(root.length + 1)} (${(statSync(healthOutfile).size / 1024).toFixed(1)} KB)`);
