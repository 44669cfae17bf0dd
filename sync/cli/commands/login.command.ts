/**
 * `cosell login`: the one-time device-code sign-in of a Partner Center Referrals admin. Partner
 * Center refuses app-only tokens for referrals, so the service keeps this account's refresh token
 * (encrypted with PARTNER_CENTER_TOKEN_SECRET in PARTNER_CENTER_TOKEN_FILE) and refreshes it itself.
 */
import type { Command } from "commander";
import { REFERRALS_SCOPE, WEBHOOKS_SCOPE } from "../../partner-center/token-provider";
import { delegatedTokenProvider } from "../../service/sync-service";
import type { Config } from "../../service/config";
import { loadCliConfig } from "../cli-config";
import { ExitCode, type CliIo, type CommandContext } from "../cli-io";

const provider = delegatedTokenProvider;

export async function loginCommand(options: { config: Config; io: CliIo }): Promise<number> {
  const { config, io } = options;
  if (config.PARTNER_CENTER_STATIC_TOKEN) {
    io.out("Nothing to sign in: PARTNER_CENTER_STATIC_TOKEN is set (sandbox). Remove it to use a Partner Center sign-in.");
    return ExitCode.ok;
  }
  io.out("Sign in with a Partner Center account that has the Referrals admin role.");
  const account = await provider(config, REFERRALS_SCOPE).signIn((message) => io.out(`  ${message}`));
  // The webhooks API is another resource: usually the same sign-in covers it silently; if the tenant
  // wants separate consent, ask once more now rather than failing later in register-webhooks.
  try {
    await provider(config, WEBHOOKS_SCOPE).getToken();
  } catch {
    io.out("Partner Center asks for one more sign-in, for the webhooks API:");
    await provider(config, WEBHOOKS_SCOPE).signIn((message) => io.out(`  ${message}`));
  }
  io.out(`✔ Signed in as ${account.username}. The sign-in is kept encrypted in ${config.PARTNER_CENTER_TOKEN_FILE}; the service refreshes it.`);
  io.out("  If `cosell doctor` later says the sign-in can no longer be refreshed, run `cosell login` again.");
  return ExitCode.ok;
}

export function registerLoginCommand(program: Command, context: CommandContext): void {
  program
    .command("login")
    .description("sign in to Partner Center as a Referrals admin (device code); the service keeps the sign-in")
    .action(async () => {
      context.exitCode = await loginCommand({ config: loadCliConfig(), io: context.io });
    });
}
