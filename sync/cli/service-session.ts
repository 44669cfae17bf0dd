/**
 * The sync service for one CLI command: composed exactly as `cosell serve` composes it (same store
 * file, same clients, same handler) but without a port, workers or reconcile timer, and always
 * closed afterwards so the SQLite file is released.
 */
import type { TransportOptions } from "../dataverse/fetch-transport";
import pino from "pino";
import type { Config } from "../service/config";
import { createSyncService, type SyncService } from "../service/sync-service";
import { createLogger, type Logger } from "../observability/logger";
import { SyncMetrics } from "../observability/metrics";

/** Log lines go to stderr, and only warnings unless LOG_LEVEL asks for more: stdout is the command's result. */
export function cliLogger(config: Pick<Config, "LOG_LEVEL">): Logger {
  const level = config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" || config.LOG_LEVEL === "silent" ? config.LOG_LEVEL : "warn";
  return createLogger({ level, destination: pino.destination({ fd: 2, sync: true }) });
}

export async function withService<T>(
  config: Config,
  run: (service: SyncService) => Promise<T>,
  logger: Logger = cliLogger(config),
  options: { dataverseTransport?: TransportOptions } = {},
): Promise<T> {
  const service = createSyncService(config, logger, { workers: 1, metrics: new SyncMetrics({ collectDefaults: false }), dataverseTransport: options.dataverseTransport });
  try {
    return await run(service);
  } finally {
    await service.stop();
  }
}
