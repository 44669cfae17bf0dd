/**
 * The ops port: /healthz, /readyz and /metrics, private by default (127.0.0.1:9090), apart from the
 * public webhook port. Its HTTP server runs on a worker thread (ops-server.worker.mjs), so probes
 * answer in milliseconds even while a flood keeps the main thread busy; the main thread only writes a
 * heartbeat and the store's state into shared memory, and answers /metrics when asked.
 *
 * /healthz: the main thread's heartbeat is fresh. /readyz: that, the store answered its last probe,
 * and the service is not shutting down. Neither ever carries an error text (those go to the log).
 */
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { SyncMetrics } from "../observability/metrics";

export interface OpsServerOptions {
  host: string;
  /** 0 lets the OS choose. */
  port: number;
  metrics: SyncMetrics;
  /** Resolves when the store can serve; a throw marks the service not ready. */
  probeStore: () => Promise<void>;
  logger: Logger;
  /** A heartbeat older than this makes /healthz and /readyz answer 503. */
  staleAfterMs?: number;
}

export interface OpsServer {
  /** e.g. http://127.0.0.1:9090 */
  url: string;
  /** From now on /readyz answers 503 (a load balancer stops sending work during shutdown). */
  markStopping(): void;
  close(): Promise<void>;
}

const HEARTBEAT = 0;
const STORE_OK = 1;
const STOPPING = 2;
const HEARTBEAT_EVERY_MS = 250;
const PROBE_EVERY_MS = 1000;

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const state = new SharedArrayBuffer(3 * BigInt64Array.BYTES_PER_ELEMENT);
  const view = new BigInt64Array(state);
  const beat = () => Atomics.store(view, HEARTBEAT, BigInt(Date.now()));
  beat();

  let storeWasOk: boolean | null = null;
  const probe = async () => {
    try {
      await options.probeStore();
      Atomics.store(view, STORE_OK, 1n);
      if (storeWasOk === false) options.logger.info("the store answers again: ready");
      storeWasOk = true;
    } catch (error) {
      Atomics.store(view, STORE_OK, 0n);
      if (storeWasOk !== false) options.logger.warn({ err: error }, "the store does not answer: not ready until it does");
      storeWasOk = false;
    }
  };
  await probe();
  const timers = [setInterval(beat, HEARTBEAT_EVERY_MS), setInterval(() => void probe(), PROBE_EVERY_MS)];
  for (const timer of timers) timer.unref();

  const worker = new Worker(new URL("./ops-server.worker.mjs", import.meta.url), {
    workerData: { state, host: options.host, port: options.port, staleAfterMs: options.staleAfterMs ?? 5000, metricsTimeoutMs: 5000 },
  });
  worker.on("message", (message: { type: string; id?: number }) => {
    if (message.type !== "metrics") return;
    options.metrics.registry.metrics().then(
      (body) => worker.postMessage({ type: "metrics", id: message.id, body, contentType: options.metrics.registry.contentType }),
      (error: unknown) => {
        options.logger.warn({ err: error }, "metrics could not be collected");
        worker.postMessage({ type: "metrics", id: message.id, body: "# metrics could not be collected\n", contentType: "text/plain" });
      },
    );
  });

  let closing = false;
  // After start-up a dead worker means no probe answers: say so (the orchestrator restarts the service).
  worker.on("error", (error) => options.logger.error({ err: error }, "the ops port's thread failed: /healthz, /readyz and /metrics no longer answer"));
  worker.on("exit", (code) => {
    if (!closing) options.logger.error({ code }, "the ops port's thread stopped: /healthz, /readyz and /metrics no longer answer");
  });

  const port = await new Promise<number>((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (message: { type: string; port?: number; message?: string }) => {
      if (message.type === "listening") resolve(message.port!);
      if (message.type === "error") reject(new Error(`the ops port ${options.host}:${options.port} could not be opened: ${message.message}`));
    });
  }).catch(async (error: unknown) => {
    closing = true;
    for (const timer of timers) clearInterval(timer);
    await worker.terminate();
    throw error;
  });

  return {
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    markStopping: () => Atomics.store(view, STOPPING, 1n),
    async close() {
      closing = true;
      Atomics.store(view, STOPPING, 1n);
      for (const timer of timers) clearInterval(timer);
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.postMessage({ type: "close" });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await worker.terminate();
    },
  };
}
