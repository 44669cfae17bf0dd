/**
 * `npm run sandbox:dataverse`: starts the Dataverse sandbox and prints the org URL to configure the
 * backend with (DATAVERSE_URL). PORT picks a fixed port; Ctrl+C stops it.
 */
import { startDataverseSandbox } from "./dataverse-sandbox";

const port = process.env["PORT"] ? Number(process.env["PORT"]) : 0;
const sandbox = await startDataverseSandbox({ port });
process.stdout.write(`Dataverse sandbox org URL: ${sandbox.url}\nWeb API: ${sandbox.apiUrl}\nAny bearer token is accepted.\n`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
