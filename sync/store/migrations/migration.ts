/** One schema step. Migrations are append-only: a released one is never edited, a new one is added. */
import type { Database } from "better-sqlite3";

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Runs inside a transaction with the version bookkeeping, so a failed step leaves no trace. */
  up(db: Database): void;
}
