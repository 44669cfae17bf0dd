/**
 * The whole product on one machine: both sandboxes, our solution imported into the Dataverse one,
 * the sync backend listening on 127.0.0.1 with webhooks registered on both sides, exactly as an
 * admin sets it up against a real org. `npm start`, the API end-to-end tests and the benchmarks all
 * start it through here, so they exercise the same wiring.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import pino from "pino";
import { Tables } from "../../entities";
import { packSolution } from "../../solution/pack";
import { SYNC_SERVICE_ROLE } from "../../solution/xml/security-role";
import { DataverseClient, StaticTokenProvider } from "../../sync/dataverse";
import type { FaultSettings } from "../shared/fault-injection";
import { parseConfig, type Config } from "../../sync/service/config";
import { registerWebhooks } from "../../sync/service/register-webhooks";
import { createSyncService, partnerCenterTokens, WEBHOOKS_SCOPE, type SyncService } from "../../sync/service/sync-service";
import { startDataverseSandbox, type DataverseSandbox, type DataverseSandboxOptions } from "../dataverse/dataverse-sandbox";
import type { MicrosoftConnectorInstallOptions } from "../dataverse/microsoft-connector-install";
import { startPartnerCenterSandbox, type PartnerCenterSandbox, type PartnerCenterSandboxOptions } from "../partner-center/partner-center-sandbox";

export interface SandboxEnvironmentOptions {
  /** SQLite file of the backend (default: in memory). */
  storePath?: string;
  workers?: number;
  logger?: Logger;
  dataverseFaults?: Partial<FaultSettings>;
  partnerCenterFaults?: Partial<FaultSettings>;
  /** Partner Center stand-in settings: page size, refused filters, a state file to start from. */
  partnerCenter?: Pick<PartnerCenterSandboxOptions, "pageSize" | "refusedFilterFields" | "stateFile">;
  /** A solution zip to import; default: packed now from entities/ and the built parts. */
  solutionZip?: string;
  /** Where "Open in Partner Center" links point (the form page's Partner Center page in `npm start`). */
  referralLinkBase?: string;
  reconcileIntervalSeconds?: number;
  /** How often the backend's Dataverse catch-up (delta) pass runs (its default: 30 s). */
  catchUpIntervalSeconds?: number;
  /** Start the backend (default true). Benchmarks run it as a separate process instead. */
  startBackend?: boolean;
  maxAttempts?: number;
  /** How often the backend re-reads the co-sell settings row (default 3 s). */
  settingsRefreshMs?: number;
  /** How often the backend rewrites its heartbeat row (default 60 s). */
  heartbeatIntervalMs?: number;
  /** The backend's Partner Center token cache (PARTNER_CENTER_TOKEN_FILE); its age is the stored sign-in's (default: the config's). */
  partnerCenterTokenFile?: string;
  /** How often the backend re-reads the co-sell field mapping rows (default: settingsRefreshMs, else 3 s). */
  mappingRefreshMs?: number;
  /** The Dataverse stand-in starts with Microsoft's co-sell connector installed (seed its records with microsoft-connector-records.ts). */
  microsoftConnector?: boolean | MicrosoftConnectorInstallOptions;
  /** The Dataverse user's UI language (default 1033). */
  dataverseLanguage?: number;
  /** How far the Dataverse org's clock runs ahead of (negative: behind) the backend's, in ms. */
  dataverseClockOffsetMs?: number;
  /** Dataverse's webhook delivery rule (default: Dataverse's own, one retry after 502/503/504). */
  dataverseWebhookDelivery?: "dataverse" | "redeliver";
  /** Dataverse's service protection limits (default: the documented ones; false: none). */
  dataverseServiceProtection?: DataverseSandboxOptions["serviceProtection"];
  /** Tokens Dataverse's limits do not apply to (a benchmark harness: SANDBOX_TOKEN); the service's always count. */
  dataverseUnlimitedTokens?: DataverseSandboxOptions["unlimitedTokens"];
}

export interface SandboxEnvironment {
  dataverse: DataverseSandbox;
  partnerCenter: PartnerCenterSandbox;
  service: SyncService | null;
  backendUrl: string | null;
  /** The backend's /healthz, /readyz and /metrics. */
  opsUrl: string | null;
  config: Config;
  close(): Promise<void>;
}

/** The sellers' and the admin's token: a System Administrator (what any undeclared token is). */
export const SANDBOX_TOKEN = "sandbox-token";
/** The backend's own token: its application user holds only the role our solution ships. */
export const SANDBOX_SERVICE_TOKEN = "sandbox-service-token";

/**
 * The backend's environment for the two sandboxes: the same variables an admin sets for a real org.
 * Child processes (`cosell …` in tests and benchmarks) get it as their environment.
 */
