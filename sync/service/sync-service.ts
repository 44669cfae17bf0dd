/**
 * The composition root of the sync backend: from a validated Config, the store, both clients, the
 * job handler, the worker pool, the reconciler and the HTTP app. Nothing listens until listen() (called
 * by server.ts and the sandbox), so tests can run the whole service in-process.
 */
import type { Logger } from "pino";
import { OpportunityColumns } from "../../entities";
import { DataverseClient } from "../dataverse/dataverse-client";
import type { TransportOptions } from "../dataverse/fetch-transport";
import { createTokenProvider, type DataverseCredentialConfig } from "../dataverse/token-provider";
import { buildApp, WebhookRejectedError, type SyncTrigger } from "../http/app";
import { startOpsServer, type OpsServer } from "../http/ops-server";
import { measureApiCalls } from "../observability/api-call-metrics";
import { SyncMetrics } from "../observability/metrics";
import { ReferralsClient } from "../partner-center/referrals-client";
import { refreshTokenLastUsedAt, signInHealth, type SignInHealth } from "../partner-center/sign-in-health";
import { DelegatedTokenProvider, REFERRALS_SCOPE, StaticTokenProvider, WEBHOOKS_SCOPE, type TokenProvider } from "../partner-center/token-provider";
import { parseWebhookEvent, WebhookEventError } from "../partner-center/webhook-event";
import {
  createCertificateFetcher,
  productionVerificationPolicy,
  publicRoots,
  screenDeliveryHeaders,
  verifyWebhookSignature,
  type WebhookVerificationPolicy,
} from "../partner-center/webhook-signature-verifier";
import { isFromMicrosoftSeller, opportunityRecordUrl } from "../notify/referral-card";
import { TeamsNotifier } from "../notify/teams-notifier";
import { WorkerPool } from "../queue/worker-pool";
import { postgresCluster, singleInstanceCluster, type Cluster } from "../cluster/cluster";
import { resolveInstanceId } from "../cluster/instance-id";
import { PACKAGE_VERSION } from "../cluster/package-version";
import { Reconciler } from "../reconcile/reconciler";
import { createSyncStore, opportunityLinkKey, referralLinkKey, type SyncStore } from "../store";
import { CrmGateway } from "../worker/crm-gateway";
import { SettingsWatcher, settingsRowReader } from "../settings/settings-watcher";
import { LinkSyncHandler } from "../worker/link-sync.handler";
import { dataverseMappingRows, MappingWatcher } from "../mapping/mapping-watcher";
import { formatPreview } from "../mapping/preview-text";
import { previewSync } from "../mapping/sync-preview";
import { rebaseRepointedFields, RepointedFields } from "../mapping/repointed-fields";
import { clockedColumns, DEFAULT_MAPPING, type MappedFields, type SyncMapping } from "../engine";
import { readTrustedCertificates, type Config } from "./config";
import { DeliveryRetention } from "./delivery-retention";
import { HeartbeatWriter } from "../heartbeat/heartbeat-writer";
import { ServiceActivity } from "../heartbeat/service-activity";
import { webhookHolderReader } from "../heartbeat/webhook-holder";
import { hostname } from "node:os";
import { readFileSync } from "node:fs";

/** The organization the Partner Center sandbox's CA names (sandbox/partner-center/sandbox-certificate.ts). */
const SANDBOX_ISSUER_ORGANIZATION = "Partner Center Sandbox";

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

export function createDataverseClient(config: Config, transport?: TransportOptions): DataverseClient {
  return new DataverseClient({ orgUrl: config.DATAVERSE_URL, tokens: createTokenProvider(config.DATAVERSE_URL, dataverseCredential(config)), transport });
}

/**
 * The Partner Center token provider, watched: each new token's MFA claim and the refresh token's age
 * go to /metrics, and the log warns (once per problem) when the sign-in lacks MFA or is within a week
 * of dying unused. Static tokens (the sandbox) carry no sign-in to watch.
 */
