/**
 * `cosell doctor`'s store lines: the database answers, its schema is at this version's migrations,
 * and (PostgreSQL) how many instances are live and whether they run one version. Read-only: doctor
 * never migrates or creates anything.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import { redactedUrl } from "../../cluster/cluster";
import { INSTANCES_TABLE, listInstances } from "../../cluster/instance-registry";
import { MIGRATIONS, PG_MIGRATIONS } from "../../store";
import type { Config } from "../../service/config";
import type { CheckResult } from "./doctor-checks";

const pass = (title: string, detail: string): CheckResult => ({ title, state: "pass", detail });
const warn = (title: string, detail: string, fix: string): CheckResult => ({ title, state: "warn", detail, fix });
const fail = (title: string, detail: string, fix: string): CheckResult => ({ title, state: "fail", detail, fix });
const skip = (title: string, because: string): CheckResult => ({ title, state: "skip", detail: `not checked: ${because}`, fix: "fix the check above first" });

/** The newest migration this version knows, per engine (each has its own numbering). */
export const KNOWN_MIGRATION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);
export const KNOWN_PG_MIGRATION = PG_MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

function migrationCheck(applied: number | null, known: number, where: string): CheckResult {
  const title = "Store migrations";
  if (applied === null || applied === 0) return warn(title, `${where} has no schema yet`, "the first `cosell serve` creates it; nothing to do unless the service already ran there");
  if (applied < known) return warn(title, `${where} is at migration ${applied}, this version brings ${known}`, "the next `cosell serve` of this version applies the rest (each in its own transaction)");
  if (applied > known) return fail(title, `${where} is at migration ${applied}, newer than this version knows (${known})`, "run the newer version of cosell, or restore a backup taken before the upgrade");
  return pass(title, `${where} is at migration ${applied}, this version's latest`);
}

function sqliteChecks(path: string): CheckResult[] {
  if (!existsSync(path)) return [pass("Store", `SQLite, ${path} (not created yet: the first \`cosell serve\` creates it)`), skip("Store migrations", "no store file yet")];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    const applied = table ? ((db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null }).v ?? 0) : null;
    return [pass("Store", `SQLite, ${path} (one instance; set STORE_URL for several)`), migrationCheck(applied, KNOWN_MIGRATION, path)];
  } finally {
    db.close();
  }
}

async function postgresChecks(url: string, known: number): Promise<CheckResult[]> {
  const where = redactedUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 10_000, application_name: "cosell:doctor" });
  try {
    await client.connect();
  } catch (error) {
    return [
      fail("Store", `PostgreSQL at ${where} does not answer (${(error as Error).message})`, "check STORE_URL (host, port 5432, database, user, password; Azure: ?sslmode=require) and the server's firewall rules"),
      skip("Store migrations", "the database is not reachable"),
      skip("Instances", "the database is not reachable"),
    ];
  }
  try {
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const ssl = (await client.query<{ ssl: boolean | null }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0]?.ssl ?? false;
    const results = [pass("Store", `PostgreSQL ${version} at ${where}${ssl ? ", over TLS" : ", without TLS (add ?sslmode=require for a server outside this machine)"}`)];
    const hasMigrations = (await client.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = ANY(current_schemas(false))")).rowCount;
    const applied = hasMigrations ? ((await client.query<{ v: number | null }>("SELECT MAX(version)::int AS v FROM schema_migrations")).rows[0]?.v ?? 0) : null;
    results.push(migrationCheck(applied, known, where));
    results.push(await instancesCheck(client));
    return results;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function instancesCheck(client: pg.Client): Promise<CheckResult> {
  const title = "Instances";
  const registered = (await client.query("SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = ANY(current_schemas(false))", [INSTANCES_TABLE])).rowCount;
  if (!registered) return warn(title, "no instance has run against this database yet", "start `cosell serve` with this STORE_URL");
  const rows = await listInstances(client);
  const live = rows.filter((row) => row.live);
  const gone = rows.filter((row) => !row.live);
  const versions = [...new Set(live.map((row) => row.version))];
  const names = live.map((row) => `${row.instanceId} (${row.version})`).join(", ");
  const goneNote = gone.length > 0 ? `; ${gone.length} stopped without shutting down in the last day (their jobs were taken over)` : "";
  if (live.length === 0) return warn(title, `no instance is live${goneNote}`, "start `cosell serve` with this STORE_URL; webhooks queue up meanwhile only if something still accepts them");
  if (versions.length > 1) return warn(title, `${live.length} live, on different versions: ${names}${goneNote}`, "finish the rolling upgrade: restart the older instances on the new version one at a time");
  return pass(title, `${live.length} live: ${names}${goneNote}`);
}

/** The store lines of `cosell doctor` for this configuration. */
export async function storeChecks(config: Pick<Config, "STORE_URL" | "STORE_PATH">, options: { knownMigration?: number } = {}): Promise<CheckResult[]> {
  if (config.STORE_URL) return postgresChecks(config.STORE_URL, options.knownMigration ?? KNOWN_PG_MIGRATION);
  try {
    return sqliteChecks(config.STORE_PATH);
  } catch (error) {
    return [fail("Store", `the SQLite file ${config.STORE_PATH} cannot be read (${(error as Error).message})`, "check STORE_PATH and the file's permissions")];
  }
}
