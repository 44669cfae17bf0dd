// The ops port's HTTP server, on a thread of its own so /healthz and /readyz answer at once however
// busy the main thread is with webhooks and jobs (ops-server.ts starts it and explains the protocol).
// Plain JavaScript: a worker thread loads its file with Node itself, without the TypeScript loader.
import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const { state, host, port, staleAfterMs, metricsTimeoutMs } = workerData;
const view = new BigInt64Array(state);
const HEARTBEAT = 0;
const STORE_OK = 1;
const STOPPING = 2;

const pendingMetrics = new Map();
let nextMetricsRequest = 1;

function snapshot() {
  const heartbeatAge = Date.now() - Number(Atomics.load(view, HEARTBEAT));
  const loop = heartbeatAge <= staleAfterMs ? "ok" : "stalled";
  const store = Atomics.load(view, STORE_OK) === 1n ? "ok" : "unavailable";
  const stopping = Atomics.load(view, STOPPING) === 1n;
  return { loop, store, stopping };
}

function send(response, status, body, contentType = "application/json; charset=utf-8") {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}

function metrics(response) {
  const id = nextMetricsRequest++;
  const timer = setTimeout(() => {
    pendingMetrics.delete(id);
    send(response, 503, { error: "metrics not collected in time" });
  }, metricsTimeoutMs);
  pendingMetrics.set(id, (reply) => {
    clearTimeout(timer);
    send(response, 200, reply.body, reply.contentType);
  });
  parentPort.postMessage({ type: "metrics", id });
}

const server = createServer((request, response) => {
  const path = (request.url ?? "/").split("?")[0];
  if (request.method !== "GET") return send(response, 405, { error: "GET only" });
  const { loop, store, stopping } = snapshot();
  if (path === "/healthz") return send(response, loop === "ok" ? 200 : 503, { status: loop === "ok" ? "ok" : "stalled" });
  if (path === "/readyz") {
    const ready = loop === "ok" && store === "ok" && !stopping;
    return send(response, ready ? 200 : 503, { ready, checks: { eventLoop: loop, store, ...(stopping ? { shutdown: "in progress" } : {}) } });
  }
  if (path === "/metrics") return metrics(response);
  send(response, 404, { error: "not found: /healthz, /readyz or /metrics" });
});
server.keepAliveTimeout = 5000;
server.requestTimeout = 5000;

parentPort.on("message", (message) => {
  if (message.type === "metrics") pendingMetrics.get(message.id)?.(message);
  if (message.type === "close") {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});

server.on("error", (error) => parentPort.postMessage({ type: "error", message: error.message }));
server.listen(port, host, () => parentPort.postMessage({ type: "listening", port: server.address().port }));
