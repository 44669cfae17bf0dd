/**
 * `cosell sandbox` (what `npm start` runs): the whole product on this machine without credentials.
 * Both sandboxes with our solution imported, the backend with webhooks registered on both sides, the
 * form page, and a few demo records; each part on its own 127.0.0.1 port with the documented paths
 * at the root, as the real services have them. Stays up until Ctrl-C.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import pino from "pino";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../../sandbox/environment/sandbox-environment";
import { defaultSolutionZip, REFERRAL_LINK_PATH, startFormPage, type FormPage } from "../../../sandbox/form-page/form-page-server";
import { createLogger } from "../../observability/logger";
import { REFERRALS_PATH } from "../../partner-center/referrals-client";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { seedDemoRecords, type DemoRecords } from "../sandbox/demo-records";
import { seedMicrosoftConnectorRecords, type MicrosoftConnectorRecords } from "../../../sandbox/environment/microsoft-connector-records";

export const SANDBOX_DIR = ".sandbox";
const DATAVERSE_API_PATH = "/api/data/v9.2";

export interface RunningSandbox {
  env: SandboxEnvironment;
  formPage: FormPage;
  demo: DemoRecords;
  storePath: string;
  logPath: string;
  /** With --with-microsoft-connector: the records Microsoft's connector linked, and the file with the backend's settings for `cosell` commands. */
  microsoft: { records: MicrosoftConnectorRecords; envFile: string } | null;
  close(): Promise<void>;
}

