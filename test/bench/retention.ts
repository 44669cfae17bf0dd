/**
 * `npm run bench -- --retention [--days 30] [--per-day 10000] [--pairs 1000]`: how big the store
 * stays after a month of webhook deliveries, on both engines, with the purge the service runs
 * (DeliveryRetention, every 10 minutes). Time is simulated through the stores' injected clock, so a
 * month takes minutes. Each delivery does what the service does for it: records the change time,
 * accepts the delivery key (a day of memory) with its job; every 10 simulated minutes the due jobs
 * run (one commit with one audit line each) and expired keys are purged. PostgreSQL runs in a
 * database of its own (created and dropped here, synchronous_commit off: sizes do not depend on
 * fsync), vacuumed once a simulated day as autovacuum would; SQLite in a temp file.
 */
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import pLimit from "p-limit";
import pg from "pg";
import { EMPTY_MAPPED_FIELDS } from "../../sync/engine";
import { PURGE_INTERVAL_MS } from "../../sync/service/delivery-retention";
import { PostgresSyncStore, SqliteSyncStore, opportunityLinkKey, type SyncStore } from "../../sync/store";
import { tempFolder } from "./backend-process";

const DAY = 24 * 60 * 60_000;
/** The service's DELIVERY_MEMORY_MS. */
const DELIVERY_MEMORY_MS = DAY;
const TABLES = ["processed_events", "jobs", "links", "base_snapshots", "audit_log", "column_changes", "referral_changes", "field_clocks", "watermarks", "referral_notifications"];

/**
 * Retries a call the database dropped (PostgreSQL restarted under us: other runs on this machine
 * restart it); SQLite never throws these. A retried delivery may be remembered twice: sizes only.
 */
let restarts = 0;
async function surviving<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      const lost = ["57P01", "57P02", "57P03", "ECONNREFUSED", "ECONNRESET"].includes(code) || /Connection terminated|terminating connection|timeout exceeded when trying to connect/i.test((error as Error).message);
      if (!lost || attempt >= 120) throw error;
      if (attempt === 0) restarts++;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

interface Sizes {
  engine: string;
  rows: Record<string, number>;
  bytes: Record<string, number>;
  totalBytes: number;
  keysAfterDay: number[];
  seconds: number;
}

async function simulateMonth(store: SyncStore, clock: { now: number }, options: { days: number; perDay: number; pairs: number; daily?: () => Promise<void> }) {
  const start = clock.now;
  const keysAfterDay: number[] = [];
  for (let pair = 0; pair < options.pairs; pair++) {
    await surviving(() => store.saveLink({ key: opportunityLinkKey(`opp-${pair}`), opportunityId: `opp-${pair}`, referralId: `ref-${pair}` }));
  }
  const gap = DAY / options.perDay;
  let nextTick = start + PURGE_INTERVAL_MS;
  const versions = new Map<string, number | null>();
  let delivery = 0;
  const tick = async () => {
    // Four workers drain the due jobs, as the service's pool would.
    const work = async (worker: string) => {
      const claim = () => surviving(() => store.claimNext({ workerId: worker, leaseMs: 60_000 }));
      for (let job = await claim(); job; job = await claim()) {
        const version = versions.get(job.linkKey) ?? null;
        const linkKey = job.linkKey;
        const base = await surviving(() =>
          store.commitSync(linkKey, {
            base: { ...EMPTY_MAPPED_FIELDS, dealValue: delivery },
            audit: [{ at: new Date(clock.now).toISOString(), direction: "CRM → Partner Center", action: "updated", detail: `deal value → ${delivery}` }],
            // A commit whose answer a restart lost may have landed: then take the stored version.
            expectedVersion: version,
          }).catch(async (error: unknown) => {
            if ((error as Error).name !== "StaleBaseError") throw error;
            return (await store.getBase(linkKey))!;
          }),
        );
        versions.set(job.linkKey, base.version);
        const id = job.id;
        await surviving(() => store.complete(id, worker));
      }
    };
    await Promise.all(["w0", "w1", "w2", "w3"].map(work));
    await surviving(() => store.purgeExpiredEvents());
  };
  // Deliveries run 32 at a time, as concurrent webhooks would; each call reads the clock when it starts.
  const limit = pLimit(32);
  for (let day = 0; day < options.days; day++) {
    let inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < options.perDay; i++, delivery++) {
      const at = start + day * DAY + i * gap;
      if (at >= nextTick) {
        await Promise.all(inFlight);
        inFlight = [];
        while (at >= nextTick) {
          clock.now = nextTick;
          await tick();
          nextTick += PURGE_INTERVAL_MS;
        }
      }
      const pair = Math.floor(Math.random() * options.pairs);
      const n = delivery;
      inFlight.push(
        limit(async () => {
          clock.now = at;
          const fromDataverse = n % 2 === 0;
          if (fromDataverse) await surviving(() => store.recordColumnChanges(`opp-${pair}`, ["estimatedvalue", "name"], at));
          else await surviving(() => store.recordReferralChange(`ref-${pair}`, at, false));
          clock.now = at;
          await surviving(() => {
            clock.now = at;
            return store.acceptEvent(
              { key: `${fromDataverse ? "dataverse" : "partner-center"}:${n}`, ttlMs: DELIVERY_MEMORY_MS },
              { linkKey: opportunityLinkKey(`opp-${pair}`), reasons: [fromDataverse ? "dataverse:update" : "partner-center:referral-updated"] },
            );
          });
        }),
      );
    }
    await Promise.all(inFlight);
    await surviving(async () => options.daily?.());
    keysAfterDay.push(await surviving(() => countKeys(store)));
    const size = await surviving(() => storeBytes());
    process.stderr.write(`  day ${day + 1}/${options.days}: ${keysAfterDay.at(-1)} delivery keys remembered, store ${mb(size)}\n`);
  }
  clock.now = start + options.days * DAY;
  await tick();
  return keysAfterDay;
}

