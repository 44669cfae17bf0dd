/**
 * `npm run bench -- --flood`: the public port under attack and load at once, against `cosell serve` as
 * its own process on loopback. Not part of `npm test`: it saturates the machine for a minute.
 *
 * - 20,000 Dataverse deliveries (the documented RemoteExecutionContext, a new opportunity id each) over
 *   200 keep-alive connections from 127.0.0.1;
 * - 50 slow-body connections from 127.0.0.3 (a valid key, then a byte a second);
 * - 50 Partner Center deliveries from 127.0.0.4 whose certificate URL streams without end (the sandbox's
 *   one plain-http certificate URL is pointed at that endless server);
 * - a separate probe process that asks the ops port's /healthz and /readyz every 20 ms throughout.
 *
 * Prints accepted deliveries per second, their p50/p99 latency, the probes' p50/p99, the backend's peak
 * RSS, how long the slow connections were held, and the drain time (queue empty after the flood).
 */
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { Agent, createServer, request, type Server } from "node:http";
import { connect } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startSandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { BackendProcess, freePort, peakRss, tempFolder } from "./backend-process";

export interface FloodOptions {
  deliveries: number;
  /** Only the deliveries, probing the public /healthz: for a before/after figure against a backend without the ops port. */
  deliveriesOnly?: boolean;
  connections: number;
  slowConnections: number;
  endlessCertificates: number;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A server that answers any request with an endless body, as fast as the socket takes it. */
async function startEndlessServer(): Promise<{ url: string; bytesSent: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/pkix-cert" });
    const chunk = Buffer.alloc(64 * 1024, 0x30);
    const pump = () => {
      for (let more = true; more && !response.destroyed; ) {
        more = response.write(chunk);
        sent += chunk.length;
      }
      if (!response.destroyed) response.once("drain", pump);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/cert/endless.cer`,
    bytesSent: () => sent,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The documented webhook body (use-webhooks.md sample shape): whole-second times, RequestId null, platform columns in Target. */
function dataverseDelivery(): string {
  const id = randomUUID();
  const at = Math.floor(Date.now() / 1000) * 1000;
  return JSON.stringify({
    BusinessUnitId: randomUUID(), CorrelationId: randomUUID(), Depth: 1, InitiatingUserId: randomUUID(), IsExecutingOffline: false,
    IsInTransaction: false, IsOfflinePlayback: false, IsolationMode: 1, MessageName: "Update", Mode: 1,
    OperationCreatedOn: `/Date(${at}+0000)/`, OperationId: randomUUID(), OrganizationId: randomUUID(), OrganizationName: "contoso",
    OutputParameters: [], OwningExtension: { Id: randomUUID(), KeyAttributes: [], LogicalName: "sdkmessageprocessingstep", Name: null, RowVersion: null },
    ParentContext: null, PostEntityImages: [], PreEntityImages: [], PrimaryEntityId: id, PrimaryEntityName: "opportunity", RequestId: null,
    SecondaryEntityName: "none", SharedVariables: [], Stage: 40, UserId: randomUUID(),
    InputParameters: [{ key: "Target", value: { Attributes: [{ key: "description", value: "flood" }, { key: "modifiedon", value: `/Date(${at})/` }], Id: id, LogicalName: "opportunity" } }],
  });
}

/** One POST on the shared agent; resolves with the status and the time to the response's end. */
function postOnce(agent: Agent, url: URL, body: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

/** Sends a POST head with the key and then a byte a second; resolves with how long the server kept the socket. */
function slowBody(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ port, host: "127.0.0.1", localAddress: "127.0.0.3" });
    let timer: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: flood\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
      timer = setInterval(() => socket.writable && socket.write(" "), 1000);
    });
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    });
  });
}

/** A separate process (its own event loop) that probes the ops port every 20 ms until told to stop. */
function startProbe(opsUrl: string): { stop: () => Promise<{ healthz: number[]; readyz: number[]; failures: number }> } {
  const script = `
    const results = { healthz: [], readyz: [], failures: 0 };
    let running = true;
    process.stdin.on("data", () => { running = false; });
    (async () => {
      while (running) {
        for (const path of ["healthz", "readyz"]) {
          const t = performance.now();
          try { const r = await fetch(${JSON.stringify(opsUrl)} + "/" + path); await r.text(); if (!r.ok) results.failures++; }
          catch { results.failures++; }
          results[path].push(performance.now() - t);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      process.stdout.write(JSON.stringify(results), () => process.exit(0));
    })();`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.on("exit", () => {
          const parsed = JSON.parse(output) as { healthz: number[]; readyz: number[]; failures: number };
          // The first request of a fresh process pays for loading fetch itself: not the server's time.
          resolve({ healthz: parsed.healthz.slice(1), readyz: parsed.readyz.slice(1), failures: parsed.failures });
        });
        child.stdin.write("stop\n");
      }),
  };
}

/** CPU seconds (user + system) the process has used: a figure the other load on the machine hardly moves. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function queueDepth(opsUrl: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const match = /^cosell_queue_depth (\d+)/m.exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

export async function runFlood(options: FloodOptions): Promise<void> {
  const endless = await startEndlessServer();
  const env = await startSandboxEnvironment({ startBackend: false });
  const folder = tempFolder("pcc-flood-");
  const opsPort = await freePort();
  const backend = new BackendProcess({
    config: env.config,
    storePath: join(folder, "cosell.sqlite"),
    port: await freePort(),
    logFile: join(folder, "serve.log"),
    env: { OPS_PORT: opsPort, PARTNER_CENTER_SANDBOX_CERT_URL: endless.url },
  });
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  try {
    await backend.start();
    const key = env.config.DATAVERSE_WEBHOOK_KEY;
    const dataverseUrl = new URL(`${backend.url}/webhooks/dataverse?code=${key}`);
    const partnerCenterUrl = new URL(`${backend.url}/webhooks/partner-center`);
    const rssBefore = peakRss(backend.pid!);
    log(`flood: ${options.deliveries} deliveries over ${options.connections} connections, ${options.slowConnections} slow bodies, ${options.endlessCertificates} endless certificates`);

    const probedUrl = options.deliveriesOnly ? backend.url : opsUrl;
    const probe = startProbe(probedUrl);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const attackers = options.deliveriesOnly ? 0 : 1;
    const slow = Array.from({ length: options.slowConnections * attackers }, () => slowBody(Number(new URL(backend.url).port), `/webhooks/dataverse?code=${key}`));
    const attackerAgent = new Agent({ keepAlive: false, maxSockets: options.endlessCertificates, localAddress: "127.0.0.4" });
    const signature = `Signature ${randomBytes(256).toString("base64")}`;
    const endlessDeliveries = Array.from({ length: options.endlessCertificates * attackers }, () =>
      postOnce(attackerAgent, partnerCenterUrl, JSON.stringify({ EventName: "referral-updated", ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/x", ResourceChangeUtcDate: new Date().toISOString() }), {
        authorization: signature, "x-ms-certificate-url": endless.url, "x-ms-signature-algorithm": "rsa-sha256",
      }),
    );

    const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
    const latencies: number[] = [];
    let accepted = 0;
    let refused = 0;
    let next = 0;
    const started = performance.now();
    const cpuBefore = cpuSeconds(backend.pid!);
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (next < options.deliveries) {
          next++;
          const { status, ms } = await postOnce(agent, dataverseUrl, dataverseDelivery());
          if (status === 202) {
            accepted++;
            latencies.push(ms);
          } else refused++;
        }
      }),
    );
    const floodMs = performance.now() - started;
    const cpuPerDelivery = ((cpuSeconds(backend.pid!) - cpuBefore) / Math.max(1, accepted)) * 1000;
    log(`  ${accepted} accepted in ${(floodMs / 1000).toFixed(1)} s; waiting for the attackers' connections to end`);
    const endlessOutcomes = await Promise.all(endlessDeliveries);
    log("  endless-certificate deliveries answered");
    const slowHeldMs = await Promise.all(slow);
    log("  slow-body connections closed");
    const probes = await probe.stop();
    agent.destroy();
    attackerAgent.destroy();

    const drainStarted = Date.now();
    while (!options.deliveriesOnly && (await queueDepth(opsUrl)) > 0 && Date.now() - drainStarted < 600_000) await new Promise((resolve) => setTimeout(resolve, 250));
    const drainMs = Date.now() - drainStarted;
    const rssPeak = peakRss(backend.pid!);

    const mb = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
    const rows: [string, string, string][] = [
      ["Dataverse deliveries accepted", `${accepted} of ${options.deliveries} (${refused} refused)`, "all"],
      ["Accepted per second", `${((accepted / floodMs) * 1000).toFixed(0)}/s over ${(floodMs / 1000).toFixed(1)} s`, "≥ 852/s (947 − 10 %)"],
      ["Backend CPU per accepted delivery (during the flood, jobs included)", `${cpuPerDelivery.toFixed(2)} ms`, ""],
      ["Delivery latency p50 / p99", `${percentile(latencies, 50).toFixed(0)} ms / ${percentile(latencies, 99).toFixed(0)} ms`, ""],
      [`${options.deliveriesOnly ? "Public" : "Ops"} /healthz p50 / p99 (probe process)`, `${percentile(probes.healthz, 50).toFixed(1)} ms / ${percentile(probes.healthz, 99).toFixed(1)} ms (${probes.healthz.length} probes)`, "p99 < 50 ms"],
      ["Ops /readyz p50 / p99 (probe process)", `${percentile(probes.readyz, 50).toFixed(1)} ms / ${percentile(probes.readyz, 99).toFixed(1)} ms, ${probes.failures} not ok`, "p99 < 50 ms"],
      ["Slow-body connections held", slowHeldMs.length ? `max ${(Math.max(...slowHeldMs) / 1000).toFixed(1)} s, min ${(Math.min(...slowHeldMs) / 1000).toFixed(1)} s` : "none sent", "≤ request timeout (10 s) + 1 s"],
      ["Endless-certificate deliveries", `${endlessOutcomes.filter((o) => o.status === 401 || o.status === 503).length} of ${options.endlessCertificates} refused (401/503), max ${Math.max(...endlessOutcomes.map((o) => o.ms)).toFixed(0)} ms; ${mb(endless.bytesSent())} sent by the endless server`, "all refused, bounded"],
      ["Backend peak RSS", `${mb(rssPeak)} (at start ${mb(rssBefore)})`, "< 400 MB"],
      ["Drain time (queue empty after the flood)", `${(drainMs / 1000).toFixed(1)} s`, ""],
    ];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), ["Figure", "Value", "Target"][c]!.length));
    const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
    process.stdout.write(`${[line(["Figure", "Value", "Target"]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n")}\n`);
    log(`backend log: ${join(folder, "serve.log")}`);
  } finally {
    await backend.stop();
    await env.close();
    await endless.close();
  }
}