/** A free port now, so the referral links can name the form page before it listens. */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (address && typeof address === "object" ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

export async function startSandbox(
  options: { dir?: string; formPagePort?: number; microsoftConnector?: boolean; onProgress?: (message: string) => void } = {},
): Promise<RunningSandbox> {
  const dir = resolve(options.dir ?? SANDBOX_DIR);
  const progress = options.onProgress ?? (() => undefined);
  const unmanagedZip = await defaultSolutionZip();
  const managedZip = unmanagedZip.replace(/\.zip$/, "_managed.zip");
  if (!existsSync(managedZip)) throw new CliError(`The sandbox imports the built solution ${managedZip}, which is missing: run \`npm run build\` first (\`npm start\` does).`);

  mkdirSync(dir, { recursive: true });
  // The sandboxes start empty every time, so the backend's store must too: links and watermarks
  // from a previous run would point at records that no longer exist.
  const storePath = join(dir, "cosell.sqlite");
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${storePath}${suffix}`, { force: true });
  const logPath = join(dir, "backend.log");
  const logger = createLogger({ level: "info", destination: pino.destination({ dest: logPath, sync: true, append: false }) });

  const port = options.formPagePort ?? (await freePort());
  progress("starting the Dataverse and Partner Center sandboxes, importing the solution, starting the backend");
  const env = await startSandboxEnvironment({ storePath, logger, solutionZip: managedZip, referralLinkBase: `http://127.0.0.1:${port}${REFERRAL_LINK_PATH}`, microsoftConnector: options.microsoftConnector });
  let formPage: FormPage | null = null;
  try {
    progress("starting the form page");
    formPage = await startFormPage({ dataverseUrl: env.dataverse.url, partnerCenterUrl: env.partnerCenter.url, solutionZip: unmanagedZip, port });
    progress("adding the demo records");
    const demo = await seedDemoRecords(env);
    let microsoft: RunningSandbox["microsoft"] = null;
    if (options.microsoftConnector) {
      progress("adding the records Microsoft's connector linked, and pointing Partner Center's webhooks at its flow");
      microsoft = { records: await seedMicrosoftConnectorRecords(env), envFile: writeBackendEnv(env, dir, storePath) };
    }
    const page = formPage;
    return {
      env, formPage: page, demo, storePath, logPath, microsoft,
      async close() {
        await page.close();
        await env.close();
      },
    };
  } catch (error) {
    await formPage?.close();
    await env.close();
    throw error;
  }
}

/**
 * The running backend's settings as an env file, so `cosell` commands in another shell (the switch
 * from Microsoft's connector) work on the same org, Partner Center and store.
 */
function writeBackendEnv(env: SandboxEnvironment, dir: string, storePath: string): string {
  const settings: Record<string, unknown> = { ...env.config, STORE_PATH: storePath, PUBLIC_BASE_URL: env.backendUrl ?? "" };
  const lines = Object.entries(settings)
    .filter(([, value]) => typeof value === "string" || typeof value === "number")
    .map(([name, value]) => `${name}='${String(value).replace(/'/g, "")}'`);
  const path = join(dir, "cosell.env");
  writeFileSync(path, `# The settings of the backend \`cosell sandbox\` runs (recreated on every start).\n${lines.join("\n")}\n`);
  return path;
}

/** What to rehearse when the org starts with Microsoft's connector. */
function describeMicrosoftConnector(sandbox: RunningSandbox): string[] {
  if (!sandbox.microsoft) return [];
  const { records, envFile } = sandbox.microsoft;
  const run = (args: string) => `(set -a; . '${envFile}'; npm run cosell -- switch-from-microsoft${args})`;
  return [
    "Microsoft's co-sell connector is installed in this org (11 cloud flows on, Partner Center's webhooks on its flow):",
    `  ${records.inStep.length + 1} opportunities linked to referrals by its msft_ columns, 2 conflicting records and 1 lead.`,
    "Rehearse the switch (README, \"Switching from Microsoft's connector\"), in another shell from this folder:",
    `  1. the plan:   ${run("")}`,
    `  2. the switch: ${run(" --apply --turn-off-microsoft-flows --qualify-leads")}`,
    "  3. open the adopted opportunities in the form page: ✔ Synced, and edits flow both ways.",
    "",
  ];
}

export function describeSandbox(sandbox: RunningSandbox): string[] {
  const { env, formPage, demo } = sandbox;
  const page = formPage.url.replace(/\/$/, "");
  const opportunity = (id: string | null) => (id ? `${page}/#/opportunity/${id}` : `${page}/#/ (it is still arriving)`);
  return [
    "The co-sell sandbox is running. Press Ctrl-C to stop it.",
    "",
    `  Dataverse org       ${env.dataverse.url}    Web API: ${env.dataverse.url}${DATAVERSE_API_PATH}`,
    `  Partner Center API  ${env.partnerCenter.url}    referrals: ${env.partnerCenter.url}${REFERRALS_PATH}`,
    `  Sync backend        ${env.backendUrl}    webhooks registered on both sides; ops: ${env.opsUrl}/healthz, /readyz, /metrics`,
    `  Form page           ${formPage.url}    open this in a browser`,
    "",
    "  Any bearer token works against the sandboxes, e.g.:",
    `    curl -H "Authorization: Bearer sandbox" "${env.dataverse.url}${DATAVERSE_API_PATH}/opportunities?\\$select=name"`,
    "",
    "Demo records:",
    `  "${demo.shareableName}" (Fabrikam S.p.A., Italy): ready to share     ${opportunity(demo.shareableOpportunityId)}`,
    `  "${demo.inboundName}": a Microsoft seller's referral   ${opportunity(demo.inboundOpportunityId)}`,
    `  "${demo.marketplaceLeadCustomer}": a marketplace lead (no inviter, no name in Partner Center)   ${opportunity(demo.marketplaceLeadOpportunityId)}`,
    "",
    "Rehearse:",
    `  1. Share a deal: open "${demo.shareableName}", turn on "Share with Microsoft sellers" (confirm:`,
    "     it cannot be undone, and the deal asks Microsoft for help) and \"Sync with Partner Center\", save.",
    "     Within seconds the section shows ✔ Synced, the referral id and \"Open in Partner Center\".",
    `  2. A Microsoft referral: open "${demo.inboundName}", choose Accept referral (or Decline`,
    `     with a reason) on the command bar; ${page}/#/partner-center shows the new status.`,
    "     Send more referrals as a Microsoft seller from that Partner Center page.",
    "",
    ...describeMicrosoftConnector(sandbox),
    `Backend log: ${sandbox.logPath}    store: ${sandbox.storePath}`,
  ];
}

export interface SandboxCommandOptions {
  io: CliIo;
  formPagePort?: number;
  /** Start the org with Microsoft's co-sell connector installed and linked records (to rehearse the switch). */
  microsoftConnector?: boolean;
  /** Where the store and the backend log go (default ./.sandbox). */
  dir?: string;
  /** Stop when this settles (default: Ctrl-C / SIGTERM). */
  untilStopped?: Promise<unknown>;
  /** Called once everything is up, e.g. for a test to look around before stopping. */
  onReady?: (sandbox: RunningSandbox) => void;
}

export async function sandboxCommand(options: SandboxCommandOptions): Promise<number> {
  const { io } = options;
  const sandbox = await startSandbox({ dir: options.dir, formPagePort: options.formPagePort, microsoftConnector: options.microsoftConnector, onProgress: (message) => io.err(`sandbox: ${message}…`) });
  for (const line of describeSandbox(sandbox)) io.out(line);
  options.onReady?.(sandbox);
  await (options.untilStopped ?? untilSignal());
  io.err("sandbox: stopping…");
  await sandbox.close();
  return ExitCode.ok;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolveSignal(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new CliError(`--form-page-port must be a port number, not "${value}".`, ExitCode.usage);
  return parsed;
}

export function registerSandboxCommand(program: Command, context: CommandContext): void {
  program
    .command("sandbox")
    .description("run the whole product locally without credentials: both sandboxes, the backend, the form page and demo records (npm start)")
    .option("--form-page-port <port>", "port of the form page (default: FORM_PAGE_PORT or any free port)", port)
    .option("--with-microsoft-connector", "start the org with Microsoft's co-sell connector installed, to rehearse `switch-from-microsoft` (default: SANDBOX_MICROSOFT_CONNECTOR=1)")
    .action(async (options: { formPagePort?: number; withMicrosoftConnector?: boolean }) => {
      const fromEnv = process.env.FORM_PAGE_PORT ? port(process.env.FORM_PAGE_PORT) : undefined;
      const microsoftConnector = options.withMicrosoftConnector === true || process.env.SANDBOX_MICROSOFT_CONNECTOR === "1";
      context.exitCode = await sandboxCommand({ io: context.io, formPagePort: options.formPagePort ?? fromEnv, microsoftConnector });
    });
}
