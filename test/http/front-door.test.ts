/**
 * The public port as an attacker or a flood meets it, over real sockets: slow bodies time out, an
 * unauthenticated sender is refused before its body is read, odd keys are a 401 (not a 500), one
 * address cannot hold every connection, and each refusal is logged once with its reason and counted.
 */
import { randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, WebhookRejectedError, type AppDependencies, type FrontDoorLimits, type SyncTrigger } from "../../sync/http/app";
import { productionVerificationPolicy, screenDeliveryHeaders } from "../../sync/partner-center/webhook-signature-verifier";
import { RejectionRecorder } from "../../sync/http/rejections";
import { SyncMetrics } from "../../sync/observability/metrics";

const KEY = "front-door-key-0123456789abcdef";

interface Running {
  port: number;
  enqueued: SyncTrigger[];
  logLines: Record<string, unknown>[];
  metrics: SyncMetrics;
  close(): Promise<void>;
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(
  limits: Partial<FrontDoorLimits> = {},
  screenPartnerCenterHeaders?: AppDependencies["screenPartnerCenterHeaders"],
  enqueueFails = false,
): Promise<Running> {
  const enqueued: SyncTrigger[] = [];
  const logLines: Record<string, unknown>[] = [];
  const metrics = new SyncMetrics();
  const seen = new Set<string>();
  const app = buildApp({
    logger: pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) }),
    metrics,
    dataverseWebhookKey: KEY,
    verifyPartnerCenterEvent: async () => null,
    screenPartnerCenterHeaders,
    enqueue: (trigger) => {
      if (enqueueFails) throw new Error("SQLITE_BUSY: database is locked");
      const duplicate = seen.has(trigger.deliveryKey);
      seen.add(trigger.deliveryKey);
      if (!duplicate) enqueued.push(trigger);
      return { duplicate };
    },
    limits: { requestTimeoutMs: 1000, idleTimeoutMs: 1000, timeoutCheckIntervalMs: 200, ...limits },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const handle = { port, enqueued, logLines, metrics, close: () => app.close() };
  running.push(handle);
  return handle;
}

function context(overrides: Record<string, unknown> = {}) {
  return { MessageName: "Update", PrimaryEntityName: "opportunity", PrimaryEntityId: randomUUID(), OperationId: randomUUID(), ...overrides };
}

/** Opens a raw socket, sends the head of a POST with a long body, and resolves with what came back and when the socket closed. */
function slowPost(port: number, path: string, byteEveryMs: number): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, "127.0.0.1");
    let response = "";
    let timer: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
      timer = setInterval(() => socket.writable && socket.write(" "), byteEveryMs);
    });
    socket.on("data", (chunk) => (response += chunk.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
  });
}

async function post(port: number, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("slow senders", () => {
  it("closes a request whose body trickles in past the request timeout", async () => {
    const { port, enqueued } = await start();
    const { response, closedAfterMs } = await slowPost(port, `/webhooks/dataverse?code=${KEY}`, 100);
    expect(response).toMatch(/^HTTP\/1.1 408/);
    expect(closedAfterMs).toBeLessThan(3000);
    expect(enqueued).toEqual([]);
  });

  it("refuses a sender without the key before reading its body, and lets go of the connection", async () => {
    const { port } = await start({ requestTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    const { response, closedAfterMs } = await slowPost(port, "/webhooks/dataverse", 100);
    expect(response).toMatch(/^HTTP\/1.1 401/);
    expect(closedAfterMs).toBeLessThan(1000);
  });

  it("refuses a Partner Center delivery without a valid signature header before reading its body", async () => {
    const policy = productionVerificationPolicy();
    const { port, logLines } = await start({ requestTimeoutMs: 60_000, idleTimeoutMs: 60_000 }, (headers) => {
      const screened = screenDeliveryHeaders(headers, policy);
      return screened.ok ? null : new WebhookRejectedError(401, screened.detail, { reason: screened.reason });
    });
    const { response, closedAfterMs } = await slowPost(port, "/webhooks/partner-center", 100);
    expect(response).toMatch(/^HTTP\/1.1 401/);
    expect(closedAfterMs).toBeLessThan(1000);
    expect(logLines.find((line) => line.level === 40)).toMatchObject({ source: "partner-center", reason: "missing-signature" });
  });
});

describe("the webhook key", () => {
  it("is a 401, not a 500, when given twice or as an array", async () => {
    const { port, enqueued, logLines } = await start();
    for (const query of [`code=${KEY}&code=x`, `code[]=${KEY}`, `code=${KEY}&code=${KEY}`]) {
      const response = await post(port, `/webhooks/dataverse?${query}`, context());
      expect(response.status, query).toBe(401);
    }
    expect(enqueued).toEqual([]);
    expect(logLines.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });
});

describe("refusals are explained and counted", () => {
  it("logs each refusal once at warn with its reason, never the key, and counts it by reason", async () => {
    const { port, logLines, metrics } = await start();
    await post(port, "/webhooks/dataverse?code=wrong-key-value", context());
    await post(port, `/webhooks/dataverse?code=${KEY}`, { ...context(), PrimaryEntityId: "not-an-id" });
    await post(port, `/webhooks/dataverse?code=${KEY}`, context({ PrimaryEntityName: "account" }));
    const warnings = logLines.filter((line) => line.level === 40);
    expect(warnings.map((line) => line.reason)).toEqual(["wrong-key", "invalid-body", "unexpected-table"]);
    expect(warnings[1]!.msg).toMatch(/PrimaryEntityId/);
    expect(JSON.stringify(logLines)).not.toContain(KEY);
    const text = await metrics.registry.metrics();
    expect(text).toContain('cosell_webhooks_rejected_total{source="dataverse",reason="wrong-key"} 1');
    expect(text).toContain('cosell_webhooks_rejected_total{source="dataverse",reason="invalid-body"} 1');
    expect(text).toContain('cosell_webhooks_received_total{source="dataverse",outcome="rejected"} 3');
  });

  it("writes one line a minute for a source that keeps failing the same way", async () => {
    const { port, logLines, metrics } = await start();
    for (let i = 0; i < 30; i++) await post(port, "/webhooks/dataverse?code=wrong-key-value", context());
    expect(logLines.filter((line) => line.reason === "wrong-key")).toHaveLength(1);
    expect(await metrics.registry.metrics()).toContain('cosell_webhooks_rejected_total{source="dataverse",reason="wrong-key"} 30');
  });

  it("never logs a key sent to a wrong path, and says where the webhooks are", async () => {
    const { port, logLines } = await start();
    for (const path of [`/webhooks/dataverse/?code=${KEY}`, `/Webhooks/Dataverse?code=${KEY}`]) {
      const response = await post(port, path, context());
      expect(response.status).toBe(404);
      expect(response.body.error).toMatch(/POST \/webhooks\/dataverse and POST \/webhooks\/partner-center/);
    }
    expect(JSON.stringify(logLines)).not.toContain(KEY);
    expect(logLines.filter((line) => line.reason === "not-found")).toHaveLength(1);
  });

  it("cuts what a sender wrote to a line's worth, and gives one reason at most 20 lines a minute from any number of addresses", async () => {
    const metrics = new SyncMetrics();
    const lines: Record<string, unknown>[] = [];
    const recorder = new RejectionRecorder(pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }), metrics);
    for (let i = 0; i < 100; i++) recorder.record({ source: "partner-center", reason: "certificate-url-not-allowed", status: 401, address: `2001:db8::${i}`, message: `bad URL ${"x".repeat(10_000)}` });
    expect(lines).toHaveLength(20);
    expect((lines[0]!.msg as string).length).toBeLessThan(400);
    expect(await metrics.registry.metrics()).toContain('cosell_webhooks_rejected_total{source="partner-center",reason="certificate-url-not-allowed"} 100');
  });
});

describe("failures behind the door", () => {
  it("answer 503 with Retry-After (Dataverse retries that once, never a 500) and echo no internal text", async () => {
    const { port } = await start({}, undefined, true);
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/dataverse?code=${KEY}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(context()) });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).not.toMatch(/SQLITE/);
  });
});

