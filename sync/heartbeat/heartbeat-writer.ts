/**
 * The service's heartbeat: every minute each instance rewrites its own row of pcc_cosellheartbeat
 * (entities/cosell-heartbeat.ts) with its version, start time, last webhook from each side, last
 * reconcile, the Partner Center sign-in's health and expiry, and who holds Partner Center's webhook
 * registration. The Sync health page reads the rows: a row not rewritten for 3 minutes means that
 * instance stopped. A failed write never stops the service: it is logged once (until it changes).
 */
import type { Logger } from "pino";
import { CoSellHeartbeatColumns as C, CoSellHeartbeatTable, HEARTBEAT_INTERVAL_MS } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { odataString } from "../dataverse/odata-rows";
import type { SignInHealth } from "../partner-center/sign-in-health";
import type { ServiceActivity } from "./service-activity";

export interface HeartbeatOptions {
  dataverse: Pick<DataverseClient, "query" | "create" | "update">;
  /** Names this instance's row: host and process, unique among running instances. */
  instance: string;
  version: string;
  activity: ServiceActivity;
  /** The stored Partner Center sign-in's health; null when the service runs on a static token (no sign-in to watch). */
  signIn: () => SignInHealth | null;
  /** Where Partner Center's one webhook registration points, said for an admin. */
  webhookHolder: () => Promise<string>;
  logger: Pick<Logger, "info" | "warn">;
  intervalMs?: number;
  now?: () => Date;
}

/** What pcc_signinstatus says: OK, the problems to act on, or that there is no stored sign-in. */
export function describeSignIn(health: SignInHealth | null): string {
  if (!health) return "No stored sign-in: the service uses a fixed token (PARTNER_CENTER_STATIC_TOKEN).";
  if (health.warnings.length > 0) return health.warnings.map((warning) => `Warning: ${warning}`).join("\n");
  return `OK${health.user ? ` (signed in as ${health.user}${health.mfa ? ", with MFA" : ""})` : ""}`;
}

export class HeartbeatWriter {
  private timer: NodeJS.Timeout | null = null;
  private rowId: string | null = null;
  private readonly startedAt: Date;
  private lastProblem = "";
  private beating: Promise<void> | null = null;

  constructor(private readonly options: HeartbeatOptions) {
    this.startedAt = this.now();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Writes at once, then every interval. */
  start(): void {
    this.stop();
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One write of the row; concurrent calls share it. Never throws. */
  beat(): Promise<void> {
    this.beating ??= this.write().finally(() => {
      this.beating = null;
    });
    return this.beating;
  }

  private async values(): Promise<Record<string, unknown>> {
    const { activity } = this.options;
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    const signIn = this.options.signIn();
    const holder = await this.options.webhookHolder().catch((error: unknown) => `Could not read Partner Center's webhook registration: ${(error as Error).message}`);
    return {
      [C.name]: this.options.instance,
      [C.beatOn]: this.now().toISOString(),
      [C.startedOn]: this.startedAt.toISOString(),
      [C.version]: this.options.version,
      [C.lastDataverseWebhookOn]: iso(activity.lastWebhookFrom("dataverse")),
      [C.lastPartnerCenterWebhookOn]: iso(activity.lastWebhookFrom("partner-center")),
      [C.lastReconcileOn]: iso(activity.lastReconcileAt()),
      [C.signInStatus]: describeSignIn(signIn).slice(0, 1000),
      [C.signInExpiresOn]: iso(signIn?.refreshTokenExpiresAt ?? null),
      [C.webhookHolder]: holder.slice(0, 1000),
    };
  }

  private async write(): Promise<void> {
    try {
      const values = await this.values();
      const { dataverse } = this.options;
      if (!this.rowId) {
        // A restarted instance with the same name takes its old row over instead of adding one.
        const [existing] = await dataverse.query<Record<string, unknown>>(CoSellHeartbeatTable, [C.name], { filter: `${C.name} eq ${odataString(this.options.instance)}`, top: 1 });
        this.rowId = existing?.id ?? (await dataverse.create(CoSellHeartbeatTable, values));
        if (!existing) return this.recovered();
      }
      await dataverse.update(CoSellHeartbeatTable, this.rowId, values);
      this.recovered();
    } catch (error) {
      // A deleted row is written again next time.
      if ((error as { isNotFound?: boolean }).isNotFound) this.rowId = null;
      const problem = (error as Error).message ?? String(error);
      if (problem !== this.lastProblem) {
        this.lastProblem = problem;
        this.options.logger.warn({ err: error }, `Could not write the heartbeat row (${CoSellHeartbeatTable.logicalName}): the Sync health page will say the service is not running. Check that the solution is up to date and the service's role may create and write ${CoSellHeartbeatTable.logicalName}`);
      }
    }
  }

  private recovered(): void {
    if (this.lastProblem) this.options.logger.info("The heartbeat row is written again");
    this.lastProblem = "";
  }
}
