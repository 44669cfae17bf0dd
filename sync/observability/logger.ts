/**
 * Structured logs (pino). Secrets never reach a log line: known secret-bearing keys are redacted
 * wherever they appear, and the HTTP app's request serializer drops query strings (the Dataverse
 * webhook key travels as `?code=`; see sync/http/app.ts).
 */
import pino, { type Logger, type LoggerOptions } from "pino";

export const REDACTED_PATHS = [
  "*.authorization",
  "*.Authorization",
  "*.clientSecret",
  "*.refreshToken",
  "*.accessToken",
  "*.webhookKey",
  "*.code",
  "headers.authorization",
  "req.headers.authorization",
  "config.dataverse.clientSecret",
  "config.dataverseWebhookKey",
];

/** `instanceId`: which backend process wrote the line (sync/cluster/instance-id.ts), on every line. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream; instanceId?: string } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    base: { service: "cosell-sync", ...(options.instanceId ? { instance: options.instanceId } : {}) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

export type { Logger };
