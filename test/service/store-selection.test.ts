/**
 * STORE_URL picks the engine the service runs on: unset, the SQLite file at STORE_PATH (npm start
 * needs no database server); postgres://…, PostgreSQL (a database of its own here, dropped after).
 */
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../sync/service/config";
import { createSyncService, type SyncService } from "../../sync/service/sync-service";
import { StartupError, startServer } from "../../sync/server";
import { PostgresSyncStore, SqliteSyncStore } from "../../sync/store";
import { postgresUnderTest, TEST_POSTGRES_URL } from "../store/store-engines";

const BASE_ENV = {
  DATAVERSE_URL: "https://x.crm.dynamics.com", DATAVERSE_STATIC_TOKEN: "t", PARTNER_CENTER_STATIC_TOKEN: "t",
  DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef", STORE_PATH: ":memory:",
};
let service: SyncService | null = null;
let dropDatabase: (() => Promise<void>) | null = null;
afterEach(async () => {
  await service?.stop();
  service = null;
  await dropDatabase?.();
  dropDatabase = null;
});

const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

const withPostgres = await postgresUnderTest();

describe("the store the service runs on", () => {
  it("is the SQLite file when STORE_URL is unset", () => {
    service = createSyncService(parseConfig(BASE_ENV), pino({ level: "silent" }));
    expect(service.store).toBeInstanceOf(SqliteSyncStore);
  });

  it("refuses a STORE_URL that is not PostgreSQL, saying what to put there", () => {
    expect(() => parseConfig({ ...BASE_ENV, STORE_URL: "mysql://db/cosell" })).toThrow(ConfigError);
    expect(() => parseConfig({ ...BASE_ENV, STORE_URL: "mysql://db/cosell" })).toThrow(/STORE_URL must be a PostgreSQL URL \(postgres:\/\/user:password@host:5432\/database, add \?sslmode=require for Azure\)/);
  });

  it("stops `serve` before it listens when the PostgreSQL store is unreachable, saying what to check and hiding the password", async () => {
    const config = parseConfig({ ...BASE_ENV, STORE_URL: "postgres://cosell:s3cret@127.0.0.1:1/cosell", PORT: "0", OPS_PORT: "0" });
    const failure = await startServer(config, pino({ level: "silent" })).then(() => null, (error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(StartupError);
    expect(failure?.message).toMatch(/Cannot open the sync database at postgres:\/\/cosell:\*\*\*@127\.0\.0\.1:1\/cosell: .*Check STORE_URL/);
    expect(failure?.message).not.toContain("s3cret");
  });

  it.runIf(withPostgres)("is PostgreSQL with STORE_URL=postgres://…: a delivery is queued once there", async () => {
    const database = `cosell_service_${randomBytes(5).toString("hex")}`;
    await admin(`CREATE DATABASE ${database}`);
    dropDatabase = () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${database}`;
    service = createSyncService(parseConfig({ ...BASE_ENV, STORE_URL: url.toString() }), pino({ level: "silent" }));
    expect(service.store).toBeInstanceOf(PostgresSyncStore);
    const delivery = { source: "dataverse", kind: "opportunity", id: randomUUID(), deliveryKey: randomUUID() } as const;
    expect(await service.enqueue(delivery)).toEqual({ duplicate: false });
    expect(await service.enqueue(delivery)).toEqual({ duplicate: true });
    const check = new pg.Client({ connectionString: url.toString() });
    await check.connect();
    try {
      expect((await check.query("SELECT link_key FROM jobs")).rows).toEqual([{ link_key: `opportunity:${delivery.id}` }]);
    } finally {
      await check.end();
    }
  });
});
