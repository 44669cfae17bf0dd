/**
 * `cosell serve`: the one place that opens the backend's port. Everything else (tests, `npm start`)
 * composes the service in-process through createSyncService; this file adds what only a long-running
 * process needs: configuration from the environment/.env, a start-up check of the mapping against the
 * org's metadata, the listening socket, and a graceful shutdown on SIGTERM/SIGINT.
 */
import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import { Tables } from "../entities";
import { DataverseError } from "./dataverse/dataverse-error";
import type { DataverseClient } from "./dataverse/dataverse-client";
import {
  checkMappingAgainstMetadata,
  MissingColumnsError,
  parseMappingOverride,
  resolveMapping,
  type MappedTable,
  type MissingColumn,
  type SyncMapping,
} from "./engine";
import { createLogger } from "./observability/logger";
import { resolveInstanceId } from "./cluster/instance-id";
import { InstanceIdInUseError } from "./cluster/cluster-membership";
import { ClusterStartError } from "./cluster/cluster";
import { ConfigError, loadDotEnv, parseConfig, type Config } from "./service/config";
import { createSyncService, type SyncService } from "./service/sync-service";
import { whenStoreReady } from "./store";

/** The default mapping, with the admin's MAPPING_FILE applied when there is one. */
export async function loadSyncMapping(config: Pick<Config, "MAPPING_FILE">): Promise<SyncMapping> {
  if (!config.MAPPING_FILE) return resolveMapping(undefined);
  return resolveMapping(parseMappingOverride(await readFile(config.MAPPING_FILE, "utf8"), config.MAPPING_FILE));
}

/** Every column the mapping needs that the org lacks (empty: the org has our solution and the mapped columns). */
export async function findMissingColumns(dataverse: DataverseClient, mapping: SyncMapping): Promise<MissingColumn[]> {
  const tables: MappedTable[] = ["opportunity", "account", "contact"];
  const names = await Promise.all(tables.map((table) => dataverse.attributeNames(Tables[table].logicalName)));
  return checkMappingAgainstMetadata(mapping, { opportunity: names[0]!, account: names[1]!, contact: names[2]! });
}

/**
 * A transient answer (503, 429, no answer) at start-up is waited out a few times: a service restarted
 * during a short Dataverse outage must come up when the outage ends, not exit. A permanent problem
 * (401, 404, a wrong URL answering 4xx) fails at once.
 */
async function withStartupRetries<T>(action: () => Promise<T>, logger: Logger, tries = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      const transient = error instanceof DataverseError && (error.status === 0 || error.status === 429 || error.status >= 500);
      if (!transient || attempt >= tries) throw error;
      const delayMs = Math.min(8000, 500 * 2 ** (attempt - 1));
      logger.warn({ err: error, attempt, delayMs }, "Dataverse did not answer the start-up check; trying again");
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** A problem that stops the service before it listens; the message says what to do. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}

export interface RunningServer {
  service: SyncService;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  /** /healthz, /readyz and /metrics, e.g. http://127.0.0.1:9090 */
  opsUrl: string;
  /** Stops claiming jobs, lets running jobs finish, closes the port and the store. */
  close(): Promise<void>;
}

/**
 * Checks the org, opens the port and starts the workers and the reconcile loop. Throws
 * StartupError (nothing left running) when the org is unreachable or lacks a mapped column.
 */
export async function startServer(config: Config, logger: Logger, options: { instanceId?: string } = {}): Promise<RunningServer> {
  const mapping = await loadSyncMapping(config);
  const service = createSyncService(config, logger, { mapping, instanceId: options.instanceId });
  try {
    // PostgreSQL (STORE_URL): reachable and migrated before anything is accepted.
    await whenStoreReady(service.store).catch((error: unknown) => {
      throw new StartupError(`${(error as Error).message}. Check STORE_URL (host, database, user, password, sslmode) and that the database server is running.`, { cause: error });
    });
    let missing: MissingColumn[];
    try {
      missing = await withStartupRetries(() => findMissingColumns(service.dataverse, mapping), logger);
    } catch (error) {
      const detail = error instanceof DataverseError ? `${error.status || "no answer"}: ${error.message}` : (error as Error).message;
      throw new StartupError(
        `Could not read the column definitions of ${config.DATAVERSE_URL} (${detail}). Check DATAVERSE_URL and the credentials, then run \`cosell doctor\`.`,
        { cause: error },
      );
    }
    if (missing.length > 0) throw new StartupError(new MissingColumnsError(missing).message);
    const { url, opsUrl } = await service.listen();
    service.start();
    // Catch up at once on whatever changed while the service was down, instead of a full interval later
    // (the leader does; an instance that becomes leader later catches up then).
    if (service.cluster.isLeader()) service.reconciler.reconcile().catch((error: unknown) => logger.warn({ err: error }, "first reconcile pass failed; the next pass retries"));
    logger.info({ url, opsUrl, workers: config.WORKERS, leader: service.cluster.isLeader(), store: config.STORE_URL ? "postgres" : "sqlite" }, "sync service listening");
    return { service, url, opsUrl, close: () => service.stop() };
  } catch (error) {
    await service.stop().catch(() => undefined);
    throw error;
  }
}

/** Why a process stops: printed without a stack trace, because the message already says what to fix. */
function explain(error: unknown): string {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof InstanceIdInUseError || error instanceof ClusterStartError) return error.message;
  if (error instanceof Error && error.name === "MappingConfigError") return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * The whole `cosell serve` process: resolves when the service has shut down after a signal. A second
 * signal during shutdown exits at once (an operator who presses Ctrl-C twice means it).
 */
export async function serve(options: { envFile?: string; print?: (line: string) => void } = {}): Promise<number> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  let config: Config;
  try {
    loadDotEnv(options.envFile);
    config = parseConfig();
  } catch (error) {
    print(explain(error));
    return 1;
  }
  let instanceId: string;
  try {
    instanceId = resolveInstanceId(config.INSTANCE_ID);
  } catch (error) {
    print((error as Error).message);
    return 1;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, instanceId });
  let server: RunningServer;
  try {
    server = await startServer(config, logger, { instanceId });
  } catch (error) {
    print(explain(error));
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, "second signal: exiting without waiting for running jobs");
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, "shutting down: no new jobs claimed, running jobs finish");
      server.close().then(
        () => {
          logger.info("sync service stopped");
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