describe("connections", () => {
  it("closes a client's connections past the per-address cap", async () => {
    const { port, metrics } = await start({ maxConnectionsPerAddress: 5 });
    const sockets = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<{ socket: Socket; closed: Promise<boolean> }>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => undefined);
        const closed = new Promise<boolean>((done) => {
          socket.on("close", () => done(true));
          setTimeout(() => done(false), 500);
        });
        socket.on("connect", () => resolve({ socket, closed }));
      })),
    );
    const closedEarly = await Promise.all(sockets.map((s) => s.closed));
    expect(closedEarly.filter(Boolean)).toHaveLength(3);
    for (const { socket } of sockets) socket.destroy();
    expect(await metrics.registry.metrics()).toContain('cosell_webhooks_rejected_total{source="other",reason="too-many-connections"} 3');
  });
});

describe("delivery keys", () => {
  it("treat the record id case-blind, and never collapse two deliveries that carry no operation id", async () => {
    const { port, enqueued } = await start();
    const id = randomUUID();
    const operation = randomUUID();
    await post(port, `/webhooks/dataverse?code=${KEY}`, context({ PrimaryEntityId: id, OperationId: operation }));
    const upper = await post(port, `/webhooks/dataverse?code=${KEY}`, context({ PrimaryEntityId: id.toUpperCase(), OperationId: operation.toUpperCase() }));
    expect(upper.body.duplicate).toBe(true);

    // An empty or all-zero OperationId identifies nothing: two such changes are not one delivery.
    const zero = "00000000-0000-0000-0000-000000000000";
    expect((await post(port, `/webhooks/dataverse?code=${KEY}`, context({ PrimaryEntityId: id, OperationId: zero, InputParameters: [{ key: "Target", value: { Attributes: [{ key: "name", value: "a" }] } }] }))).body.duplicate).toBe(false);
    expect((await post(port, `/webhooks/dataverse?code=${KEY}`, context({ PrimaryEntityId: id, OperationId: "", InputParameters: [{ key: "Target", value: { Attributes: [{ key: "name", value: "b" }] } }] }))).body.duplicate).toBe(false);

    const bare = (notes: string) => ({ MessageName: "Update", PrimaryEntityName: "opportunity", PrimaryEntityId: id, InputParameters: [{ key: "Target", value: { Attributes: [{ key: "description", value: notes }] } }] });
    expect((await post(port, `/webhooks/dataverse?code=${KEY}`, bare("first"))).body.duplicate).toBe(false);
    expect((await post(port, `/webhooks/dataverse?code=${KEY}`, bare("second"))).body.duplicate).toBe(false);
    // The same bare delivery again (Dataverse's one retry after a 503) is still recognised.
    expect((await post(port, `/webhooks/dataverse?code=${KEY}`, bare("second"))).body.duplicate).toBe(true);
    expect(enqueued).toHaveLength(5);
  });
});
