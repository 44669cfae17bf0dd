/**
 * `cosell store migrate --to postgres://…`: moves a deployment from its SQLite file to PostgreSQL
 * (copy-from-sqlite.ts does the copy in one transaction). Needs only the two stores, not the
 * Dataverse or Partner Center settings: STORE_PATH (or --from) names the file.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { loadDotEnv } from "../../service/config";
import { PostgresSyncStore, SqliteSyncStore, storeUrlProblem } from "../../store";
import { copySqliteToPostgres, TargetNotEmptyError } from "../../store/postgres/copy-from-sqlite";
import { redactedUrl } from "../../store/postgres/pg-pool";
import { StoreError } from "../../store/store-errors";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { createProgressLine } from "../progress-line";

export async function storeMigrateCommand(options: { from: string; to: string; io: CliIo }): Promise<number> {
  const { io } = options;
  const problem = storeUrlProblem(options.to) ?? (options.to ? null : "--to is required: the PostgreSQL URL to copy into");
  if (problem) throw new CliError(problem.replace(/^STORE_URL/, "--to"), ExitCode.usage);
  if (!existsSync(options.from)) {
    throw new CliError(`No SQLite store at ${options.from}: pass --from <file> or set STORE_PATH to the file the service used.`, ExitCode.usage);
  }
  // Opening migrates the file to the current schema, as the service itself would on start.
  const source = SqliteSyncStore.open({ path: options.from });
  const target = new PostgresSyncStore({ url: options.to, maxConnections: 2 });
  try {
    await target.ready();
    io.out(`Copying ${options.from} into ${redactedUrl(options.to)}`);
    const progress = createProgressLine(io, "Copying");
    const counts = await copySqliteToPostgres({
      source: source.database,
      target: target.pgPool,
      onProgress: ({ table, done, total }) => progress.update(done, total, table),
    });
    progress.finish();
    const width = Math.max(...counts.map((c) => c.table.length));
    for (const c of counts) io.out(`  ${c.table.padEnd(width)}  ${String(c.target).padStart(8)} rows (SQLite ${c.source})`);
    io.out("✔ Counts match. Set STORE_URL to this URL on every instance and start them; keep the SQLite file as a backup.");
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof TargetNotEmptyError) throw new CliError(`✘ ${error.message}`, ExitCode.failed, { cause: error });
    if (error instanceof StoreError) throw new CliError(`✘ ${error.message}`, ExitCode.failed, { cause: error });
    throw error;
  } finally {
    await target.close();
    await source.close();
  }
}

export function registerStoreCommand(program: Command, context: CommandContext): void {
  const store = program.command("store").description("manage the sync store");
  store
    .command("migrate")
    .description("copy the SQLite store into an empty PostgreSQL database (stop the service first)")
    .requiredOption("--to <url>", "postgres://user:password@host:5432/database (add ?sslmode=require for Azure)")
    .option("--from <file>", "the SQLite file (default: STORE_PATH, else ./cosell.sqlite)")
    .action(async (options: { to: string; from?: string }) => {
      loadDotEnv();
      const from = options.from ?? process.env.STORE_PATH ?? "./cosell.sqlite";
      context.exitCode = await storeMigrateCommand({ from, to: options.to, io: context.io });
    });
}
