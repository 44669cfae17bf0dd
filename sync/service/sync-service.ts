/**
 * The composition root of the sync backend: from a validated Config, the store, both clients, the
 * job handler, the worker pool, the reconciler and the HTTP app. No port is opened here (server.ts
 * does that), so tests and the sandbox command can run the whole service in-process.
 */
import type { Logger } from "pino";
import { OpportunityColumns } from "../../entities";
import { DataverseClient } from "../dataverse/dataverse-client";
import { createTokenProvider, type DataverseCredentialConfig } from "../dataverse/token-provider";
import { buildApp, WebhookRejectedError, type SyncTrigger } from "../http/app";
import { measureApiCalls } from "../observability/api-call-metrics";
import { SyncMetrics } from "../observability/metrics";
import { ReferralsClient } from "../partner-center/referrals-client";
import { DelegatedTokenProvider, REFERRALS_SCOPE, StaticTokenProvider, WEBHOOKS_SCOPE, type TokenProvider } from "../partner-center/token-provider";
import { parseWebhookEvent, WebhookEventError } from "../partner-center/webhook-event";
import {
  createCertificateFetcher,
  productionVerificationPolicy,
  verifyWebhookSignature,
  type WebhookVerificationPolicy,
} from "../partner-center/webhook-signature-verifier";
import { WorkerPool } from "../queue/worker-pool";
import { Reconciler } from "../reconcile/reconciler";
import { opportunityLinkKey, openSqliteSyncStore, referralLinkKey, type SyncStore } from "../store";
import { CrmGateway } from "../worker/crm-gateway";
import { LinkSyncHandler } from "../worker/link-sync.handler";
import type { SyncMapping } from "../engine";
import type { Config } from "./config";

/** The column only the backend writes, on every opportunity write of its own. */
const OWN_WRITE_MARK = OpportunityColumns.lastSyncedOn.toLowerCase();

/** Webhook senders redeliver for hours; a day of memory is plenty. */
const DELIVERY_MEMORY_MS = 24 * 60 * 60_000;

export function dataverseCredential(config: Config): DataverseCredentialConfig {
  if (config.DATAVERSE_STATIC_TOKEN) return { kind: "static", token: config.DATAVERSE_STATIC_TOKEN };
  if (config.DATAVERSE_USE_MANAGED_IDENTITY === "true") return { kind: "managedIdentity", clientId: config.DATAVERSE_CLIENT_ID };
  if (config.DATAVERSE_CLIENT_CERTIFICATE_PATH) {
    return { kind: "clientCertificate", tenantId: config.DATAVERSE_TENANT_ID!, clientId: config.DATAVERSE_CLIENT_ID!, certificatePath: config.DATAVERSE_CLIENT_CERTIFICATE_PATH };
  }
  return { kind: "clientSecret", tenantId: config.DATAVERSE_TENANT_ID!, clientId: config.DATAVERSE_CLIENT_ID!, clientSecret: config.DATAVERSE_CLIENT_SECRET! };
}

export function partnerCenterTokens(config: Config, scope: string = REFERRALS_SCOPE): TokenProvider {
  if (config.PARTNER_CENTER_STATIC_TOKEN) return new StaticTokenProvider(config.PARTNER_CENTER_STATIC_TOKEN);
  return delegatedTokenProvider(config, scope);
}

/** The Referrals admin's sign-in for one API (`cosell login` signs in through the same provider). */
export function delegatedTokenProvider(config: Config, scope: string): DelegatedTokenProvider {
  return new DelegatedTokenProvider({
    clientId: config.PARTNER_CENTER_CLIENT_ID!,
    tenantId: config.PARTNER_CENTER_TENANT_ID,
    scope,
    cacheFile: config.PARTNER_CENTER_TOKEN_FILE,
    cacheSecret: config.PARTNER_CENTER_TOKEN_SECRET!,
  });
}

export function createDataverseClient(config: Config): DataverseClient {
  return new DataverseClient({ orgUrl: config.DATAVERSE_URL, tokens: createTokenProvider(config.DATAVERSE_URL, dataverseCredential(config)) });
}

export function createReferralsClient(config: Config): ReferralsClient {
  return new ReferralsClient({ baseUrl: config.PARTNER_CENTER_API_URL, tokenProvider: partnerCenterTokens(config) });
}

export function webhookPolicy(config: Config): WebhookVerificationPolicy {
  return productionVerificationPolicy({
    allowedCertificateHosts: config.PARTNER_CENTER_WEBHOOK_CERT_HOSTS.split(",").map((h) => h.trim()).filter(Boolean),
    ...(config.PARTNER_CENTER_SANDBOX_CERT_URL ? { sandboxCertificateUrl: config.PARTNER_CENTER_SANDBOX_CERT_URL, expectedOrganization: "Partner Center Sandbox" } : {}),
  });
}

/** The job handler as the service composes it, over a given gateway (the backfill's looks up a page of referrals at a time). */
export function createLinkSyncHandler(
  config: Config,
  deps: { store: SyncStore; crm: CrmGateway; referrals: ReferralsClient; logger: Logger; mapping?: SyncMapping },
): LinkSyncHandler {
  const linkBase = config.PARTNER_CENTER_REFERRAL_LINK_BASE.replace(/\/+$/, "");
  return new LinkSyncHandler({
    ...deps,
    referralLink: (id) => `${linkBase}/${encodeURIComponent(id)}`,
    // The admin's mapping file (checked against the org at start by server.ts) and its conflict policy.
    policy: deps.mapping?.conflictPolicy,
  });
}

