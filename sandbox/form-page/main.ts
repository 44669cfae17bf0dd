/**
 * `npm run sandbox:form-page`: both sandboxes, the built solution imported into the Dataverse one
 * (ImportSolution, as an admin would), and the form page beside them, for rehearsing by hand.
 * `npm start` runs the same page with the backend; this is the page alone (nothing syncs here).
 * Environment: FORM_PAGE_PORT (default: any free port).
 */
import { readFile } from "node:fs/promises";
import { startDataverseSandbox } from "../dataverse/dataverse-sandbox";
import { startPartnerCenterSandbox } from "../partner-center/partner-center-sandbox";
import { defaultSolutionZip, startFormPage } from "./form-page-server";

const zipPath = await defaultSolutionZip();
const zip = await readFile(zipPath);
const dataverse = await startDataverseSandbox();
const partnerCenter = await startPartnerCenterSandbox();
const imported = await fetch(`${dataverse.apiUrl}/ImportSolution`, {
  method: "POST",
  headers: { authorization: "Bearer sandbox", "content-type": "application/json" },
  body: JSON.stringify({ CustomizationFile: zip.toString("base64"), OverwriteUnmanagedCustomizations: true, PublishWorkflows: true, ImportJobId: crypto.randomUUID() }),
});
if (!imported.ok) throw new Error(`ImportSolution failed: ${imported.status} ${await imported.text()}`);
const page = await startFormPage({
  dataverseUrl: dataverse.url,
  partnerCenterUrl: partnerCenter.url,
  solutionZip: zipPath,
  port: process.env.FORM_PAGE_PORT ? Number(process.env.FORM_PAGE_PORT) : 0,
});
console.log(`Form page:           ${page.url}`);
console.log(`Dataverse sandbox:   ${dataverse.url} (imported ${zipPath})`);
console.log(`Partner Center:      ${partnerCenter.url}`);

const stop = () => {
  void Promise.all([page.close(), dataverse.close(), partnerCenter.close()]).then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
