/**
 * `cosell doctor`: is this installation ready to sync? One line per check, ✔, ! (worth a look) or ✘, and under each ✘ or !
 * what to do. Exit code 1 when anything failed, so it can gate a deployment.
 */
import type { Command } from "commander";
import { WebhookRegistrationClient } from "../../partner-center/webhook-registration-client";
import { ConfigError, loadDotEnv, parseConfig, type Config } from "../../service/config";
import { createDataverseClient, createReferralsClient, partnerCenterTokens, WEBHOOKS_SCOPE } from "../../service/sync-service";
import { loadSyncMapping } from "../../server";
import { ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { runDoctorChecks, type CheckResult } from "../doctor/doctor-checks";
import { storeChecks } from "../doctor/store-checks";
import { refreshTokenLastUsedAt } from "../../partner-center/sign-in-health";
import { createAdminDataverseClient } from "../admin-identity";

const MARK = { pass: "✔", warn: "!", fail: "✘", skip: "–" } as const;

export function formatCheck(result: CheckResult): string[] {
  const lines = [`${MARK[result.state]} ${result.title}: ${result.detail}`];
  if ((result.state === "fail" || result.state === "warn") && result.fix) lines.push(`    → ${result.fix}`);
  return lines;
}

export async function doctorCommand(options: { config: Config; io: CliIo; admin?: boolean }): Promise<number> {
  const { config, io } = options;
  const mapping = await loadSyncMapping(config);
  const results = await runDoctorChecks({
    config,
    mapping,
    dataverse: createDataverseClient(config),
    referrals: createReferralsClient(config),
    webhooks: new WebhookRegistrationClient({ baseUrl: config.PARTNER_CENTER_WEBHOOKS_API_URL, tokenProvider: partnerCenterTokens(config, WEBHOOKS_SCOPE) }),
    partnerCenterToken: () => partnerCenterTokens(config).getToken(),
    // Only a stored sign-in has a refresh token; the sandbox's static token has none.
    refreshTokenLastUsedAt: () => (config.PARTNER_CENTER_STATIC_TOKEN ? null : refreshTokenLastUsedAt(config.PARTNER_CENTER_TOKEN_FILE)),
    adminDataverse: options.admin ? createAdminDataverseClient(config, io.err) : undefined,
  });
  results.push(...(await storeChecks(config)));
  for (const result of results) for (const line of formatCheck(result)) io.out(line);
  const failed = results.filter((r) => r.state === "fail").length;
  io.out(failed === 0 ? "All checks passed." : `${failed} check${failed === 1 ? "" : "s"} failed: fix ${failed === 1 ? "it" : "them"} and run \`cosell doctor\` again.`);
  return failed === 0 ? ExitCode.ok : ExitCode.failed;
}

/** The configuration check, done here rather than through loadCliConfig so it prints as a ✘ line like the others. */
export function configurationOrReport(io: CliIo, env: NodeJS.ProcessEnv = process.env): Config | null {
  try {
    return parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.out(`${MARK.fail} Configuration: incomplete`);
    for (const problem of error.problems) io.out(`    → ${problem}`);
    io.out("Set these in the environment or in .env (see .env.example), then run `cosell doctor` again.");
    return null;
  }
}

export function registerDoctorCommand(program: Command, context: CommandContext): void {
  program
    .command("doctor")
    .description("check the configuration, both sign-ins, the solution and its columns, change tracking, the webhooks and the store (its migrations, live instances); print what to fix")
    .option("--admin", "also check what only the admin identity may read (solution, webhook registration): signs in as DATAVERSE_ADMIN_CLIENT_ID")
    .action(async (options: { admin?: boolean }) => {
      loadDotEnv();
      const config = configurationOrReport(context.io);
      context.exitCode = config ? await doctorCommand({ config, io: context.io, admin: options.admin }) : ExitCode.failed;
    });
}
