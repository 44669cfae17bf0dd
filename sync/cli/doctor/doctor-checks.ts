/**
 * The checks behind `cosell doctor`, in the order an admin sets things up: configuration, Dataverse
 * sign-in, the solution, its columns, the Partner Center sign-in, webhooks on both sides. Each check
 * says what it found and, when it fails, exactly what to do. A check that depends on an earlier one
 * (no columns to read when Dataverse refuses the token) is skipped with the reason, not failed twice.
 */
import { OPPORTUNITY_COLUMNS, RegistrationTables, ServiceEndpointColumns, SOLUTION, StepColumns, Tables } from "../../../entities";
import type { DataverseClient } from "../../dataverse/dataverse-client";
import { DataverseError } from "../../dataverse/dataverse-error";
import { odataString } from "../../dataverse/odata-rows";
import { DEFAULT_OPPORTUNITY_STEPS } from "../../dataverse/webhook-registration";
import { PartnerCenterError } from "../../partner-center/partner-center-error";
import type { ReferralsClient } from "../../partner-center/referrals-client";
import { SignInRequiredError } from "../../partner-center/token-provider";
import { REFERRAL_WEBHOOK_EVENTS, type WebhookRegistrationClient } from "../../partner-center/webhook-registration-client";
import type { MissingColumn, SyncMapping } from "../../engine";
import { findMissingColumns } from "../../server";
import { SERVICE_ENDPOINT_NAME, describeWebhookHolder } from "../../service/register-webhooks";
import { decodeTokenClaims, signInHealth, translateSignInFailure } from "../../partner-center/sign-in-health";
import type { Config } from "../../service/config";
import { missingPrivilege } from "../admin-identity";
import { OK_PREFIX } from "../../mapping/mapping-checker";
import { dataverseMappingRows } from "../../mapping/mapping-watcher";

/** `warn`: worth the admin's attention, but not a failure (the exit code stays 0). */
export type CheckState = "pass" | "warn" | "fail" | "skip";

export interface CheckResult {
  title: string;
  state: CheckState;
  /** What was found. */
  detail: string;
  /** What to do (failures and skips). */
  fix?: string;
}

export interface DoctorDependencies {
  config: Config;
  dataverse: DataverseClient;
  referrals: ReferralsClient;
  webhooks: WebhookRegistrationClient;
  mapping: SyncMapping;
  /** The referrals API's access token, to read the sign-in's claims (who, MFA). */
  partnerCenterToken?: () => Promise<string>;
  /**
   * When the stored refresh token was last used (null: no stored sign-in, e.g. the sandbox's static
   * token). Asked after the token call, which may itself have just refreshed it.
   */
  refreshTokenLastUsedAt?: () => Date | null;
  now?: () => Date;
  /** `doctor --admin`: the admin identity reads what the service's role may not (solutions, webhook registrations). */
  adminDataverse?: DataverseClient;
}

/** A check the service's own role may not be allowed to make: skipped, saying how to make it. */
function needsAdmin(title: string, error: unknown): CheckResult | null {
  const privilege = missingPrivilege(error);
  return privilege ? skip(title, `the service's role lacks ${privilege}, as it should: run \`cosell doctor --admin\``) : null;
}

const pass = (title: string, detail: string): CheckResult => ({ title, state: "pass", detail });
const warn = (title: string, detail: string, fix: string): CheckResult => ({ title, state: "warn", detail, fix });
const fail = (title: string, detail: string, fix: string): CheckResult => ({ title, state: "fail", detail, fix });
const skip = (title: string, because: string): CheckResult => ({ title, state: "skip", detail: `not checked: ${because}`, fix: "fix the check above first" });

function dataverseProblem(config: Config, error: unknown): { detail: string; fix: string } {
  if (error instanceof DataverseError) {
    if (error.status === 0) return { detail: `no answer from ${config.DATAVERSE_URL} (${error.message})`, fix: "check DATAVERSE_URL (your org URL, e.g. https://contoso.crm.dynamics.com) and the network" };
    if (error.status === 401) {
      return {
        detail: `Dataverse refused the token (401: ${error.message})`,
        fix: "check DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID and the secret or certificate, and that the app registration is an application user in this org",
      };
    }
    if (error.status === 403) {
      return { detail: `Dataverse denied access (403: ${error.message})`, fix: "give the application user the \"Partner Center Co-sell Sync Service\" security role" };
    }
    return { detail: `Dataverse answered ${error.status}: ${error.message}`, fix: "check DATAVERSE_URL and try again; if it persists, see the service health of the org" };
  }
  return { detail: (error as Error).message ?? String(error), fix: "check the Dataverse credential settings in .env (see .env.example)" };
}

