/**
 * `cosell config export [--file F]` and `cosell config import F [--yes]`: the field mapping rows and
 * the portable co-sell settings moved from a staging org to production as a file an admin keeps in
 * git. Import shows the changes first and writes only with --yes; a file that is not valid, or whose
 * mapping the target org cannot run, is refused whole and nothing is written. Both sign in as the
 * admin identity (the service's role cannot write the settings row).
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Config } from "../../service/config";
import { ConfigFileError, parseConfigFile, serializeConfigFile } from "../../config-transfer/config-file";
import { configFromOrg, formatPlan, isEmptyPlan, planImport } from "../../config-transfer/config-plan";
import { applyPlan, mappingProblems, readOrgConfig } from "../../config-transfer/org-config";
import { createAdminDataverseClient, explainAdminRefusal } from "../admin-identity";
import { loadCliConfig } from "../cli-config";
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";

export async function configExportCommand(options: { config: Config; io: CliIo; file?: string }): Promise<number> {
  const { config, io } = options;
  const dataverse = createAdminDataverseClient(config, io.err);
  const org = await readOrgConfig(dataverse).catch((error: unknown) => {
    throw explainAdminRefusal(error);
  });
  const { file, skipped } = configFromOrg(org.rows, org.settings);
  for (const line of skipped) io.err(`! left out mapping row ${line}; fix it in Dynamics 365 and export again`);
  const text = serializeConfigFile(file);
  if (options.file) {
    await writeFile(options.file, text, "utf8");
    io.err(`✔ Wrote ${file.mapping.length} mapping rows and the settings of ${config.DATAVERSE_URL} to ${options.file}`);
  } else {
    io.out(text.trimEnd());
  }
  return skipped.length > 0 ? ExitCode.failed : ExitCode.ok;
}

export async function configImportCommand(options: { config: Config; io: CliIo; file: string; yes: boolean }): Promise<number> {
  const { config, io } = options;
  let text: string;
  try {
    text = await readFile(options.file, "utf8");
  } catch (error) {
    throw new CliError(`Cannot read ${options.file} (${(error as Error).message}); give the path of a file written by \`cosell config export\`. Nothing was changed.`);
  }
  let file;
  try {
    file = parseConfigFile(text, options.file);
  } catch (error) {
    if (error instanceof ConfigFileError) throw new CliError(`${error.message}\nNothing was changed.`, ExitCode.failed, { cause: error });
    throw error;
  }
  const dataverse = createAdminDataverseClient(config, io.err);
  const problems = await mappingProblems(dataverse, file).catch((error: unknown) => {
    throw explainAdminRefusal(error);
  });
  if (problems.length > 0) {
    throw new CliError(
      `${options.file} maps fields in a way ${config.DATAVERSE_URL} cannot run:\n- ${problems.join("\n- ")}\n` +
        "Create the missing columns in this org (or correct the file), then import again. Nothing was changed.",
    );
  }
  const org = await readOrgConfig(dataverse);
  const plan = planImport(org.rows, org.settings, file);
  if (isEmptyPlan(plan)) {
    io.out(`✔ ${config.DATAVERSE_URL} already holds the configuration of ${options.file}: nothing to change.`);
    return ExitCode.ok;
  }
  const lines = formatPlan(plan);
  io.out(`Changes to ${config.DATAVERSE_URL} from ${options.file}:`);
  for (const line of lines) io.out(`  ${line}`);
  if (!options.yes) {
    io.out(`Nothing was changed. To apply these ${lines.length} changes: cosell config import ${options.file} --yes`);
    return ExitCode.ok;
  }
  await applyPlan(dataverse, org, plan).catch((error: unknown) => {
    throw explainAdminRefusal(error);
  });
  io.out(`✔ Applied ${lines.length} changes. The sync service checks the mapping rows within seconds and writes its verdict on each.`);
  return ExitCode.ok;
}

export function registerConfigCommand(program: Command, context: CommandContext): void {
  const config = program
    .command("config")
    .description("move the field mapping and co-sell settings between orgs (staging → production) as a file to keep in git");
  config
    .command("export")
    .description("write the org's mapping rows and portable settings as stable JSON (stdout, or --file)")
    .option("--file <path>", "write to this file instead of stdout")
    .action(async (options: { file?: string }) => {
      context.exitCode = await configExportCommand({ config: loadCliConfig(), io: context.io, file: options.file });
    });
  config
    .command("import")
    .description("show what a configuration file changes in this org; apply it with --yes")
    .argument("<file>", "a file written by `cosell config export`")
    .option("--yes", "apply the changes shown", false)
    .action(async (file: string, options: { yes: boolean }) => {
      context.exitCode = await configImportCommand({ config: loadCliConfig(), io: context.io, file, yes: options.yes });
    });
}
