/**
 * One or several `cosell serve` processes as the chaos run and the bench see them: one URL (a single
 * instance's, or a round-robin forwarder's in front of several), one store (a SQLite file, or a fresh
 * PostgreSQL database created for the run and dropped after), restart = SIGKILL one instance (a random
 * one, from the run's seeded random source) and start it again. Several instances need PostgreSQL.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Config } from "../../sync/service/config";
import { createTestDatabase, type TestDatabase } from "../support/postgres-database";
import { BackendProcess, freePort } from "./backend-process";
import { startForwarder, type Forwarder } from "./round-robin-forwarder";

export type StoreEngine = "sqlite" | "postgres";

export interface BackendClusterOptions {
  config: Config;
  folder: string;
  instances: number;
  store: StoreEngine;
  env?: Record<string, string | number>;
  /** Picks the instance to kill (a seeded source keeps a run repeatable). */
  random?: () => number;
}

/** As a restart policy does: a start that fails (the database restarting, say) is tried again. */
async function startPatiently(backend: BackendProcess, tries = 30): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await backend.start();
    } catch (error) {
      if (attempt >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

export class BackendCluster {
  private readonly backends: BackendProcess[] = [];
  private forwarder: Forwarder | null = null;
  private database: TestDatabase | null = null;
  private supervisor: NodeJS.Timeout | null = null;
  /** Instances being restarted or stopped on purpose: the supervisor leaves them alone. */
  private readonly busy = new Set<number>();
  databaseRestarts = 0;
  /** Instances that exited on their own (a crash), restarted as an orchestrator's restart policy would. */
  crashes = 0;

  private constructor(private readonly options: BackendClusterOptions) {}

  static async create(options: BackendClusterOptions): Promise<BackendCluster> {
    if (options.instances < 1) throw new Error("--instances must be 1 or more");
    if (options.instances > 1 && options.store !== "postgres") throw new Error("several instances share a PostgreSQL store: add --store postgres (SQLite is one process's store)");
    const cluster = new BackendCluster(options);
    if (options.store === "postgres") cluster.database = await createTestDatabase("bench");
    for (let i = 0; i < options.instances; i++) {
      cluster.backends.push(
        new BackendProcess({
          config: options.config,
          storePath: join(options.folder, "cosell.sqlite"),
          port: await freePort(),
          logFile: join(options.folder, options.instances === 1 ? "serve.log" : `serve-${i + 1}.log`),
          env: { ...(options.env ?? {}), ...(cluster.database ? { STORE_URL: cluster.database.url } : {}) },
        }),
      );
    }
    return cluster;
  }

  /** Where the store is: the SQLite file, or the PostgreSQL URL (StoreReader reads either). */
  get storeLocation(): string {
    return this.database?.url ?? join(this.options.folder, "cosell.sqlite");
  }

  get url(): string {
    return this.forwarder?.url ?? this.backends[0]!.url;
  }

  get restarts(): number {
    return this.backends.reduce((sum, backend) => sum + backend.restarts, 0);
  }

  get size(): number {
    return this.backends.length;
  }

  /** Each instance's own URL (a client spreading load itself, without the forwarder). */
  instanceUrls(): string[] {
    return this.backends.map((backend) => backend.url);
  }

  /** Starts the instances one after another (the first applies the migrations), then the forwarder. */
  async start(): Promise<void> {
    for (const backend of this.backends) await startPatiently(backend);
    if (this.backends.length > 1) this.forwarder = await startForwarder(() => this.backends.map((backend) => backend.url));
    this.supervisor = setInterval(() => void this.restartCrashed(), 500);
  }

  /** Like a container's restart policy: an instance that exited by itself is started again (and counted). */
  private async restartCrashed(): Promise<void> {
    for (const [index, backend] of this.backends.entries()) {
      if (this.busy.has(index) || backend.running) continue;
      this.busy.add(index);
      this.crashes++;
      try {
        await startPatiently(backend);
      } catch {
        // the next round tries again
      } finally {
        this.busy.delete(index);
      }
    }
  }

  /** SIGKILLs one instance (random among several) and starts it again; returns which (1-based). */
  async restart(): Promise<number> {
    const index = Math.floor((this.options.random ?? Math.random)() * this.backends.length);
    while (this.busy.has(index)) await new Promise((resolve) => setTimeout(resolve, 100));
    this.busy.add(index);
    try {
      const backend = this.backends[index]!;
      await backend.kill();
      backend.restarts++;
      await startPatiently(backend);
    } finally {
      this.busy.delete(index);
    }
    return index + 1;
  }

  /** Restarts the PostgreSQL server itself (every instance loses its sessions at once). */
  async restartDatabase(): Promise<void> {
    if (!this.database) throw new Error("the database restart needs --store postgres");
    const version = readdirSync("/etc/postgresql").sort().at(-1);
    if (!version) throw new Error("no PostgreSQL cluster under /etc/postgresql");
    await promisify(execFile)("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "restart"]);
    this.databaseRestarts++;
  }

  /** Requests the forwarder handed to each instance ("instance 1"…), and those no instance answered. */
  forwarded(): Record<string, number> {
    const counts = this.forwarder?.counts() ?? {};
    const byInstance: Record<string, number> = {};
    for (const [target, n] of Object.entries(counts)) {
      const index = this.backends.findIndex((backend) => backend.url === target);
      byInstance[index >= 0 ? `instance ${index + 1}` : target] = n;
    }
    return byInstance;
  }

  async stop(): Promise<void> {
    if (this.supervisor) clearInterval(this.supervisor);
    for (let index = 0; index < this.backends.length; index++) this.busy.add(index);
    await Promise.all(this.backends.map((backend) => backend.stop()));
    await this.forwarder?.close();
    await this.database?.drop().catch(() => undefined);
  }
}