/** The client wraps a failed token request in its own error; the sign-in problem is in the cause chain. */
export function signInProblem(error: unknown): SignInRequiredError | null {
  for (let current = error; current instanceof Error; current = current.cause) if (current instanceof SignInRequiredError) return current;
  return null;
}

function partnerCenterProblem(error: unknown): { detail: string; fix: string } {
  const known = translateSignInFailure(error);
  if (known) return { detail: `${known.what} (${(error as Error).message ?? String(error)})`, fix: known.fix };
  const signIn = signInProblem(error);
  if (signIn) return { detail: signIn.message, fix: "run `cosell login` and sign in with a Partner Center Referrals admin account" };
  if (error instanceof PartnerCenterError) {
    if (error.status === 401 || error.status === 403) {
      return { detail: `Partner Center refused the sign-in (${error.status}: ${error.message})`, fix: "run `cosell login` again with an account that has the Referrals admin role in Partner Center" };
    }
    if (error.status === 0) return { detail: `no answer from Partner Center (${error.message})`, fix: "check PARTNER_CENTER_API_URL and the network" };
    return { detail: `Partner Center answered ${error.status}: ${error.message}`, fix: "try again later; if it persists, check PARTNER_CENTER_API_URL" };
  }
  return { detail: (error as Error).message ?? String(error), fix: "check PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_TENANT_ID and PARTNER_CENTER_TOKEN_SECRET, then run `cosell login`" };
}

/** Who signed in, whether with MFA, and how long the stored sign-in lives unused (sign-in-health.ts). */
async function signInHealthCheck(deps: DoctorDependencies, answers: string): Promise<CheckResult> {
  const title = "Partner Center sign-in";
  if (!deps.partnerCenterToken) return pass(title, answers);
  const token = await deps.partnerCenterToken();
  const health = signInHealth({ token, refreshTokenLastUsedAt: deps.refreshTokenLastUsedAt?.() ?? null, now: deps.now?.() ?? new Date() });
  const facts = [
    health.user ? `signed in as ${health.user}` : "the token names no user",
    health.mfa === null ? "MFA not stated by the token" : health.mfa ? "with MFA" : "WITHOUT MFA",
    ...(health.refreshTokenLastUsedAt && health.refreshTokenExpiresAt
      ? [`refresh token last used ${health.refreshTokenLastUsedAt.toISOString()} (dies unused on ${health.refreshTokenExpiresAt.toISOString().slice(0, 10)})`]
      : []),
  ];
  const detail = `${answers}; ${facts.join(", ")}`;
  if (health.warnings.length > 0) return fail(title, `${detail}; ${health.warnings.join("; ")}`, "run `cosell login` as a Referrals admin and complete the MFA prompt");
  if (health.mfa === null && decodeTokenClaims(token)) {
    return warn(title, `${detail} (no amr claim): whether the sign-in used MFA is not known`, "if Partner Center refuses calls with error 900421, run `cosell login` and complete the MFA prompt");
  }
  return pass(title, detail);
}

function describeMissing(missing: readonly MissingColumn[]): string {
  const byTable = new Map<string, string[]>();
  for (const m of missing) byTable.set(m.table, [...(byTable.get(m.table) ?? []), m.column]);
  return [...byTable].map(([table, columns]) => `${table}: ${columns.join(", ")}`).join("; ");
}