export function sandboxEnv(dataverse: DataverseSandbox, partnerCenter: PartnerCenterSandbox, options: SandboxEnvironmentOptions & { port?: number }): Record<string, string> {
  return {
    DATAVERSE_URL: dataverse.url,
    DATAVERSE_STATIC_TOKEN: SANDBOX_SERVICE_TOKEN,
    DATAVERSE_ADMIN_STATIC_TOKEN: SANDBOX_TOKEN,
    PARTNER_CENTER_API_URL: partnerCenter.url,
    PARTNER_CENTER_WEBHOOKS_API_URL: partnerCenter.url,
    PARTNER_CENTER_STATIC_TOKEN: SANDBOX_TOKEN,
    PARTNER_CENTER_SANDBOX_CERT_URL: partnerCenter.certificateUrl,
    PARTNER_CENTER_WEBHOOK_TRUSTED_CA: partnerCenter.certificateAuthority.toString(),
    PARTNER_CENTER_REFERRAL_LINK_BASE: options.referralLinkBase ?? `${partnerCenter.url}/v1.0/engagements/referrals`,
    DATAVERSE_WEBHOOK_KEY: randomBytes(24).toString("hex"),
    HOST: "127.0.0.1",
    PORT: String(options.port ?? 0),
    OPS_HOST: "127.0.0.1",
    OPS_PORT: "0",
    STORE_PATH: options.storePath ?? ":memory:",
    WORKERS: String(options.workers ?? 4),
    MAX_ATTEMPTS: String(options.maxAttempts ?? 8),
    RECONCILE_INTERVAL_SECONDS: String(options.reconcileIntervalSeconds ?? 300),
    ...(options.catchUpIntervalSeconds === undefined ? {} : { CATCH_UP_INTERVAL_SECONDS: String(options.catchUpIntervalSeconds) }),
    ...(options.partnerCenterTokenFile === undefined ? {} : { PARTNER_CENTER_TOKEN_FILE: options.partnerCenterTokenFile }),
    LOG_LEVEL: "silent",
  };
}

/** The backend's configuration for the two sandboxes, parsed as the service parses its own. */
export function sandboxConfig(dataverse: DataverseSandbox, partnerCenter: PartnerCenterSandbox, options: SandboxEnvironmentOptions & { port?: number }): Config {
  return parseConfig(sandboxEnv(dataverse, partnerCenter, options));
}

export async function importOurSolution(dataverse: DataverseSandbox, zipPath?: string, onProgress?: (message: string) => void): Promise<void> {
  let zip = zipPath;
  if (!zip) {
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    zip = (await packSolution({ outDir: await mkdtemp(join(tmpdir(), "pcc-sandbox-solution-")), onProgress })).managedZip;
  }
  const response = await fetch(`${dataverse.apiUrl}/ImportSolution`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json", "OData-Version": "4.0" },
    body: JSON.stringify({ CustomizationFile: (await readFile(zip)).toString("base64"), OverwriteUnmanagedCustomizations: true, PublishWorkflows: true }),
  });
  if (!response.ok) throw new Error(`ImportSolution failed: ${response.status} ${await response.text()}`);
}

/** The admin's other setup step: opportunity changes are tracked, so reconcile can ask for a delta. */
export async function enableOpportunityChangeTracking(dataverse: DataverseSandbox): Promise<void> {
  await new DataverseClient({ orgUrl: dataverse.url, tokens: new StaticTokenProvider(SANDBOX_TOKEN) }).enableChangeTracking(Tables.opportunity.logicalName);
}

export async function startSandboxEnvironment(options: SandboxEnvironmentOptions = {}): Promise<SandboxEnvironment> {
  const logger = options.logger ?? pino({ level: "silent" });
  const partnerCenter = await startPartnerCenterSandbox({ ...options.partnerCenter, faults: options.partnerCenterFaults, webhookDelivery: { initialBackoffMs: 100, maxBackoffMs: 2000 } });
  const dataverse = await startDataverseSandbox({
    faults: options.dataverseFaults,
    webhookRetryDelayMs: 100,
    clockOffsetMs: options.dataverseClockOffsetMs,
    webhookDelivery: options.dataverseWebhookDelivery,
    serviceProtection: options.dataverseServiceProtection,
    unlimitedTokens: options.dataverseUnlimitedTokens,
    microsoftConnector: options.microsoftConnector,
    languageCode: options.dataverseLanguage,
    // The service signs in as its own application user: its requests count against its own service
    // protection quota, as in a real org, not against the sellers' and admin's.
    identities: { [SANDBOX_SERVICE_TOKEN]: { roles: [] } },
  });
  try {
    await importOurSolution(dataverse, options.solutionZip);
    await enableOpportunityChangeTracking(dataverse);
    // Least privilege, as the README's admin steps set it up: the service has the shipped role only.
    dataverse.assignRoles(SANDBOX_SERVICE_TOKEN, [SYNC_SERVICE_ROLE.name]);
    const config = sandboxConfig(dataverse, partnerCenter, options);
    if (options.startBackend === false) {
      return {
        dataverse, partnerCenter, service: null, backendUrl: null, opsUrl: null, config,
        async close() {
          await dataverse.close();
          await partnerCenter.close();
        },
      };
    }
    const service = createSyncService(config, logger, {
      workers: options.workers, settingsRefreshMs: options.settingsRefreshMs, mappingRefreshMs: options.mappingRefreshMs, heartbeatIntervalMs: options.heartbeatIntervalMs,
    });
    const { url: backendUrl, opsUrl } = await service.listen();
    await registerWebhooks({
      // The admin registers the webhooks: the service's role cannot.
      dataverse: new DataverseClient({ orgUrl: dataverse.url, tokens: new StaticTokenProvider(SANDBOX_TOKEN) }),
      partnerCenterWebhooksUrl: config.PARTNER_CENTER_WEBHOOKS_API_URL,
      partnerCenterTokens: partnerCenterTokens(config, WEBHOOKS_SCOPE),
      backendUrl,
      webhookKey: config.DATAVERSE_WEBHOOK_KEY,
      // The environment's own wiring: no validation event (tests count deliveries).
      validationWaitMs: 0,
    });
    service.start();
    return {
      dataverse, partnerCenter, service, backendUrl, opsUrl, config,
      async close() {
        await service.stop();
        await dataverse.close();
        await partnerCenter.close();
      },
    };
  } catch (error) {
    await dataverse.close();
    await partnerCenter.close();
    throw error;
  }
}
