/**
 * Every refused request is logged once at warn with its reason (never the key or the body) and
 * counted by reason in /metrics, so an admin whose webhooks fail has something to read. One source
 * that keeps failing gets one line a minute per reason, saying how many it stood for, and no reason
 * gets more than 20 lines a minute however many addresses send it; a message is cut to 300 characters.
 */
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { SyncMetrics } from "../observability/metrics";

const MAX_MESSAGE = 300;

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
  /** Log lines per reason per window whatever the address (many addresses cannot flood the log). */
  linesPerReason?: number;
  /** Sources remembered for the rate limit (the least recent are forgotten first). */
  maxSources?: number;
}

export class RejectionRecorder {
  private readonly windows: LRUCache<string, { startedAt: number; suppressed: number }>;
  private readonly perReason = new Map<string, { startedAt: number; lines: number }>();
  private readonly windowMs: number;
  private readonly linesPerReason: number;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: SyncMetrics,
    options: RejectionRecorderOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.linesPerReason = options.linesPerReason ?? 20;
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
    const reasonWindow = this.perReason.get(rejection.reason);
    if (reasonWindow && now - reasonWindow.startedAt < this.windowMs) {
      if (reasonWindow.lines >= this.linesPerReason) return;
      reasonWindow.lines++;
    } else {
      this.perReason.set(rejection.reason, { startedAt: now, lines: 1 });
    }
    this.windows.set(key, { startedAt: now, suppressed: 0 });
    const { message: fullMessage, ...fields } = rejection;
    // Messages can quote what the sender sent (a header, a URL): never more than a line's worth.
    const message = fullMessage.length > MAX_MESSAGE ? `${fullMessage.slice(0, MAX_MESSAGE)}…` : fullMessage;
    const alsoRefused = window?.suppressed ? { refusedLikeThisSinceLastLine: window.suppressed } : {};
    this.logger.warn({ ...fields, ...alsoRefused }, `webhook refused (${rejection.reason}): ${message}`);
  }
}
