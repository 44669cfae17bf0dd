/**
 * Forgets webhook delivery keys once senders stop redelivering them (DELIVERY_MEMORY_MS, a day):
 * without it processed_events grows by a row per delivery forever. Runs at start and then every
 * PURGE_INTERVAL_MS on every instance; the delete is idempotent, so several instances purging at
 * once only repeat a cheap indexed DELETE. The audit log and dead jobs are kept: the audit log is the
 * pair's history (it grows with changes, not deliveries) and a dead job is cleared by the link's
 * next success.
 */
import type { Logger } from "pino";
import type { SyncStore } from "../store";

export const PURGE_INTERVAL_MS = 10 * 60_000;

export class DeliveryRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<SyncStore, "purgeExpiredEvents">,
    private readonly logger: Pick<Logger, "info" | "warn">,
    private readonly intervalMs = PURGE_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.purgeNow();
    this.timer = setInterval(() => void this.purgeNow(), this.intervalMs);
    this.timer.unref();
  }

  /** One purge; a purge already under way is joined, not doubled. Never throws: the next tick tries again. */
  purgeNow(): Promise<void> {
    this.running ??= this.store
      .purgeExpiredEvents()
      .then((purged) => {
        if (purged > 0) this.logger.info({ purged }, "Forgot expired webhook delivery keys");
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, "Could not purge expired webhook delivery keys; trying again at the next interval"))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
