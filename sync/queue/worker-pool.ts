/**
 * N workers over the durable queue in the store. Each claims one due job with a lease (the store
 * guarantees one running job per link), runs the handler while extending the lease, then completes,
 * schedules a retry, or dead-letters the job. A worker killed mid-job loses its lease and the job
 * is picked up again, so nothing is lost on a crash.
 */
import type { Logger } from "pino";
import type { SyncMetrics } from "../observability/metrics";
import type { Job, SyncStore } from "../store";
import { decideRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy";

export type JobOutcome = "synced" | "unchanged" | "skipped";

export interface JobHandler {
  run(job: Job): Promise<JobOutcome>;
  /** Called once a job is given up: show the reason on the record (pcc_syncstatus Error). */
  onGiveUp(job: Job, error: unknown): Promise<void>;
}

export interface WorkerPoolOptions {
  store: SyncStore;
  handler: JobHandler;
  logger: Logger;
  metrics?: SyncMetrics;
  workers: number;
  retryPolicy?: RetryPolicy;
  leaseMs?: number;
  /** How long an idle worker sleeps when the queue is empty (wake() cuts it short). */
  idlePollMs?: number;
  instanceId?: string;
  /** While true, workers claim nothing (the settings row's kill switch); queued jobs wait, none is lost. */
  isPaused?: () => boolean;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Whether the process behind a worker id (`pid123-w4`, see start()) has stopped. Asked only when the
 * pool starts, before it claims anything: a worker id with this process's own pid is then a previous
 * process's whose pid came round again (as in a container, where the backend is often pid 1). Other
 * ids (`cli`, a custom instance id) are left to their lease.
 */
export function isStoppedWorker(workerId: string): boolean {
  const match = /^pid(\d+)-w\d+$/.exec(workerId);
  if (!match) return false;
  const pid = Number(match[1]);
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export class WorkerPool {
  private running = false;
  private loops: Promise<void>[] = [];
  private sleepers = new Set<() => void>();
  private readonly leaseMs: number;
  private readonly idlePollMs: number;
  private readonly retryPolicy: RetryPolicy;

  constructor(private readonly options: WorkerPoolOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.idlePollMs = options.idlePollMs ?? 250;
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const instance = this.options.instanceId ?? `pid${process.pid}`;
    const recovered = this.takeOverAbandonedJobs();
    for (let i = 0; i < this.options.workers; i++) this.loops.push(recovered.then(() => this.loop(`${instance}-w${i}`)));
  }

  /** Jobs a killed backend process left running are taken over now, not when their lease runs out (30 s). */
  private async takeOverAbandonedJobs(): Promise<void> {
    try {
      const jobs = await this.options.store.recoverLeasesOf(isStoppedWorker);
      if (jobs > 0) this.options.logger.info({ jobs }, "took over the jobs a stopped backend process left unfinished");
    } catch (error) {
      this.options.logger.warn({ err: error }, "could not look for unfinished jobs of a stopped process; their leases will run out");
    }
  }

  /** New work arrived: wake idle workers now instead of at their next poll. */
  wake(): void {
    for (const wakeUp of this.sleepers) wakeUp();
    this.sleepers.clear();
  }

  /** Stops claiming new jobs and waits for the running ones to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async loop(workerId: string): Promise<void> {
    const { store } = this.options;
    while (this.running) {
      if (this.options.isPaused?.()) {
        await this.sleep(this.idlePollMs);
        continue;
      }
      let job: Job | null;
      try {
        job = await store.claimNext({ workerId, leaseMs: this.leaseMs });
      } catch (error) {
        this.options.logger.error({ err: error, workerId }, "could not claim a job");
        await this.sleep(this.idlePollMs * 4);
        continue;
      }
      if (!job) {
        await this.sleep(this.idlePollMs);
        continue;
      }
      try {
        await this.process(job, workerId);
      } catch (error) {
        // The store failed while recording the outcome (its database went away): the job keeps its
        // lease, which runs out (or another instance takes it over), and it runs again. The worker lives on.
        this.options.logger.error({ err: error, workerId, jobId: job.id }, "could not record a job's outcome; it will run again");
        await this.sleep(this.idlePollMs * 4);
      }
    }
  }

  private async process(job: Job, workerId: string): Promise<void> {
    const { store, handler, logger, metrics } = this.options;
    const log = logger.child({ jobId: job.id, linkKey: job.linkKey, attempt: job.attempts, workerId });
    const heartbeat = setInterval(() => {
      void store.extendLease(job.id, workerId, this.leaseMs).catch((error) => log.warn({ err: error }, "lease extension failed"));
    }, Math.max(1000, this.leaseMs / 3));
    const stopTimer = metrics?.jobDuration.startTimer();
    try {
      let outcome: Awaited<ReturnType<JobHandler["run"]>>;
      try {
        outcome = await handler.run(job);
      } catch (error) {
        await this.recordFailure(job, workerId, error, log);
        return;
      }
      // Outside the handler's try: a store that cannot record the success must not dead-letter a job that succeeded.
      await store.complete(job.id, workerId);
      metrics?.jobsFinished.inc({ outcome });
      log.debug({ outcome, reasons: job.reasons }, "job done");
    } finally {
      clearInterval(heartbeat);
      stopTimer?.();
    }
  }

  /** The handler failed: retry later or give up, as the retry policy decides. */
  private async recordFailure(job: Job, workerId: string, error: unknown, log: Logger): Promise<void> {
    const { store, handler, metrics } = this.options;
    const decision = decideRetry(job.attempts, error, this.retryPolicy);
    if (decision.action === "retry") {
      await store.retryLater(job.id, workerId, { error: errorMessage(error), runAt: Date.now() + decision.delayMs });
      metrics?.jobsFinished.inc({ outcome: "retry" });
      metrics?.errors.inc({ kind: "retryable" });
      log.warn({ err: error, delayMs: decision.delayMs }, "job failed, will retry");
    } else {
      await store.deadLetter(job.id, workerId, errorMessage(error));
      metrics?.jobsFinished.inc({ outcome: "dead-letter" });
      metrics?.errors.inc({ kind: decision.reason === "not-retryable" ? "permanent" : "retryable" });
      log.error({ err: error, reason: decision.reason }, "job given up");
      try {
        await handler.onGiveUp(job, error);
      } catch (reportError) {
        log.error({ err: reportError }, "could not write the sync error to the record");
      }
    }
  }
}
