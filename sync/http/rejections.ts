/**
 * Every refused request is logged once at warn with its reason (never the key or the body) and
 * counted by reason in /metrics, so an admin whose webhooks fail has something to read. One source
 * that keeps failing gets one line a minute per reason, saying how many it stood for.
 */
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { SyncMetrics } from "../observability/metrics";

export type RejectionSource = "dataverse" | "partner-center" | "other";

export interface Rejection {
  source: RejectionSource;
  /** A short machine-readable reason, e.g. wrong-key, invalid-context, request-timeout. */
  reason: string;
  status: number;
  /** The client's address, when known. */
  address?: string;
  /** What was wrong, for the admin (never a secret). */
  message: string;
  requestId?: string;
}

export interface RejectionRecorderOptions {
  /** One log line per source address and reason per window. */
  windowMs?: number;
  /** Sources remembered for the rate limit (the least recent are forgotten first). */
  maxSources?: number;
}

export class RejectionRecorder {
  private readonly windows: LRUCache<string, { startedAt: number; suppressed: number }>;
  private readonly windowMs: number;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: SyncMetrics,
    options: RejectionRecorderOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.windows = new LRUCache({ max: options.maxSources ?? 1000 });
  }

  record(rejection: Rejection, now = Date.now()): void {
    this.metrics.webhooksRejected.inc({ source: rejection.source, reason: rejection.reason });
    if (rejection.source !== "other") this.metrics.webhooksReceived.inc({ source: rejection.source, outcome: "rejected" });
    const key = `${rejection.address ?? "?"}|${rejection.source}|${rejection.reason}`;
    const window = this.windows.get(key);
    if (window && now - window.startedAt < this.windowMs) {
      window.suppressed++;
      return;
    }
    this.windows.set(key, { startedAt: now, suppressed: 0 });
    const { message, ...fields } = rejection;
    const alsoRefused = window?.suppressed ? { refusedLikeThisSinceLastLine: window.suppressed } : {};
    this.logger.warn({ ...fields, ...alsoRefused }, `webhook refused (${rejection.reason}): ${message}`);
  }
}