export function watchedPartnerCenterTokens(config: Config, report: { logger?: Logger; metrics?: SyncMetrics; onSignInHealth?: (health: SignInHealth) => void }): TokenProvider {
  const inner = partnerCenterTokens(config);
  return config.PARTNER_CENTER_STATIC_TOKEN ? inner : watchSignIn(inner, config.PARTNER_CENTER_TOKEN_FILE, report);
}

/** `inner`'s tokens, each new one checked (sign-in-health.ts) into /metrics and, once per problem, the log. */
export function watchSignIn(
  inner: TokenProvider,
  cacheFile: string,
  report: { logger?: Pick<Logger, "warn">; metrics?: SyncMetrics; now?: () => Date; onSignInHealth?: (health: SignInHealth) => void },
): TokenProvider {
  const warned = new Set<string>();
  let lastToken = "";
  return {
    async getToken() {
      const token = await inner.getToken();
      if (token === lastToken) return token;
      lastToken = token;
      const now = report.now?.() ?? new Date();
      const health = signInHealth({ token, refreshTokenLastUsedAt: refreshTokenLastUsedAt(cacheFile), now });
      report.onSignInHealth?.(health);
      if (health.mfa !== null) report.metrics?.partnerCenterSignInMfa.set(health.mfa ? 1 : 0);
      if (health.refreshTokenExpiresAt) report.metrics?.partnerCenterSignInExpiresIn.set(Math.round((health.refreshTokenExpiresAt.getTime() - now.getTime()) / 1000));
      for (const warning of health.warnings) {
        if (warned.has(warning)) continue;
        warned.add(warning);
        report.logger?.warn({ user: health.user }, `Partner Center sign-in: ${warning}`);
      }
      return token;
    },
  };
}

/** With a logger (and metrics), each unreadable referral and each refused $filter is reported. */
export function createReferralsClient(config: Config, report: { logger?: Logger; metrics?: SyncMetrics; onSignInHealth?: (health: SignInHealth) => void } = {}): ReferralsClient {
  const { logger, metrics } = report;
  return new ReferralsClient({
    baseUrl: config.PARTNER_CENTER_API_URL,
    tokenProvider: watchedPartnerCenterTokens(config, report),
    onUnreadable: (entry) => {
      metrics?.unreadableReferrals.inc();
      logger?.warn({ referralId: entry.id, name: entry.name, reason: entry.reason }, "Partner Center sent a referral this connector cannot read; it is skipped, the others go on");
    },
    onFilterRefused: (filterKind, error) =>
      logger?.warn({ filter: filterKind, err: error }, "Partner Center refused a $filter it does not document; listing and filtering here instead (logged once)"),
  });
}

export function webhookPolicy(config: Config): WebhookVerificationPolicy {
  // Extra anchors join the public roots: an admin may pin Microsoft's issuing CA; the sandbox adds its own CA.
  const extraAnchors = config.PARTNER_CENTER_WEBHOOK_TRUSTED_CA ? readTrustedCertificates(config.PARTNER_CENTER_WEBHOOK_TRUSTED_CA) : [];
  return productionVerificationPolicy({
    allowedCertificateHosts: config.PARTNER_CENTER_WEBHOOK_CERT_HOSTS.split(",").map((h) => h.trim()).filter(Boolean),
    ...(extraAnchors.length > 0 ? { trustAnchors: [...publicRoots(), ...extraAnchors] } : {}),
    ...(config.PARTNER_CENTER_SANDBOX_CERT_URL
      ? { sandboxCertificateUrl: config.PARTNER_CENTER_SANDBOX_CERT_URL, expectedIssuerOrganization: SANDBOX_ISSUER_ORGANIZATION }
      : {}),
  });
}

/** The "Open in Partner Center" link of a referral, as the sync writes it on the opportunity. */
export function referralLinkFor(config: Config): (referralId: string) => string {
  const linkBase = config.PARTNER_CENTER_REFERRAL_LINK_BASE.replace(/\/+$/, "");
  return (id) => `${linkBase}/${encodeURIComponent(id)}`;
}

