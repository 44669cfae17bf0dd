/**
 * The service on PostgreSQL, with the database reached through a proxy this test can cut: while the
 * connection is gone the instance takes no work and /readyz answers 503; when it returns the instance
 * reconnects on its own and is ready again.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../sync/service/config";
import { createSyncService, type SyncService } from "../../sync/service/sync-service";
import { ADMIN_URL, createTestDatabase, type TestDatabase } from "../support/postgres-database";

/** A TCP proxy to the PostgreSQL server that can drop every connection and refuse new ones. */
async function startCuttableProxy(): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const target = new URL(ADMIN_URL);
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function readyz(opsUrl: string): Promise<number> {
  return (await fetch(`${opsUrl}/readyz`)).status;
}
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

let db: TestDatabase;
let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
let service: SyncService | null = null;
beforeAll(async () => {
  db = await createTestDatabase("readyz");
  proxy = await startCuttableProxy();
});
afterAll(async () => {
  await service?.stop().catch(() => undefined);
  await proxy?.close();
  await db?.drop();
});

describe("an instance that loses its database", () => {
  it("is not ready and takes no work while the database is unreachable, and recovers on its own", async () => {
    const url = new URL(db.url);
    url.host = `127.0.0.1:${proxy.port}`;
    service = createSyncService(
      parseConfig({
        DATAVERSE_URL: "https://x.crm.dynamics.com", DATAVERSE_STATIC_TOKEN: "t", PARTNER_CENTER_STATIC_TOKEN: "t",
        DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef", STORE_URL: url.toString(),
        HOST: "127.0.0.1", PORT: "0", OPS_HOST: "127.0.0.1", OPS_PORT: "0", INSTANCE_ID: "readyz-1",
      }),
      pino({ level: "silent" }),
    );
    const { opsUrl } = await service.listen();
    await until("ready at start", async () => (await readyz(opsUrl)) === 200, 10_000);
    expect(service.cluster.canTakeWork()).toBe(true);
    expect(service.cluster.isLeader()).toBe(true);
    expect((await service.cluster.instances()).map((i) => [i.instanceId, i.live])).toEqual([["readyz-1", true]]);

    proxy.cut();
    await until("not ready once the database is gone", async () => (await readyz(opsUrl)) === 503, 5000);
    expect(service.cluster.canTakeWork()).toBe(false);
    expect(service.cluster.isLeader(), "the leader lock went with the session").toBe(false);
    await sleep(1500);
    expect(await readyz(opsUrl), "still not ready while it stays gone").toBe(503);

    proxy.restore();
    await until("ready again once the database is back", async () => (await readyz(opsUrl)) === 200, 15_000);
    expect(service.cluster.canTakeWork()).toBe(true);
    await until("leader again", async () => service!.cluster.isLeader(), 5000);
  }, 60_000);
});