export interface SyncService {
  config: Config;
  store: SyncStore;
  dataverse: DataverseClient;
  referrals: ReferralsClient;
  handler: LinkSyncHandler;
  pool: WorkerPool;
  reconciler: Reconciler;
  metrics: SyncMetrics;
  app: ReturnType<typeof buildApp>;
  enqueue(trigger: SyncTrigger): Promise<{ duplicate: boolean }>;
  /** Starts workers and the reconcile timer (the HTTP port is opened by the caller). */
  start(): void;
  stop(): Promise<void>;
}

export function createSyncService(
  config: Config,
  logger: Logger,
  options: { metrics?: SyncMetrics; workers?: number; mapping?: SyncMapping } = {},
): SyncService {
  const metrics = options.metrics ?? new SyncMetrics({ collectDefaults: true });
  const store = openSqliteSyncStore({ path: config.STORE_PATH, maxAttempts: config.MAX_ATTEMPTS });
  metrics.measureQueueDepth(async () => {
    const jobs = await store.countJobs();
    return jobs.pending + jobs.running;
  });
  const dataverse = createDataverseClient(config);
  const referrals = createReferralsClient(config);
  const handler = createLinkSyncHandler(config, { store, crm: new CrmGateway(dataverse), referrals, logger, mapping: options.mapping });
  const pool = new WorkerPool({
    store, handler, logger, metrics,
    workers: options.workers ?? config.WORKERS,
    retryPolicy: { maxAttempts: config.MAX_ATTEMPTS, baseDelayMs: 500, maxDelayMs: 60_000 },
  });

  async function enqueue(trigger: SyncTrigger): Promise<{ duplicate: boolean }> {
    // Kept even for a duplicate delivery: the time is the write's own, the same on every copy. Our own
    // writes (they always set pcc_lastsyncedon) are left out: the times date what others changed, and
    // our creation of an imported opportunity once dated a seller's later edit whose webhook was late.
    const change = trigger.kind === "opportunity" ? trigger.columnChange : null;
    if (change && !change.columns.includes(OWN_WRITE_MARK)) await store.recordColumnChanges(trigger.id, change.columns, change.at);
    // Partner Center's events carry no columns: each tells only when the referral changed.
    if (trigger.kind === "referral" && trigger.referralChangedAt !== undefined) await store.recordReferralChange(trigger.id, trigger.referralChangedAt, false);
    const link = trigger.kind === "opportunity" ? await store.findLinkByOpportunityId(trigger.id) : await store.findLinkByReferralId(trigger.id);
    const linkKey = link?.key ?? (trigger.kind === "opportunity" ? opportunityLinkKey(trigger.id) : referralLinkKey(trigger.id));
    const result = await store.acceptEvent(
      { key: trigger.deliveryKey, ttlMs: DELIVERY_MEMORY_MS },
      {
        linkKey,
        opportunityId: trigger.kind === "opportunity" ? trigger.id : null,
        referralId: trigger.kind === "referral" ? trigger.id : null,
        reasons: [`${trigger.source}`],
      },
    );
    if (!result.duplicate) {
      metrics.jobsEnqueued.inc({ trigger: trigger.source });
      pool.wake();
    }
    return { duplicate: result.duplicate };
  }

  const reconciler = new Reconciler({ store, dataverse, referrals, enqueue, logger });
  const stopMeasuring = measureApiCalls(metrics, {
    dataverse: config.DATAVERSE_URL,
    partnerCenter: [config.PARTNER_CENTER_API_URL, config.PARTNER_CENTER_WEBHOOKS_API_URL],
  });
  const fetchCertificate = createCertificateFetcher();
  const policy = webhookPolicy(config);

  const app = buildApp({
    logger,
    metrics,
    dataverseWebhookKey: config.DATAVERSE_WEBHOOK_KEY,
    enqueue,
    verifyPartnerCenterEvent: async (rawBody, headers) => {
      const verdict = await verifyWebhookSignature({ rawBody: Buffer.from(rawBody, "utf8"), headers, fetchCertificate, policy });
      if (!verdict.ok) throw new WebhookRejectedError(401, `Partner Center signature rejected (${verdict.reason}): ${verdict.detail}`);
      try {
        const parsed = parseWebhookEvent(rawBody);
        if (!parsed.referralId) return null;
        return {
          eventName: parsed.event.EventName,
          referralId: parsed.referralId,
          deliveryKey: `partner-center:${parsed.dedupeKey}`,
          changedAt: Date.parse(parsed.event.ResourceChangeUtcDate),
        };
      } catch (error) {
        if (error instanceof WebhookEventError) throw new WebhookRejectedError(400, error.message, { cause: error });
        throw error;
      }
    },
    readiness: async () => {
      const checks: Record<string, string> = {};
      try {
        await store.countJobs();
        checks.store = "ok";
      } catch (error) {
        checks.store = `store unavailable: ${(error as Error).message}`;
      }
      return checks;
    },
  });

  return {
    config, store, dataverse, referrals, handler, pool, reconciler, metrics, app, enqueue,
    start() {
      pool.start();
      reconciler.start(config.RECONCILE_INTERVAL_SECONDS * 1000, config.CATCH_UP_INTERVAL_SECONDS * 1000);
    },
    async stop() {
      stopMeasuring();
      reconciler.stop();
      await pool.stop();
      await app.close();
      await store.close();
    },
  };
}

export { WEBHOOKS_SCOPE };