/** The job handler as the service composes it, over a given gateway (the backfill's looks up a page of referrals at a time). */
export function createLinkSyncHandler(
  config: Config,
  deps: {
    store: SyncStore;
    crm: CrmGateway;
    referrals: ReferralsClient;
    logger: Logger;
    mapping?: SyncMapping;
    /** The mapping rows: the mapping in force, asked at each job (over `mapping`). */
    mappingWatcher?: MappingWatcher;
    /** When each opportunity field was last re-pointed (the merge corrects older bases). */
    repointed?: RepointedFields;
    /** The co-sell settings row: its conflict policy wins over the mapping file's default. */
    settings?: SettingsWatcher;
    /** Posts the Teams card of each new Microsoft referral. */
    notifier?: TeamsNotifier;
    /** Pair and customer locks shared with the other instances (default: this process only). */
    cluster?: Pick<Cluster, "pairLocks" | "customerLocks">;
  },
): LinkSyncHandler {
  const { settings, notifier, mappingWatcher, repointed, cluster, ...rest } = deps;
  return new LinkSyncHandler({
    ...rest,
    ...(mappingWatcher ? { currentMapping: () => mappingWatcher.current() } : {}),
    ...(repointed ? { rebase: (base, savedAt, crm) => rebaseRepointedFields(base, savedAt, crm, (field) => repointed.repointedAt(field))! } : {}),
    ...(cluster ? { pairLocks: cluster.pairLocks, customerLocks: cluster.customerLocks } : {}),
    referralLink: referralLinkFor(config),
    // The admin's mapping file (checked against the org at start by server.ts) and its conflict policy.
    policy: deps.mapping?.conflictPolicy,
    ...(settings ? { currentPolicy: () => settings.conflictPolicy(deps.mapping?.conflictPolicy) } : {}),
    ...(notifier
      ? {
          onReferralImported: (referral, opportunityId) => {
            if (isFromMicrosoftSeller(referral)) notifier.notify(referral, opportunityId);
          },
        }
      : {}),
  });
}

/** The version the heartbeat reports: package.json's. */
const SERVICE_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * The stored sign-in's health now: its expiry from the token cache's last write (so a sign-in nearing
 * its 90 days shows without a new token), user and MFA from the last token. Null without a stored sign-in.
 */
function currentSignIn(config: Config, last: SignInHealth | null): SignInHealth | null {
  const lastUsed = refreshTokenLastUsedAt(config.PARTNER_CENTER_TOKEN_FILE);
  if (!lastUsed) return last;
  const health = signInHealth({ token: "", refreshTokenLastUsedAt: lastUsed, now: new Date() });
  if (!last) return health;
  return { ...health, user: last.user, mfa: last.mfa, warnings: [...last.warnings.filter((w) => /multi-factor/.test(w)), ...health.warnings] };
}

export interface SyncService {
  config: Config;
  store: SyncStore;
  dataverse: DataverseClient;
  referrals: ReferralsClient;
  handler: LinkSyncHandler;
  pool: WorkerPool;
  /** This instance among the others sharing the store (one, itself, on SQLite). */
  cluster: Cluster;
  reconciler: Reconciler;
  /** The co-sell settings row, re-read every few seconds (pause, conflict policy, catch-up interval, Teams URL). */
  settings: SettingsWatcher;
  /** The co-sell field mapping rows, re-read every few seconds, checked, and run. */
  mapping: MappingWatcher;
  notifier: TeamsNotifier;
  metrics: SyncMetrics;
  /** Rewrites this instance's pcc_cosellheartbeat row every minute (the Sync health page reads it). */
  heartbeat: HeartbeatWriter;
  app: ReturnType<typeof buildApp>;
  enqueue(trigger: SyncTrigger): Promise<{ duplicate: boolean }>;
  /** Opens the public webhook port (HOST:PORT) and the ops port (OPS_HOST:OPS_PORT). */
  listen(): Promise<{ url: string; opsUrl: string }>;
  /** Starts workers and the reconcile timer (the ports are opened by listen()). */
  start(): void;
  stop(): Promise<void>;
}

