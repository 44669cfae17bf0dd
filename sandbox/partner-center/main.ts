/**
 * `npm run sandbox:partner-center`: start the Partner Center sandbox and print its base URL.
 * Environment: PC_SANDBOX_PORT (default: any free port), PC_SANDBOX_STATE_FILE (persist state as JSON).
 */
import { startPartnerCenterSandbox } from "./partner-center-sandbox";

const port = process.env.PC_SANDBOX_PORT ? Number(process.env.PC_SANDBOX_PORT) : 0;
const sandbox = await startPartnerCenterSandbox({ port, stateFile: process.env.PC_SANDBOX_STATE_FILE || undefined });
console.log(`Partner Center sandbox: ${sandbox.url}`);
console.log(`  referrals API   ${sandbox.url}/v1.0/engagements/referrals`);
console.log(`  webhooks API    ${sandbox.url}/webhooks/v1/registration`);
console.log(`  certificate     ${sandbox.certificateUrl}`);
console.log(`  Microsoft seller ${sandbox.url}/_sandbox/microsoft/referrals`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
