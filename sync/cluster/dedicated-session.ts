/**
 * One PostgreSQL connection of our own, kept open for as long as the process runs, because session
 * state lives on it: the instance's liveness (its pid in pg_stat_activity), the leader lock and the
 * pair locks end when this session ends, which is what lets other instances act at once. It
 * reconnects with backoff after a drop and tells its listeners when it goes down and comes back.
 */
import pg from "pg";
import type { Logger } from "pino";

export class SessionDownError extends Error {
  readonly retryable = true;
  constructor(what: string) {
    super(`the database session for ${what} is down; waiting for it to come back`);
    this.name = "SessionDownError";
  }
}

export interface DedicatedSessionOptions {
  url: string;
  /** Shown in pg_stat_activity.application_name, e.g. `cosell:<instance>:liveness`. */
  applicationName: string;
  logger: Logger;
  /** Runs on each new connection before it counts as up (re-register, re-take locks). */
  onConnected?: (client: pg.Client) => Promise<void>;
  /** A query taking longer than this counts as a lost connection. */
  queryTimeoutMs?: number;
  maxReconnectDelayMs?: number;
}

export class DedicatedSession {
  private client: pg.Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(up: boolean) => void>();
  private tail: Promise<unknown> = Promise.resolve();
  /** Increases with each new connection: a lock taken in an older generation died with it. */
  generation = 0;

  constructor(private readonly options: DedicatedSessionOptions) {}

  get isUp(): boolean {
    return this.client !== null;
  }

  onChange(listener: (up: boolean) => void): void {
    this.listeners.add(listener);
  }

  /** The first connection: a failure here is the caller's (the service does not start). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    const client = this.client;
    if (!client) throw new SessionDownError(this.options.applicationName);
    // One statement at a time: pg queues overlapping calls itself, but that is deprecated (pg 9 drops it).
    const run = this.tail.then(() => client.query<R>(sql, params));
    this.tail = run.catch(() => undefined);
    try {
      return await run;
    } catch (error) {
      // A timeout or a broken socket: this session's state can no longer be trusted.
      if (this.client === client && isConnectionError(error)) this.lost(client, error);
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName.slice(0, 63),
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      query_timeout: this.options.queryTimeoutMs ?? 5000,
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("the connection ended")));
    await client.connect();
    try {
      await this.options.onConnected?.(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.generation++;
    for (const listener of this.listeners) listener(true);
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.options.logger.warn({ err: error, session: this.options.applicationName }, "lost the database session; reconnecting");
    for (const listener of this.listeners) listener(false);
    this.scheduleReconnect(250);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        () => this.options.logger.info({ session: this.options.applicationName }, "database session back"),
        () => this.scheduleReconnect(Math.min(delayMs * 2, this.options.maxReconnectDelayMs ?? 5000)),
      );
    }, delayMs);
    this.reconnectTimer.unref();
  }
}

/** Errors that mean the connection (not the statement) failed. */
function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code ?? "";
  return /timeout|terminat|Connection|ECONN|EPIPE|not queryable/i.test(message) || code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03";
}
