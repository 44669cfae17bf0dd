/**
 * Posts the Teams card of a new Microsoft referral to the settings row's Teams Workflows URL, off
 * the sync's path: notify() returns at once, delivery is retried with backoff a bounded number of
 * times, and a failure is logged and counted, never thrown. The store remembers each referral
 * before the first attempt, so one referral is never posted twice (at most once, by design).
 */
import type { Logger } from "pino";
import type { SyncMetrics } from "../observability/metrics";
import type { Referral } from "../partner-center/referral-types";
import type { SyncStore } from "../store";
import { referralCard } from "./referral-card";

export interface TeamsDeliveryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_TEAMS_DELIVERY: TeamsDeliveryPolicy = { attempts: 5, baseDelayMs: 2_000, maxDelayMs: 60_000, timeoutMs: 10_000 };

export interface TeamsNotifierOptions {
  store: Pick<SyncStore, "claimReferralNotification" | "finishReferralNotification">;
  /** The target now (the settings row's); null: notifications are off. */
  webhookUrl: () => string | null;
  opportunityUrl: (opportunityId: string) => string;
  referralUrl: (referralId: string) => string;
  logger: Pick<Logger, "info" | "warn" | "debug">;
  metrics?: SyncMetrics;
  policy?: TeamsDeliveryPolicy;
  fetch?: typeof fetch;
}

/** A response worth trying again: throttled, or the flow's host failing. Other 4xx mean a wrong URL. */
const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

class DeliveryError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly retryAfterMs: number | null = null) {
    super(message);
    this.name = "DeliveryError";
  }
}

export class TeamsNotifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly policy: TeamsDeliveryPolicy;
  private stopped = false;
  /** Cuts the backoff waits short on stop(). */
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: TeamsNotifierOptions) {
    this.policy = options.policy ?? DEFAULT_TEAMS_DELIVERY;
  }

  /** Queues the card of a referral just imported as `opportunityId`; never throws, never waits. */
  notify(referral: Referral, opportunityId: string): void {
    const url = this.options.webhookUrl();
    if (!url || this.stopped) return;
    const delivery = this.deliver(url, referral, opportunityId).catch((error: unknown) => {
      this.options.logger.warn({ err: error, referralId: referral.id }, "Teams notification could not be recorded");
    });
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Resolves once every queued notification is delivered or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops retrying: pending deliveries give up at their next wait. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakers) wake();
    await this.idle();
  }

  private async deliver(url: string, referral: Referral, opportunityId: string): Promise<void> {
    const { store, logger, metrics } = this.options;
    if (!(await store.claimReferralNotification(referral.id, opportunityId))) {
      logger.debug({ referralId: referral.id }, "Teams notification already sent for this referral");
      return;
    }
    const body = JSON.stringify(referralCard({
      referral,
      opportunityUrl: this.options.opportunityUrl(opportunityId),
      referralUrl: this.options.referralUrl(referral.id),
    }));
    let lastError = "";
    let attempts = 0;
    for (let attempt = 1; attempt <= this.policy.attempts; attempt++) {
      attempts = attempt;
      try {
        await this.post(url, body);
        await store.finishReferralNotification(referral.id, { state: "sent", attempts: attempt });
        metrics?.teamsNotifications.inc({ outcome: "sent" });
        logger.info({ referralId: referral.id, opportunityId, attempts: attempt }, "Teams notified of a new Microsoft referral");
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        const retryable = !(error instanceof DeliveryError) || error.retryable;
        if (!retryable || attempt === this.policy.attempts || this.stopped) break;
        metrics?.teamsNotifications.inc({ outcome: "retry" });
        const backoff = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(error instanceof DeliveryError && error.retryAfterMs !== null ? Math.min(this.policy.maxDelayMs, error.retryAfterMs) : backoff);
      }
    }
    await store.finishReferralNotification(referral.id, { state: "failed", attempts, error: lastError });
    metrics?.teamsNotifications.inc({ outcome: "failed" });
    logger.warn(
      { referralId: referral.id, opportunityId, error: lastError },
      "Teams notification of a new Microsoft referral failed; the sync is not affected. Check the Teams webhook URL on the Co-sell settings row (the flow must be on and its trigger URL current)",
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private async post(url: string, body: string): Promise<void> {
    const send = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await send(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(this.policy.timeoutMs) });
    } catch (error) {
      throw new DeliveryError(`could not reach the Teams webhook: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    // Drain the body so the connection is reused.
    const text = await response.text().catch(() => "");
    if (response.ok) return;
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new DeliveryError(
      `the Teams webhook answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
      isRetryableStatus(response.status),
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
    );
  }
}

