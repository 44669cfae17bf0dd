/**
 * The backend as a separate process (`cosell serve`), as an admin runs it: configuration from the
 * environment (the sandbox environment's `sandboxConfig`), a SQLite store file, webhooks registered
 * to its URL. Used by `npm run bench`, `npm run chaos` and the short chaos test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import type { SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import type { Config } from "../../sync/service/config";
import { registerWebhooks } from "../../sync/service/register-webhooks";
import { createAdminDataverseClient } from "../../sync/cli/admin-identity";
import { partnerCenterTokens } from "../../sync/service/sync-service";
import { psqlReadable, type SyncReadable } from "./postgres-store-reader";
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus, Tables } from "../../entities";
import { createSharableOpportunity, waitFor, webApi } from "../e2e-api/story-kit";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
/** COSELL_BACKEND_ROOT runs the measured `cosell` from another checkout (e.g. the previous release, for a before/after figure). */
const BACKEND_ROOT = process.env.COSELL_BACKEND_ROOT ? resolve(process.env.COSELL_BACKEND_ROOT) : REPO_ROOT;
const COSELL_CLI = join(BACKEND_ROOT, "sync/cli/cosell.ts");

export function tempFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A Config back to the environment variables it was parsed from. */
export function configEnv(config: Config, overrides: Record<string, string | number> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...config, ...overrides })) if (value !== undefined) env[key] = String(value);
  return env;
}

/**
 * `node --import tsx sync/cli/cosell.ts <args>`: one process (its pid is the one whose RSS we read).
 * COSELL_NODE_FLAGS in our own environment reaches the child (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
 * to profile it); nothing else of ours does, so a figure never depends on the shell it ran from.
 */
export function spawnCosell(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const log = createWriteStream(logFile, { flags: "a" });
  const flags = process.env.COSELL_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, "--import", "tsx", COSELL_CLI, ...args], {
    cwd: BACKEND_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once("exit", () => setTimeout(() => log.end(), 50));
  return child;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolveExit) => child.once("exit", (code) => resolveExit(code)));
}

/** Peak RSS (VmHWM) of a running process in bytes, from /proc; null where /proc is not there. */
export function peakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface BackendOptions {
  config: Config;
  storePath: string;
  port: number;
  logFile: string;
  env?: Record<string, string | number>;
}

/** `cosell serve` on a fixed port (so restarts keep the registered webhook URL) and a fixed store file. */
export class BackendProcess {
  private child: ChildProcess | null = null;
  readonly url: string;
  restarts = 0;

  constructor(private readonly options: BackendOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Started and not exited (false before start, after stop, and after a crash). */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const { config, storePath, port, logFile, env } = this.options;
    const variables = configEnv(config, { STORE_PATH: storePath, PORT: port, HOST: "127.0.0.1", LOG_LEVEL: "warn" });
    // The sandbox environment pins these for its in-process backend; `cosell serve` runs with the
    // product's defaults unless the caller sets them.
    for (const name of ["WORKERS", "MAX_ATTEMPTS", "RECONCILE_INTERVAL_SECONDS"]) delete variables[name];
    this.child = spawnCosell(["serve"], { ...variables, ...configEnv({} as Config, env ?? {}) }, logFile);
    const child = this.child;
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`cosell serve exited with ${child.exitCode}; see ${logFile}`);
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() - started > 60_000) throw new Error(`cosell serve did not answer /healthz within 60 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: no graceful shutdown, running jobs keep their (expiring) leases in the store. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGKILL");
    await exited(child);
    this.child = null;
  }

  async restart(): Promise<void> {
    await this.kill();
    this.restarts++;
    await this.start();
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited(child);
    clearTimeout(timer);
    this.child = null;
  }
}

export async function registerBackend(config: Config, backendUrl: string): Promise<void> {
  await registerWebhooks({
    // As the admin identity: the service's own role cannot register webhooks.
    dataverse: createAdminDataverseClient(config, () => undefined),
    partnerCenterWebhooksUrl: config.PARTNER_CENTER_WEBHOOKS_API_URL,
    partnerCenterTokens: partnerCenterTokens(config),
    backendUrl,
    webhookKey: config.DATAVERSE_WEBHOOK_KEY,
    validationWaitMs: 0,
  });
}

/**
 * Jobs in the backend's store, read from its SQLite file (WAL: a reader never blocks the backend), or,
 * given a postgres:// URL, from its PostgreSQL database (through psql, see postgres-store-reader.ts).
 */
export class StoreReader {
  private db: SyncReadable | null = null;
  constructor(private readonly path: string) {}

  protected open(): SyncReadable {
    if (/^postgres(ql)?:\/\//.test(this.path)) return (this.db ??= psqlReadable(this.path));
    this.db ??= new Database(this.path, { readonly: true, fileMustExist: true });
    this.db.pragma("busy_timeout = 5000");
    return this.db;
  }

  /** Jobs running or due within `graceMs` (a retry scheduled far ahead counts as outstanding too). */
  outstanding(): { running: number; pending: number; dead: number } {
    const rows = this.open().prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as { state: string; n: number }[];
    const counts = { running: 0, pending: 0, dead: 0 };
    for (const row of rows) counts[row.state as keyof typeof counts] = row.n;
    return counts;
  }

  auditLines(): number {
    try {
      return (this.open().prepare("SELECT COUNT(*) AS n FROM audit_log").get() as { n: number }).n;
    } catch {
      return 0;
    }
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }
}

/** Waits until no webhook is in flight on either side and the backend's queue is empty, `quietRounds` times in a row. */
export async function settleRemote(env: SandboxEnvironment, store: StoreReader, options: { timeoutMs?: number; quietRounds?: number; pollMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const start = Date.now();
  let quiet = 0;
  while (quiet < (options.quietRounds ?? 3)) {
    if (Date.now() - start > timeoutMs) throw new Error(`the backend did not settle within ${timeoutMs} ms: ${JSON.stringify(store.outstanding())}`);
    await Promise.all([env.dataverse.webhooksIdle(), env.partnerCenter.webhooksIdle()]);
    const jobs = store.outstanding();
    quiet = jobs.running === 0 && jobs.pending === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}

export type { WriteStream };

/**
 * One share synced end to end, not measured: until a fresh backend has read the settings and mapping
 * rows (seeding them in an empty org) its workers wait, which put ~3 s on a first batch.
 */
export async function warmUp(env: SandboxEnvironment): Promise<void> {
  const { opportunityId } = await createSharableOpportunity(env, { [S.name]: "Bench warm-up" });
  await waitFor("the warm-up share to sync", async () => {
    const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}(${opportunityId})?$select=${C.syncStatus}`);
    return json[C.syncStatus] === SyncStatus.Synced ? true : null;
  }, 60_000);
}
