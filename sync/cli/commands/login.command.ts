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
import { CliError, ExitCode, type CliIo, type CommandContext } from "../cli-io";
import { decodeTokenClaims, signInHealth, translateSignInFailure } from "../../partner-center/sign-in-health";

const provider = delegatedTokenProvider;

export async function loginCommand(options: { config: Config; io: CliIo }): Promise<number> {
  const { config, io } = options;
  if (config.PARTNER_CENTER_STATIC_TOKEN) {
    io.out("Nothing to sign in: PARTNER_CENTER_STATIC_TOKEN is set (sandbox). Remove it to use a Partner Center sign-in.");
    return ExitCode.ok;
  }
  io.out("Sign in with a Partner Center account that has the Referrals admin role, and complete the");
  io.out("multi-factor authentication (MFA) prompt: Partner Center refuses sign-ins without MFA.");
  const account = await translated(() => provider(config, REFERRALS_SCOPE).signIn((message) => io.out(`  ${message}`)));
  // The webhooks API is another resource: usually the same sign-in covers it silently; if the tenant
  // wants separate consent, ask once more now rather than failing later in register-webhooks.
  try {
    await provider(config, WEBHOOKS_SCOPE).getToken();
  } catch {
    io.out("Partner Center asks for one more sign-in, for the webhooks API:");
    await translated(() => provider(config, WEBHOOKS_SCOPE).signIn((message) => io.out(`  ${message}`)));
  }
  const token = await translated(() => provider(config, REFERRALS_SCOPE).getToken());
  const health = signInHealth({ token, refreshTokenLastUsedAt: new Date(), now: new Date() });
  if (health.mfa === false) {
    throw new CliError(`✘ Signed in as ${account.username}, but without MFA: Partner Center will refuse this sign-in (error 900421).\n  → run \`cosell login\` again and complete the MFA prompt; if none appears, ask your Entra ID admin to require MFA for this account.`);
  }
  if (health.mfa === null && decodeTokenClaims(token)) io.out("! The token does not say whether the sign-in used MFA: if Partner Center refuses calls with error 900421, run `cosell login` again and complete the MFA prompt.");
  io.out(`✔ Signed in as ${account.username}${health.mfa ? " with MFA" : ""}. The sign-in is kept encrypted in ${config.PARTNER_CENTER_TOKEN_FILE}; the service refreshes it.`);
  io.out("  It dies after 90 days unused (service stopped that long): `cosell doctor` shows when, and warns a week before.");
  return ExitCode.ok;
}

/** Runs a sign-in step; a common failure becomes what to do about it. */
async function translated<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const known = translateSignInFailure(error);
    if (!known) throw error;
    throw new CliError(`✘ The sign-in failed: ${known.what}.\n  → ${known.fix}`, ExitCode.failed, { cause: error });
  }
}

export function registerLoginCommand(program: Command, context: CommandContext): void {
  program
    .command("login")
    .description("sign in to Partner Center as a Referrals admin (device code); the service keeps the sign-in")
    .action(async () => {
      context.exitCode = await loginCommand({ config: loadCliConfig(), io: context.io });
    });
}
