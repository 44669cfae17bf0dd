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
import { CliError, ExitCode } from "./cli-io";
import type { SyncMapping } from "../engine";
import { loadSyncMapping } from "../server";

/** Log lines go to stderr, and only warnings unless LOG_LEVEL asks for more: stdout is the command's result. */
export function cliLogger(config: Pick<Config, "LOG_LEVEL">): Logger {
  const level = config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" || config.LOG_LEVEL === "silent" ? config.LOG_LEVEL : "warn";
  return createLogger({ level, destination: pino.destination({ fd: 2, sync: true }) });
}

export async function withService<T>(
  config: Config,
  run: (service: SyncService) => Promise<T>,
  logger: Logger = cliLogger(config),
  options: { dataverseTransport?: TransportOptions; mapping?: SyncMapping } = {},
): Promise<T> {
  // The admin's MAPPING_FILE, as serve loads it: it wins over the mapping rows when set.
  const mapping = options.mapping ?? (await loadSyncMapping(config));
  const service = createSyncService(config, logger, { workers: 1, metrics: new SyncMetrics({ collectDefaults: false }), dataverseTransport: options.dataverseTransport, mapping });
  try {
    return await run(service);
  } finally {
    await service.stop();
  }
}

/**
 * What `serve` would run with: the co-sell settings row and the mapping rows (checked against the
 * org). A paused sync (Co-sell settings › Pause) stops a one-off command too, unless the admin says
 * otherwise: whoever paused it expects no writes to either side until it is resumed.
 */
export async function loadRunningConfiguration(service: SyncService, options: { command: string; evenIfPaused?: boolean }): Promise<void> {
  await Promise.all([service.settings.refresh(), service.mapping.refresh()]);
  if (service.settings.isPaused() && !options.evenIfPaused) {
    throw new CliError(
      `Co-sell sync is paused (Co-sell settings, "Pause sync" is Yes), so \`cosell ${options.command}\` wrote nothing. Resume it in the Co-sell app, or run the command again with --even-if-paused.`,
      ExitCode.failed,
    );
  }
}
