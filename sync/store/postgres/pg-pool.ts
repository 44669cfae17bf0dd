/**
 * The connection pool of the PostgreSQL store (node-postgres). Two things differ from pg's defaults:
 * BIGINT columns (our epoch-ms times, job ids) come back as numbers, not strings (epoch ms stay far
 * below 2^53), and an optional schema pins search_path on every connection so tests (and a shared
 * database) can keep each store in its own schema.
 */
import pg from "pg";
import { StoreError } from "../store-errors";

const INT8_OID = 20;

/** Per-pool parsers: pg.types.setTypeParser would change every other pg user in the process. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};

export interface PgPoolOptions {
  /** postgres://user:password@host:5432/database?sslmode=require */
  readonly url: string;
  /** Schema to work in (created by the migrations when missing); default: the server's search_path. */
  readonly schema?: string;
  /** Connections held at most; each instance's workers share them. */
  readonly max?: number;
  /** Told when the server ends a connection (restart, failover); the pool replaces it either way. */
  readonly onConnectionLost?: (error: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function createPgPool(options: PgPoolOptions): pg.Pool {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new StoreError(`The schema name "${options.schema}" is not usable: use lower-case letters, digits and _ (at most 63)`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    types,
    max: options.max ?? 10,
    // A database that does not answer fails the call instead of hanging the worker that made it.
    connectionTimeoutMillis: 10_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process; the
  // pool replaces it on the next checkout. (The connection's own listener below reports it.)
  pool.on("error", () => undefined);
  // Nor one dropped while checked out between two statements: without a listener its 'error' event
  // would end the process; the statement in flight fails instead and the pool drops it on release.
  const lost = options.onConnectionLost ?? (() => undefined);
  pool.on("connect", (client) => client.on("error", lost));
  return pool;
}

/** A URL for messages and logs: the password never leaves the process. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * A pooled connection for a unit of work. While it is checked out, a connection the server drops
 * (restart, failover, pg_terminate_backend) must not crash the process with an unhandled 'error'
 * event: the failure reaches the caller through its next query, and the connection is destroyed
 * on release instead of going back to the pool.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    return await work(client);
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** Runs `work` in one transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}

/** The SQLSTATE of a driver error (23505 unique violation, 40P01 deadlock...), or null. */
export function sqlState(error: unknown): string | null {
  return typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : null;
}

/** The constraint or index a driver error names, or null. */
export function violatedConstraint(error: unknown): string | null {
  return typeof error === "object" && error !== null && typeof (error as { constraint?: unknown }).constraint === "string"
    ? (error as { constraint: string }).constraint
    : null;
}
