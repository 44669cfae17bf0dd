/** One PostgreSQL schema step. Append-only like the SQLite ones: a released step is never edited. */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  /** SQL run in one transaction with its row in schema_migrations. */
  readonly sql: string;
}
