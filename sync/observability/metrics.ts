/**
 * Prometheus metrics of the sync backend (prom-client). One registry per service instance, so
 * tests can build several apps in one process without "metric already registered" errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class SyncMetrics {
  readonly registry = new Registry();

  readonly webhooksReceived = new Counter({
    name: "cosell_webhooks_received_total",
    help: "Webhook deliveries received, by source and outcome (accepted, duplicate, rejected).",
    labelNames: ["source", "outcome"] as const,
    registers: [this.registry],
  });

  readonly webhooksRejected = new Counter({
    name: "cosell_webhooks_rejected_total",
    help: "Requests refused at the front door, by source (dataverse, partner-center, other) and reason.",
    labelNames: ["source", "reason"] as const,
    registers: [this.registry],
  });

  readonly jobsEnqueued = new Counter({
    name: "cosell_jobs_enqueued_total",
    help: "Sync jobs enqueued, by trigger (dataverse, partner-center, reconcile, backfill, manual).",
    labelNames: ["trigger"] as const,
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: "cosell_jobs_finished_total",
    help: "Sync jobs finished, by outcome (synced, unchanged, retry, dead-letter, skipped).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: "cosell_job_duration_seconds",
    help: "Time a worker spent on one sync job.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  /** Read from the store when Prometheus scrapes, so it is never stale. */
  private queueDepthSource: (() => Promise<number>) | null = null;

  readonly queueDepth = new Gauge({
    name: "cosell_queue_depth",
    help: "Jobs waiting in the durable queue (pending and running).",
    registers: [this.registry],
    collect: async () => {
      if (this.queueDepthSource) this.queueDepth.set(await this.queueDepthSource());
    },
  });

  measureQueueDepth(source: () => Promise<number>): void {
    this.queueDepthSource = source;
  }

  readonly apiCalls = new Counter({
    name: "cosell_api_calls_total",
    help: "Calls to Dataverse and Partner Center, by target, method and status class.",
    labelNames: ["target", "method", "status"] as const,
    registers: [this.registry],
  });

  readonly apiLatency = new Histogram({
    name: "cosell_api_call_duration_seconds",
    help: "Latency of calls to Dataverse and Partner Center.",
    labelNames: ["target"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  /** Set from the stored Partner Center sign-in (see watchSignIn in sync-service.ts). */
  readonly partnerCenterSignInExpiresIn = new Gauge({
    name: "cosell_partner_center_sign_in_expires_in_seconds",
    help: "Seconds until the stored Partner Center refresh token dies unused (90 days after its last use); warn below 7 days.",
    registers: [this.registry],
  });

  readonly partnerCenterSignInMfa = new Gauge({
    name: "cosell_partner_center_sign_in_mfa",
    help: "1 when the Partner Center sign-in used MFA (the token's amr claim), 0 when it did not (Partner Center refuses it).",
    registers: [this.registry],
  });

  readonly unreadableReferrals = new Counter({
    name: "cosell_unreadable_referrals_total",
    help: "Referrals Partner Center sent in a shape the connector cannot read (each is skipped, the others go on).",
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: "cosell_errors_total",
    help: "Errors by kind (retryable, permanent, validation).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  /** The settings row's kill switch as the workers see it. */
  readonly syncPaused = new Gauge({
    name: "cosell_sync_paused",
    help: "1 while the co-sell settings row pauses all sync (webhooks are still queued), 0 otherwise.",
    registers: [this.registry],
  });

  readonly settingsProblems = new Counter({
    name: "cosell_settings_problems_total",
    help: "Values of the co-sell settings row refused (the last valid value keeps running), and failed reads of the row.",
    registers: [this.registry],
  });

  readonly teamsNotifications = new Counter({
    name: "cosell_teams_notifications_total",
    help: "Teams cards for new Microsoft referrals, by outcome (sent, retry, failed).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  /** Which process this is (sync/cluster): 1, labelled with its INSTANCE_ID and version (join on it in queries). */
  readonly instanceInfo = new Gauge({
    name: "cosell_instance_info",
    help: "1 for this backend instance, labelled with its instance id (INSTANCE_ID) and version.",
    labelNames: ["instance_id", "version"] as const,
    registers: [this.registry],
  });

  /** Read from the cluster's registry when Prometheus scrapes (1 on SQLite: the process itself). */
  private liveInstancesSource: (() => Promise<number>) | null = null;

  readonly liveInstances = new Gauge({
    name: "cosell_instances_live",
    help: "Backend instances whose database session is live, as this instance sees them.",
    registers: [this.registry],
    collect: async () => {
      if (this.liveInstancesSource) this.liveInstances.set(await this.liveInstancesSource().catch(() => 0));
    },
  });

  identifyInstance(instanceId: string, version: string, liveInstances: () => Promise<number>): void {
    this.instanceInfo.set({ instance_id: instanceId, version }, 1);
    this.liveInstancesSource = liveInstances;
  }

  constructor(options: { collectDefaults?: boolean } = {}) {
    if (options.collectDefaults) collectDefaultMetrics({ register: this.registry });
  }
}
