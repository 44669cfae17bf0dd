/**
 * The chaos and bench checks read the backend's store synchronously (better-sqlite3's prepare/get/all).
 * Over PostgreSQL the same reads go through `psql` (synchronous, one short process per query), so the
 * checks run unchanged on both engines. Test kit only: parameters are inlined as quoted literals.
 */
import { execFileSync } from "node:child_process";

const literal = (value: unknown): string => {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
};

/** The part of better-sqlite3's Database the readers use. */
export interface SyncReadable {
  prepare(sql: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  pragma(text: string): unknown;
  close(): void;
}

export function psqlReadable(url: string): SyncReadable {
  const all = (sql: string, params: unknown[]): unknown[] => {
    let index = 0;
    const inlined = sql.replace(/\?/g, () => literal(params[index++]));
    for (let attempt = 1; ; attempt++) {
      try {
        const out = execFileSync("psql", ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", `SELECT coalesce(json_agg(t), '[]'::json) FROM (${inlined}) t`], {
          encoding: "utf8",
          maxBuffer: 256 * 1024 * 1024,
          stdio: ["ignore", "pipe", "pipe"],
        });
        return JSON.parse(out.trim() || "[]") as unknown[];
      } catch (error) {
        // The server restarting (a chaos run restarts it): wait and read again, up to a minute.
        if (attempt >= 120 || !/connection to server|shutting down|starting up/.test(String((error as { stderr?: unknown }).stderr ?? ""))) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      }
    }
  };
  return {
    prepare: (sql) => ({ get: (...params) => all(sql, params)[0], all: (...params) => all(sql, params) }),
    pragma: () => undefined,
    close: () => undefined,
  };
}