export async function runDoctorChecks(deps: DoctorDependencies): Promise<CheckResult[]> {
  const { config, dataverse } = deps;
  const org = deps.adminDataverse ?? dataverse;
  const results: CheckResult[] = [pass("Configuration", "every required setting is present")];

  let dataverseOk = false;
  try {
    const me = await dataverse.whoAmI();
    dataverseOk = true;
    results.push(pass("Dataverse sign-in", `${config.DATAVERSE_URL} answers; signed in as user ${me.UserId}`));
  } catch (error) {
    const problem = dataverseProblem(config, error);
    results.push(fail("Dataverse sign-in", problem.detail, problem.fix));
  }

  if (!dataverseOk) {
    results.push(
      skip("Solution installed", "Dataverse is not reachable"),
      skip("Co-sell columns", "Dataverse is not reachable"),
      skip("Change tracking", "Dataverse is not reachable"),
    );
  } else {
    results.push(...(await schemaChecks({ ...deps, dataverse: org }).catch((error: unknown) => {
      const admin = needsAdmin("Solution installed", error);
      if (admin) return [admin, skip("Co-sell columns", "checked with the solution")];
      const problem = dataverseProblem(config, error);
      return [fail("Solution installed", problem.detail, problem.fix), skip("Co-sell columns", "the org's metadata could not be read")];
    })));
    results.push(await changeTrackingCheck(org).catch((error: unknown) => {
      const problem = dataverseProblem(config, error);
      return fail("Change tracking", problem.detail, problem.fix);
    }));
    results.push(await fieldMappingCheck(dataverse, config).catch((error: unknown) => {
      const problem = dataverseProblem(config, error);
      return warn("Field mapping", `the Co-sell field mapping rows could not be read: ${problem.detail}`, "import the current solution; the service's role must read Co-sell field mappings");
    }));
  }

  try {
    const first = await deps.referrals.pages({ top: 1 }).next();
    const count = first.done ? 0 : first.value.value.length;
    const answers = `the referrals API answers (${count === 0 ? "no referrals yet" : "listed 1 referral"})`;
    results.push(await signInHealthCheck(deps, answers));
  } catch (error) {
    const problem = partnerCenterProblem(error);
    results.push(fail("Partner Center sign-in", problem.detail, problem.fix));
  }

  const base = config.PUBLIC_BASE_URL?.replace(/\/+$/, "");
  const noBase = "set PUBLIC_BASE_URL to the address Dataverse and Partner Center reach this service at, then run `cosell register-webhooks`";
  results.push(
    dataverseOk
      ? await dataverseWebhookCheck(org, base, noBase).catch((error: unknown) => {
          const admin = needsAdmin("Dataverse webhook", error);
          if (admin) return admin;
          const problem = dataverseProblem(config, error);
          return fail("Dataverse webhook", problem.detail, problem.fix);
        })
      : skip("Dataverse webhook", "Dataverse is not reachable"),
  );
  results.push(await partnerCenterWebhookCheck(deps.webhooks, base, noBase));
  return results;
}

async function schemaChecks(deps: DoctorDependencies): Promise<CheckResult[]> {
  const { config, dataverse } = deps;
  const solution = await dataverse.installedSolution(SOLUTION.uniqueName);
  const solutionCheck = solution
    ? pass("Solution installed", `${SOLUTION.uniqueName} ${solution.version} (${solution.isManaged ? "managed" : "unmanaged"})`)
    : fail(
        "Solution installed",
        `${SOLUTION.uniqueName} is not installed in this org`,
        "import dist/PartnerCenterCoSell_<version>_managed.zip (npm run build makes it; README: \"Install the solution in Dynamics 365\")",
      );
  // Every pcc_ column the solution defines, plus whatever the mapping (and a MAPPING_FILE) needs.
  const present = new Set((await dataverse.attributeNames(Tables.opportunity.logicalName)).map((c) => c.toLowerCase()));
  const missing: MissingColumn[] = OPPORTUNITY_COLUMNS.filter((c) => !present.has(c.logicalName)).map((c) => ({ table: "opportunity", column: c.logicalName, field: "solution" }));
  for (const m of await findMissingColumns(dataverse, deps.mapping)) {
    if (!missing.some((x) => x.table === m.table && x.column === m.column)) missing.push(m);
  }
  const columnsCheck =
    missing.length === 0
      ? pass("Co-sell columns", `all ${OPPORTUNITY_COLUMNS.length} pcc_ columns and every mapped column exist`)
      : fail(
          "Co-sell columns",
          `missing ${describeMissing(missing)}`,
          config.MAPPING_FILE ? `import the PartnerCenterCoSell solution, or correct ${config.MAPPING_FILE}` : "import the PartnerCenterCoSell solution (it defines the pcc_ columns)",
        );
  return [solutionCheck, columnsCheck];
}

/** The mapping rows' verdicts, as the running service wrote them: a bad row is worth a look, never a failure. */
async function fieldMappingCheck(dataverse: DataverseClient, config: Config): Promise<CheckResult> {
  const title = "Field mapping";
  if (config.MAPPING_FILE) return pass(title, `MAPPING_FILE (${config.MAPPING_FILE}) wins over the Co-sell field mapping rows`);
  const rows = await dataverseMappingRows(dataverse).readRows();
  if (rows.length === 0) return pass(title, "no rows yet: the service writes the shipped mapping into the table when it starts");
  const bad = rows.filter((row) => row.verdict !== null && !row.verdict.startsWith(OK_PREFIX));
  if (bad.length === 0) return pass(title, `${rows.length} rows, none with a problem`);
  return warn(
    title,
    bad.map((row) => `${row.name ?? row.field ?? row.id}: ${row.verdict}`).join("; "),
    "correct those rows in Dynamics 365 (Co-sell field mappings); until then their fields keep their last valid column",
  );
}

