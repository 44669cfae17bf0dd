/** The worker pool over the real SQLite store: one job per link, retries, give-up reported. */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { isStoppedWorker, WorkerPool, type JobHandler } from "../../sync/queue/worker-pool";
import { openSqliteSyncStore, type Job, type SyncStore } from "../../sync/store";

const silent = pino({ level: "silent" });
const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

let store: SyncStore;
let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.stop();
  await store?.close();
});

function startPool(handler: JobHandler, workers = 3) {
  pool = new WorkerPool({
    store, handler, logger: silent, workers, idlePollMs: 5,
    retryPolicy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  });
  pool.start();
  return pool;
}

describe("worker pool", () => {
  it("never runs two jobs of the same link at once, and runs different links in parallel", async () => {
    store = openSqliteSyncStore({ path: ":memory:" });
    let concurrentSameLink = 0;
    let maxSameLink = 0;
    let maxOverall = 0;
    let overall = 0;
    const done: string[] = [];
    startPool({
      async run(job: Job) {
        overall++;
        maxOverall = Math.max(maxOverall, overall);
        if (job.linkKey === "link-a") {
          concurrentSameLink++;
          maxSameLink = Math.max(maxSameLink, concurrentSameLink);
        }
        await new Promise((r) => setTimeout(r, 30));
        if (job.linkKey === "link-a") concurrentSameLink--;
        overall--;
        done.push(job.linkKey);
        return "synced";
      },
      async onGiveUp() {},
    });
    await store.enqueue({ linkKey: "link-a", reasons: ["one"] });
    await store.enqueue({ linkKey: "link-b", reasons: ["one"] });
    await store.enqueue({ linkKey: "link-c", reasons: ["one"] });
    await until(() => done.length >= 3);
    // A change arriving while link-a runs must wait for it, not run beside it.
    await store.enqueue({ linkKey: "link-a", reasons: ["two"] });
    await until(() => done.length >= 4);
    expect(maxSameLink).toBe(1);
    expect(maxOverall).toBeGreaterThan(1);
  });

  it("retries a retryable failure and reports a job it gives up on", async () => {
    store = openSqliteSyncStore({ path: ":memory:" });
    let calls = 0;
    const givenUp: string[] = [];
    startPool({
      async run(job) {
        calls++;
        if (job.linkKey === "flaky" && calls < 2) throw Object.assign(new Error("503 from Partner Center"), { retryable: true });
        if (job.linkKey === "broken") throw Object.assign(new Error("Partner Center refused: dealValue must be positive"), { retryable: false });
        return "synced";
      },
      async onGiveUp(job, error) {
        givenUp.push(`${job.linkKey}: ${(error as Error).message}`);
      },
    }, 1);
    await store.enqueue({ linkKey: "flaky", reasons: ["x"] });
    await until(async () => (await store.countJobs()).pending === 0 && (await store.countJobs()).running === 0);
    expect(calls).toBe(2);
    expect(givenUp).toEqual([]);

    await store.enqueue({ linkKey: "broken", reasons: ["x"] });
    await until(() => givenUp.length === 1);
    expect(givenUp).toEqual(["broken: Partner Center refused: dealValue must be positive"]);
    expect((await store.listJobs({ state: "dead" })).map((j) => j.linkKey)).toEqual(["broken"]);
  });

  it("lives on when the store fails while recording a job's outcome (its database went away): the job runs again", async () => {
    store = openSqliteSyncStore({ path: ":memory:" });
    const real = store;
    let outage = true;
    const failWhileOut = <T>(call: () => Promise<T>) => (outage ? Promise.reject(new Error("Connection terminated unexpectedly")) : call());
    // The same store, except that recording an outcome fails during the outage.
    store = Object.assign(Object.create(real) as SyncStore, {
      complete: (jobId: number, workerId: string) => failWhileOut(() => real.complete(jobId, workerId)),
      retryLater: (jobId: number, workerId: string, options: Parameters<SyncStore["retryLater"]>[2]) => failWhileOut(() => real.retryLater(jobId, workerId, options)),
      recoverLeasesOf: (isGone: (workerId: string) => boolean) => real.recoverLeasesOf(isGone),
    });
    let runs = 0;
    pool = new WorkerPool({ store, handler: { async run() { runs++; outage = runs < 2; return "synced"; }, async onGiveUp() {} }, logger: silent, workers: 1, idlePollMs: 5, leaseMs: 200 });
    pool.start();
    await real.enqueue({ linkKey: "opportunity:y", reasons: ["save"] });
    // First run: its success could not be recorded (and the job was not dead-lettered for it); the lease
    // ran out, the job ran again, and that one was recorded.
    await until(async () => runs >= 2 && (await real.countJobs()).pending === 0 && (await real.countJobs()).running === 0);
    expect(runs).toBe(2);
  });

  it("takes over at once a job a killed backend process left running, instead of waiting out its 30 s lease", async () => {
    store = openSqliteSyncStore({ path: ":memory:" });
    const { pid: stoppedPid } = spawnSync(process.execPath, ["-e", ""]);
    await store.enqueue({ linkKey: "opportunity:x", reasons: ["save"] });
    await store.claimNext({ workerId: `pid${stoppedPid}-w3`, leaseMs: 30_000 });
    const ran: string[] = [];
    startPool({ async run(job) { ran.push(job.linkKey); return "synced"; }, async onGiveUp() {} });
    await until(() => ran.length === 1, 2000);
    expect(await store.countJobs()).toEqual({ pending: 0, running: 0, dead: 0 });
  });

  it("tells a stopped process's worker from a live one", () => {
    expect(isStoppedWorker(`pid${spawnSync(process.execPath, ["-e", ""]).pid}-w0`)).toBe(true);
    expect(isStoppedWorker(`pid${process.ppid}-w0`)).toBe(false);
    // Our own pid at start-up is a previous process's that came round again (as in a container).
    expect(isStoppedWorker(`pid${process.pid}-w0`)).toBe(true);
    expect(isStoppedWorker("cli")).toBe(false);
  });

  it("dead-letters after the last attempt of a retryable error", async () => {
    store = openSqliteSyncStore({ path: ":memory:" });
    const givenUp: string[] = [];
    let calls = 0;
    startPool({
      async run() {
        calls++;
        throw Object.assign(new Error("429 Too Many Requests"), { retryable: true, retryAfterMs: 1 });
      },
      async onGiveUp(job) {
        givenUp.push(job.linkKey);
      },
    }, 1);
    await store.enqueue({ linkKey: "storm", reasons: ["x"] });
    await until(() => givenUp.length === 1);
    expect(calls).toBe(3);
  });
});