export function createSyncService(
  config: Config,
  logger: Logger,
  options: {
    metrics?: SyncMetrics;
    workers?: number;
    mapping?: SyncMapping;
    settingsRefreshMs?: number;
    mappingRefreshMs?: number;
    heartbeatIntervalMs?: number;
    dataverseTransport?: TransportOptions;
    instanceId?: string;
  } = {},
): SyncService {
  const metrics = options.metrics ?? new SyncMetrics({ collectDefaults: true });
  const store = createSyncStore(config.STORE_URL || undefined, {
    sqlitePath: config.STORE_PATH,
    maxAttempts: config.MAX_ATTEMPTS,
    onConnectionLost: (error) => logger.warn({ err: error }, "a store connection was closed by the server"),
  });
  const instanceId = options.instanceId ?? resolveInstanceId(config.INSTANCE_ID);
  const cluster = config.STORE_URL
    ? postgresCluster({ url: config.STORE_URL, instanceId, version: PACKAGE_VERSION, logger, store })
    : singleInstanceCluster(instanceId, PACKAGE_VERSION);
  metrics.identifyInstance(instanceId, PACKAGE_VERSION, async () => (await cluster.instances()).filter((instance) => instance.live).length);
  metrics.measureQueueDepth(async () => {
    const jobs = await store.countJobs();
    return jobs.pending + jobs.running;
  });
  const dataverse = createDataverseClient(config, options.dataverseTransport);
  // The sign-in as last seen on a new token (user, MFA); its expiry is read again at each heartbeat.
  let lastSignIn: SignInHealth | null = null;
  const referrals = createReferralsClient(config, { logger, metrics, onSignInHealth: (health) => { lastSignIn = health; } });
  const activity = new ServiceActivity();
  let settingsRead = false;
  const settings = new SettingsWatcher({ read: settingsRowReader(dataverse), logger, metrics, refreshMs: options.settingsRefreshMs });
  const notifier = new TeamsNotifier({
    store,
    webhookUrl: () => settings.current().teamsWebhookUrl,
    opportunityUrl: (id) => opportunityRecordUrl(config.DATAVERSE_URL, id),
    referralUrl: referralLinkFor(config),
    logger,
    metrics,
  });
  let mappingRead = false;
  const repointed = new RepointedFields(store);
  const fallbackMapping = options.mapping ?? DEFAULT_MAPPING;
  // The mapping rows win over the start-up mapping (MAPPING_FILE or the default) unless MAPPING_FILE is set.
  const mappingWatcher: MappingWatcher = new MappingWatcher({
    access: dataverseMappingRows(dataverse),
    fallback: fallbackMapping,
    // The re-pointing is on record before any job runs under the new mapping.
    beforeSwap: (next) => repointed.observe(next, Date.now()),
    ...(config.MAPPING_FILE ? { mappingFile: config.MAPPING_FILE } : {}),
    logger,
    preview: async (reference, mapping) => {
      const rebase = (base: MappedFields, savedAt: number, fields: MappedFields) => rebaseRepointedFields(base, savedAt, fields, (field) => repointed.repointedAt(field))!;
      return formatPreview(await previewSync({ crm, referrals, store, rebase }, reference, mapping));
    },
    refreshMs: options.mappingRefreshMs ?? options.settingsRefreshMs,
  });
  // The gateway reads whatever columns the mapping in force points at.
  const crm = new CrmGateway(dataverse, (table) => mappingWatcher.columnsOf(table));
  const handler = createLinkSyncHandler(config, { store, crm, referrals, logger, mapping: options.mapping, mappingWatcher, repointed, settings, notifier, cluster });
  const pool = new WorkerPool({
    store, handler, logger, metrics,
    // The kill switch: webhooks are still accepted and queued, workers just claim nothing (nor
    // before the row's first read has answered, so a paused row is never run over at start), nor
    // while the instance has lost its database session (its locks and liveness went with it).
    isPaused: () => !settingsRead || !mappingRead || settings.isPaused() || !cluster.canTakeWork(),
    // Worker ids carry the instance id where other instances take over a dead one's jobs by it;
    // on SQLite they keep the pid, by which a restarted process takes over its predecessor's.
    ...(config.STORE_URL ? { instanceId } : {}),
    workers: options.workers ?? config.WORKERS,
    retryPolicy: { maxAttempts: config.MAX_ATTEMPTS, baseDelayMs: 500, maxDelayMs: 60_000 },
  });

  let clockedOpportunityColumns = clockedColumns(mappingWatcher.current().opportunity);
  mappingWatcher.onChange((mapping) => {
    clockedOpportunityColumns = clockedColumns(mapping.opportunity);
  });

  async function enqueue(trigger: SyncTrigger): Promise<{ duplicate: boolean }> {
    // Kept even for a duplicate delivery: the time is the write's own, the same on every copy. Our own
    // writes (they always set pcc_lastsyncedon) are left out: the times date what others changed, and
    // our creation of an imported opportunity once dated a seller's later edit whose webhook was late.
    const change = trigger.kind === "opportunity" ? trigger.columnChange : null;
    if (change && !change.columns.includes(OWN_WRITE_MARK)) {
      // Only the columns the clocks can use: a delivery naming thousands of columns adds a handful of rows.
      const clocked = change.columns.filter((column) => clockedOpportunityColumns.has(column));
      if (clocked.length > 0) await store.recordColumnChanges(trigger.id, clocked, change.at);
    }
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

  const retention = new DeliveryRetention(store, logger);
  const reconciler = new Reconciler({ store, dataverse, referrals, enqueue, logger, onCatchUpFinished: () => activity.reconciled() });
  const heartbeat = new HeartbeatWriter({
    dataverse,
    instance: `${hostname()}:${process.pid}`,
    version: SERVICE_VERSION,
    activity,
    signIn: () => currentSignIn(config, lastSignIn),
    webhookHolder: webhookHolderReader({
      url: config.PARTNER_CENTER_WEBHOOKS_API_URL,
      tokens: partnerCenterTokens(config, WEBHOOKS_SCOPE),
      // PUBLIC_BASE_URL when set (behind a proxy the listening address is not the public one), else where it listens.
      ours: () => {
        const base = config.PUBLIC_BASE_URL ?? listeningUrl;
        return base ? `${base.replace(/\/+$/, "")}/webhooks/partner-center` : null;
      },
    }),
    logger,
    intervalMs: options.heartbeatIntervalMs,
  });
  // Unpausing (or any change) wakes idle workers at once instead of at their next poll.
  settings.onChange(() => pool.wake());
  // The catch-up interval: the settings row's when set, else CATCH_UP_INTERVAL_SECONDS; a change restarts the timers.
  let reconcilerStarted = false;
  let serviceStarted = false;
  let catchUpSeconds = 0;
  // Reconcile and catch-up run on the leader only (one instance at a time across the cluster).
  const startReconciler = () => {
    if (!cluster.isLeader()) return;
    catchUpSeconds = settings.catchUpIntervalSeconds(config.CATCH_UP_INTERVAL_SECONDS);
    reconciler.start(config.RECONCILE_INTERVAL_SECONDS * 1000, catchUpSeconds * 1000);
    reconcilerStarted = true;
  };
  cluster.onLeadershipChange((leader) => {
    if (!serviceStarted) return;
    if (!leader) {
      reconcilerStarted = false;
      reconciler.stop();
      return;
    }
    startReconciler();
    // The new leader catches up at once on what changed while the old one was gone.
    reconciler.reconcile().catch((error: unknown) => logger.warn({ err: error }, "reconcile pass failed; the next pass retries"));
  });
  settings.onChange(() => {
    if (reconcilerStarted && settings.catchUpIntervalSeconds(config.CATCH_UP_INTERVAL_SECONDS) !== catchUpSeconds) startReconciler();
  });
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
    // The webhook routes' enqueue: the heartbeat reports when each side was last heard from.
    enqueue: async (trigger) => {
      const result = await enqueue(trigger);
      activity.webhookAccepted(trigger.source);
      return result;
    },
    limits: { maxConnectionsPerAddress: config.MAX_CONNECTIONS_PER_ADDRESS },
    trustProxy: config.TRUST_PROXY === "false" ? false : config.TRUST_PROXY === "true" ? true : config.TRUST_PROXY,
    screenPartnerCenterHeaders: (headers) => {
      const screened = screenDeliveryHeaders(headers, policy);
      return screened.ok ? null : new WebhookRejectedError(401, `Partner Center delivery refused (${screened.reason}): ${screened.detail}`, { reason: screened.reason });
    },
    verifyPartnerCenterEvent: async (rawBody, headers) => {
      const verdict = await verifyWebhookSignature({ rawBody: Buffer.from(rawBody, "utf8"), headers, fetchCertificate, policy });
      if (!verdict.ok) {
        // A certificate we could not load says nothing about the delivery: 503 lets Partner Center try again.
        const status = verdict.reason === "certificate-unavailable" ? 503 : 401;
        throw new WebhookRejectedError(status, `Partner Center signature rejected (${verdict.reason}): ${verdict.detail}`, { reason: verdict.reason });
      }
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
        if (error instanceof WebhookEventError) throw new WebhookRejectedError(400, error.message, { cause: error, reason: "invalid-event" });
        throw error;
      }
    },
  });

  let ops: OpsServer | null = null;
  let listeningUrl: string | null = null;
  return {
    config, store, dataverse, referrals, handler, pool, cluster, reconciler, settings, mapping: mappingWatcher, notifier, metrics, heartbeat, app, enqueue,
    async listen() {
      await cluster.start();
      const url = await app.listen({ host: config.HOST, port: config.PORT });
      ops = await startOpsServer({
        host: config.OPS_HOST,
        port: config.OPS_PORT,
        metrics,
        logger,
        probeStore: async () => {
          if (!cluster.canTakeWork()) throw new Error("this instance lost its database session; it takes no work until it is back");
          await store.countJobs();
        },
      }).catch(async (error: unknown) => {
        await app.close();
        await cluster.stop();
        throw error;
      });
      listeningUrl = url.replace("localhost", "127.0.0.1");
      return { url: listeningUrl, opsUrl: ops.url };
    },
    start() {
      void settings.refresh().finally(() => {
        settingsRead = true;
        pool.wake();
      });
      settings.start();
      // Workers wait for the first read of the mapping rows too: a re-pointed field is never synced through its old column.
      void repointed
        .observe(fallbackMapping, Date.now())
        .then(() => mappingWatcher.refresh())
        .catch((error: unknown) => logger.warn({ err: error }, "could not record the field mapping in the store; the mapping rows are read at the next poll"))
        .finally(() => {
          mappingRead = true;
          pool.wake();
        });
      mappingWatcher.start();
      pool.start();
      serviceStarted = true;
      startReconciler();
      retention.start();
      heartbeat.start();
    },
    async stop() {
      ops?.markStopping();
      stopMeasuring();
      reconcilerStarted = false;
      heartbeat.stop();
      reconciler.stop();
      await retention.stop();
      settings.stop();
      await mappingWatcher.stop();
      await pool.stop();
      await cluster.stop();
      await notifier.stop();
      await app.close();
      await ops?.close();
      await store.close();
    },
  };
}

export { WEBHOOKS_SCOPE };
