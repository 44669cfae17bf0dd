/**
 * The Dataverse admin identity. The running service signs in with the least-privilege role the
 * solution ships, which cannot register webhooks, change metadata or read solutions; the commands
 * that do (`cosell setup`, `register-webhooks`, `doctor --admin`) sign in as an admin instead: a
 * second app registration whose application user is a System Customizer, or a System Customizer in
 * person with a device code. A refused call names the missing privilege and the role that has it.
 */
import { ClientSecretCredential, DeviceCodeCredential } from "@azure/identity";
import { CliError } from "./cli-io";
import { DataverseClient } from "../dataverse/dataverse-client";
import { DataverseError } from "../dataverse/dataverse-error";
import { CredentialTokenProvider, StaticTokenProvider, type DataverseTokenProvider } from "../dataverse/token-provider";
import type { Config } from "../service/config";

export const ADMIN_MISSING =
  "This command changes the org's setup, which the service's own role (Partner Center Co-sell Sync Service) cannot: set DATAVERSE_ADMIN_CLIENT_ID " +
  "to an app registration whose application user has the System Customizer role, with DATAVERSE_ADMIN_CLIENT_SECRET; or, without a secret, to a " +
  "public client app registration through which a System Customizer signs in with a device code.";

function adminTokens(config: Config, prompt: (message: string) => void): DataverseTokenProvider {
  if (config.DATAVERSE_ADMIN_STATIC_TOKEN) return new StaticTokenProvider(config.DATAVERSE_ADMIN_STATIC_TOKEN);
  const clientId = config.DATAVERSE_ADMIN_CLIENT_ID;
  if (!clientId) throw new CliError(ADMIN_MISSING);
  const tenantId = config.DATAVERSE_TENANT_ID ?? "organizations";
  const credential = config.DATAVERSE_ADMIN_CLIENT_SECRET
    ? new ClientSecretCredential(tenantId, clientId, config.DATAVERSE_ADMIN_CLIENT_SECRET)
    : new DeviceCodeCredential({ tenantId, clientId, userPromptCallback: (info) => prompt(info.message) });
  return new CredentialTokenProvider(credential, config.DATAVERSE_URL);
}

/** A Dataverse client signed in as the admin identity; throws a CliError saying what to set when there is none. */
export function createAdminDataverseClient(config: Config, prompt: (message: string) => void): DataverseClient {
  return new DataverseClient({ orgUrl: config.DATAVERSE_URL, tokens: adminTokens(config, prompt) });
}

/** "prvCreateServiceEndpoint" when Dataverse refused a call for a missing privilege, else null. */
export function missingPrivilege(error: unknown): string | null {
  if (!(error instanceof DataverseError)) return null;
  return /is missing (prv\w+) privilege/.exec(error.message)?.[1] ?? null;
}

/** Turns a privilege refusal met by the admin identity into advice naming the privilege. */
export function explainAdminRefusal(error: unknown): unknown {
  const privilege = missingPrivilege(error);
  if (!privilege) return error;
  return new CliError(
    `The admin identity lacks the privilege ${privilege}: give its user the System Customizer (or System Administrator) role, then run the command again.`,
    undefined,
    { cause: error },
  );
}
