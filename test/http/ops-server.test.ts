/**
 * The private ops port: probes answer from their own thread while the main thread is busy, say
 * "stalled" when it stops beating, say "not ready" without any internal error text, and serve metrics.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startOpsServer, type OpsServer } from "../../sync/http/ops-server";
import { SyncMetrics } from "../../sync/observability/metrics";

const run = promisify(execFile);
const servers: OpsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: { probeStore?: () => Promise<void>; staleAfterMs?: number } = {}) {
  const metrics = new SyncMetrics();
  const server = await startOpsServer({
    host: "127.0.0.1", port: 0, metrics, logger: pino({ level: "silent" }),
    probeStore: options.probeStore ?? (async () => undefined),
    staleAfterMs: options.staleAfterMs,
  });
  servers.push(server);
  return { server, metrics };
}

/** Blocks this (the main) thread for `ms`, as a CPU-bound flood would. */
function blockMainThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Requests `url` from another process while this thread is blocked; resolves with the status,
 * body and the latency that process measured.
 */
async function probeWhileBlocked(url: string, blockMs: number, delayMs = 100): Promise<{ status: number; body: string; ms: number }> {
  const script = `setTimeout(async () => { const t = performance.now(); const r = await fetch(${JSON.stringify(url)}); const body = await r.text(); console.log(JSON.stringify({ status: r.status, body, ms: performance.now() - t })); }, ${delayMs});`;
  const child = run(process.execPath, ["-e", script]);
  // Let the child start before this thread stops answering anything.
  await new Promise((resolve) => setTimeout(resolve, 300));
  blockMainThread(blockMs);
  const { stdout } = await child;
  return JSON.parse(stdout.trim()) as { status: number; body: string; ms: number };
}

describe("the ops port", () => {
  // Answered while the main thread is still blocked (1.5 s), not after it: the latency figure under a flood is the bench's (`npm run bench -- --flood`).
  it("answers /healthz and /readyz while the main thread is busy, without waiting for it", async () => {
    const { server } = await start();
    const health = await probeWhileBlocked(`${server.url}/healthz`, 1500, 400);
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(500);
    const ready = await probeWhileBlocked(`${server.url}/readyz`, 1500, 400);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true, checks: { eventLoop: "ok", store: "ok" } });
    expect(ready.ms).toBeLessThan(500);
  });

  it("says the service is stalled when the main thread stops beating", async () => {
    const { server } = await start({ staleAfterMs: 300 });
    const health = await probeWhileBlocked(`${server.url}/healthz`, 1500, 900);
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({ status: "stalled" });
  });

  it("is not ready when the store fails, and never echoes the store's error", async () => {
    let failing = false;
    const { server } = await start({
      probeStore: async () => {
        if (failing) throw new Error("SQLITE_CANTOPEN: unable to open /secret/path/cosell.sqlite");
      },
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    failing = true;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const response = await fetch(`${server.url}/readyz`);
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ ready: false, checks: { eventLoop: "ok", store: "unavailable" } });
    expect(text).not.toMatch(/SQLITE|secret/);
  });

  it("serves the service's Prometheus metrics, and is not ready once shutdown begins", async () => {
    const { server, metrics } = await start();
    metrics.webhooksRejected.inc({ source: "dataverse", reason: "wrong-key" });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('cosell_webhooks_rejected_total{source="dataverse",reason="wrong-key"} 1');
    server.markStopping();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  });
});