let countKeys: (store: SyncStore) => Promise<number> = async () => 0;
let storeBytes: () => Promise<number> = async () => 0;

async function onSqlite(options: { days: number; perDay: number; pairs: number }): Promise<Sizes> {
  const path = join(tempFolder("retention-bench-"), "cosell.sqlite");
  const clock = { now: Date.UTC(2026, 0, 1) };
  const store = SqliteSyncStore.open({ path, clock: () => clock.now });
  store.deferFsyncToCheckpoints();
  const db = store.database;
  countKeys = async () => (db.prepare("SELECT COUNT(*) AS n FROM processed_events").get() as { n: number }).n;
  storeBytes = async () => (db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number);
  const started = Date.now();
  const keysAfterDay = await simulateMonth(store, clock, options);
  const seconds = (Date.now() - started) / 1000;
  db.pragma("wal_checkpoint(TRUNCATE)");
  const rows: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  for (const table of TABLES) {
    rows[table] = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    // dbstat: the pages of the table and its indexes (name LIKE table or one of its indexes).
    bytes[table] = (
      db.prepare("SELECT COALESCE(SUM(pgsize), 0) AS b FROM dbstat WHERE name = ? OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?)").get(table, table) as { b: number }
    ).b;
  }
  await store.close();
  return { engine: "SQLite", rows, bytes, totalBytes: statSync(path).size, keysAfterDay, seconds };
}

async function onPostgres(url: string, options: { days: number; perDay: number; pairs: number }): Promise<Sizes> {
  const database = `cosell_retention_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => undefined);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await admin(`CREATE DATABASE ${database}`);
  await admin(`ALTER DATABASE ${database} SET synchronous_commit = off`);
  const target = new URL(url);
  target.pathname = `/${database}`;
  const clock = { now: Date.UTC(2026, 0, 1) };
  const store = await new PostgresSyncStore({ url: target.toString(), clock: () => clock.now, maxConnections: 24 }).ready();
  const pool = store.pgPool;
  countKeys = async () => (await pool.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM processed_events")).rows[0]!.n;
  storeBytes = async () => (await pool.query<{ b: number }>("SELECT pg_database_size(current_database()) AS b")).rows[0]!.b;
  try {
    const started = Date.now();
    const keysAfterDay = await simulateMonth(store, clock, { ...options, daily: async () => void (await pool.query("VACUUM (ANALYZE)")) });
    const seconds = (Date.now() - started) / 1000;
    await surviving(() => pool.query("VACUUM (ANALYZE)"));
    const rows: Record<string, number> = {};
    const bytes: Record<string, number> = {};
    for (const table of TABLES) {
      rows[table] = (await pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows[0]!.n;
      bytes[table] = (await pool.query<{ b: number }>(`SELECT pg_total_relation_size('${table}') AS b`)).rows[0]!.b;
    }
    const totalBytes = (await pool.query<{ b: number }>("SELECT pg_database_size(current_database()) AS b")).rows[0]!.b;
    if (restarts > 0) console.log(`(PostgreSQL dropped the connection ${restarts} times during the run; those calls were retried)`);
    return { engine: "PostgreSQL", rows, bytes, totalBytes, keysAfterDay, seconds };
  } finally {
    await store.close();
    await surviving(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export async function runRetentionBench(options: { days: number; perDay: number; pairs: number; postgresUrl: string; engine: string }): Promise<void> {
  const { days, perDay, pairs } = options;
  console.log(`Retention: ${days} days × ${perDay.toLocaleString("en")} deliveries/day over ${pairs} pairs, purge every ${PURGE_INTERVAL_MS / 60_000} min, keys kept ${DELIVERY_MEMORY_MS / 3_600_000} h`);
  const results: Sizes[] = [];
  if (options.engine !== "postgres") results.push(await onSqlite({ days, perDay, pairs }));
  if (options.engine !== "sqlite") results.push(await onPostgres(options.postgresUrl, { days, perDay, pairs }));
  console.log("");
  console.log(`${"table".padEnd(24)}${results.map((r) => `${r.engine} rows`.padStart(18) + `${r.engine} size`.padStart(18)).join("")}`);
  for (const table of TABLES) {
    console.log(`${table.padEnd(24)}${results.map((r) => String(r.rows[table]).padStart(18) + mb(r.bytes[table] ?? 0).padStart(18)).join("")}`);
  }
  console.log(`${"whole store".padEnd(24)}${results.map((r) => "".padStart(18) + mb(r.totalBytes).padStart(18)).join("")}`);
  for (const r of results) {
    const first = r.keysAfterDay[0] ?? 0;
    const last = r.keysAfterDay.at(-1) ?? 0;
    console.log(`${r.engine}: delivery keys remembered after day 1: ${first}, after day ${days}: ${last} (without the purge: ${days * perDay}); simulated in ${r.seconds.toFixed(0)} s`);
  }
}