/** Dataverse never redelivers a lost webhook: the catch-up pass needs opportunity changes tracked. */
async function changeTrackingCheck(dataverse: DataverseClient): Promise<CheckResult> {
  if (await dataverse.changeTrackingEnabled(Tables.opportunity.logicalName)) {
    return pass("Change tracking", "on for Opportunity: the catch-up pass finds what a lost webhook missed");
  }
  return fail(
    "Change tracking",
    "off for Opportunity: a seller's save whose webhook Dataverse lost (it never redelivers) would not reach Partner Center",
    "turn on Track changes for the Opportunity table (make.powerapps.com › Tables › Opportunity › Properties › Advanced options)",
  );
}

async function dataverseWebhookCheck(dataverse: DataverseClient, base: string | undefined, noBase: string): Promise<CheckResult> {
  const title = "Dataverse webhook";
  const rerun = "run `cosell register-webhooks`";
  const [endpoint] = await dataverse.query<Record<string, unknown>>(RegistrationTables.serviceEndpoint, [RegistrationTables.serviceEndpoint.primaryId, ServiceEndpointColumns.url], {
    filter: `${ServiceEndpointColumns.name} eq ${odataString(SERVICE_ENDPOINT_NAME)}`,
    top: 1,
  });
  if (!endpoint) return fail(title, `no service endpoint "${SERVICE_ENDPOINT_NAME}" in the org`, base ? rerun : noBase);
  const url = String(endpoint.values[ServiceEndpointColumns.url] ?? "");
  if (!base) return fail(title, `registered to ${url}, but PUBLIC_BASE_URL is not set`, noBase);
  if (url !== `${base}/webhooks/dataverse`) return fail(title, `registered to ${url}, not ${base}/webhooks/dataverse`, rerun);
  const missingSteps: string[] = [];
  for (const spec of DEFAULT_OPPORTUNITY_STEPS) {
    const name = `${SERVICE_ENDPOINT_NAME}: ${spec.message} of ${Tables.opportunity.logicalName}`;
    const [step] = await dataverse.query(RegistrationTables.step, [RegistrationTables.step.primaryId], { filter: `${StepColumns.name} eq ${odataString(name)}`, top: 1 });
    if (!step) missingSteps.push(spec.message);
  }
  if (missingSteps.length > 0) return fail(title, `the endpoint has no step for opportunity ${missingSteps.join(" and ")}`, rerun);
  const messages = DEFAULT_OPPORTUNITY_STEPS.map((spec) => spec.message);
  return pass(title, `${url}, steps on opportunity ${messages.slice(0, -1).join(", ")} and ${messages.at(-1) ?? ""}`);
}

async function partnerCenterWebhookCheck(webhooks: WebhookRegistrationClient, base: string | undefined, noBase: string): Promise<CheckResult> {
  const title = "Partner Center webhook";
  const rerun = "run `cosell register-webhooks`";
  try {
    const registration = await webhooks.get();
    if (!registration) return fail(title, "no webhook registration in Partner Center", base ? rerun : noBase);
    // One registration per tenant: say who holds it, so a takeover is a decision, not an accident.
    const holder = `held by ${registration.WebhookUrl} (${describeWebhookHolder(registration.WebhookUrl)})`;
    if (!base) return fail(title, `${holder}, but PUBLIC_BASE_URL is not set`, noBase);
    if (registration.WebhookUrl.replace(/\/+$/, "").toLowerCase() !== `${base}/webhooks/partner-center`.toLowerCase()) {
      return fail(title, `${holder}, not this service (${base}/webhooks/partner-center)`, "run `cosell register-webhooks --replace` to take it over (that receiver then stops getting Partner Center's events)");
    }
    const missing = REFERRAL_WEBHOOK_EVENTS.filter((event) => !registration.WebhookEvents.includes(event));
    if (missing.length > 0) return fail(title, `not subscribed to ${missing.join(", ")}`, rerun);
    const referralEvents = registration.WebhookEvents.filter((event) => (REFERRAL_WEBHOOK_EVENTS as readonly string[]).includes(event)).length;
    return pass(title, `${registration.WebhookUrl} (held by this service), ${referralEvents} referral events`);
  } catch (error) {
    const problem = partnerCenterProblem(error);
    return fail(title, problem.detail, problem.fix);
  }
}
