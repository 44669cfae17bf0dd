/**
 * Several instances over one real PostgreSQL database (a fresh one per file): a pair worked by one
 * instance at a time, a killed instance's locks and jobs taken over at once, one leader, one
 * process per INSTANCE_ID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { postgresCluster, type Cluster } from "../../sync/cluster/cluster";
import { InstanceIdInUseError } from "../../sync/cluster/cluster-membership";
import { createTestDatabase, type TestDatabase } from "../support/postgres-database";

const silent = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: TestDatabase;
const started: Cluster[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase("cluster");
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await Promise.all(started.splice(0).map((cluster) => cluster.stop()));
});
afterAll(async () => {
  await db?.drop();
});

/** Recorded takeovers: which worker ids the predicate called gone. */
function recordingStore(workerIds: string[]) {
  const calls: string[][] = [];
  return {
    calls,
    recoverLeasesOf: async (isGone: (workerId: string) => boolean) => {
      const gone = workerIds.filter(isGone);
      calls.push(gone);
      return gone.length;
    },
  };
}

async function instance(instanceId: string, store = recordingStore([])): Promise<Cluster> {
  const cluster = postgresCluster({ url: db.url, instanceId, version: "1.2.3", logger: silent, store, heartbeatMs: 200 });
  await cluster.start();
  started.push(cluster);
  return cluster;
}

/** An instance in a child process (so that SIGKILL ends it as a crash does); resolves once it printed `ready`. */
async function childInstance(instanceId: string, heldKey?: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "instance-process.fixture.ts"), db.url, instanceId, ...(heldKey ? [heldKey] : [])], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!output.includes("ready") || (heldKey && !output.includes("holding"))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`instance ${instanceId} did not start: ${output}`);
    await sleep(50);
  }
  return { child, output: () => output };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - start;
}

describe("instances sharing one PostgreSQL database", () => {
  it("works a pair on one instance at a time, while other pairs run side by side", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const events: string[] = [];
    const job = (cluster: Cluster, name: string, key: string) =>
      cluster.pairLocks.run(key, async () => {
        events.push(`${name} in`);
        await sleep(150);
        events.push(`${name} out`);
      });
    await Promise.all([job(a, "a1", "opportunity:1"), job(b, "b1", "opportunity:1"), job(a, "a2", "opportunity:1")]);
    // Three jobs of one pair on two instances: never two inside at once.
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(" in", " out"));

    await Promise.all([job(a, "a3", "opportunity:2"), job(b, "b3", "referral:9")]);
    const last = events.slice(-4);
    expect(last.slice(0, 2).every((e) => e.endsWith(" in")), `different pairs run at once: ${last.join(", ")}`).toBe(true);
  });

  it("hands a SIGKILLed instance's pair lock to the waiting instance at once, and takes over its jobs", async () => {
    const store = recordingStore(["victim-w0", "victim-w3", "survivor-w0", "cli", "pid42-w1"]);
    const survivor = await instance("survivor", store);
    const { child } = await childInstance("victim", "opportunity:held");
    let entered = false;
    const waiting = survivor.pairLocks.run("opportunity:held", async () => void (entered = true));
    await sleep(500);
    expect(entered, "the pair is still held by the live victim").toBe(false);

    const killedAt = Date.now();
    child.kill("SIGKILL");
    await waiting;
    const lockFreedMs = Date.now() - killedAt;
    expect(lockFreedMs, "no lease wait: the lock died with the session").toBeLessThan(3000);

    await waitFor(() => store.calls.some((gone) => gone.length > 0), 5000);
    // Only the killed instance's workers: not the survivor's, not the CLI's, not the SQLite-era pids.
    expect(store.calls.find((gone) => gone.length > 0)).toEqual(["victim-w0", "victim-w3"]);
    const rows = await survivor.instances();
    expect(rows.map((r) => [r.instanceId, r.live, r.gone])).toEqual([
      ["survivor", true, false],
      ["victim", false, true],
    ]);
    // Taken over once, not on every heartbeat.
    await sleep(600);
    expect(store.calls.filter((gone) => gone.length > 0)).toHaveLength(1);
  });

  it("has one leader; when it is killed another instance leads within seconds", async () => {
    const { child, output } = await childInstance("first");
    expect(output()).toContain("ready leader");
    const second = await instance("second");
    await sleep(600);
    expect(second.isLeader()).toBe(false);
    child.kill("SIGKILL");
    const took = await waitFor(() => second.isLeader(), 5000);
    expect(took).toBeLessThan(3000);
  });

  it("refuses a second process with the same INSTANCE_ID, saying what to do", async () => {
    await instance("twin");
    const twin = postgresCluster({ url: db.url, instanceId: "twin", version: "1", logger: silent, store: recordingStore([]) });
    await expect(twin.start()).rejects.toThrow(InstanceIdInUseError);
    await expect(twin.start()).rejects.toThrow(/give each instance its own/);
  });

  it("stops taking work when its session is cut, and takes work again once it reconnects", async () => {
    const a = await instance("cut");
    const observer = await instance("observer");
    expect(a.canTakeWork()).toBe(true);
    const admin = await observer.instances(); // warm the observer's session
    expect(admin.length).toBeGreaterThanOrEqual(2);
    const pg = (await import("pg")).default;
    const killer = new pg.Client({ connectionString: db.url });
    await killer.connect();
    try {
      await killer.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'cosell:cut%'");
    } finally {
      await killer.end();
    }
    await waitFor(() => !a.canTakeWork(), 3000);
    await waitFor(() => a.canTakeWork(), 5000);
    const rows = await observer.instances();
    expect(rows.find((r) => r.instanceId === "cut")?.live).toBe(true);
  });
});
