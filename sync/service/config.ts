/**
 * The backend's configuration: one zod schema over the environment (and .env), checked at start.
 * Every problem is reported at once, naming the variable and what to put in it, so an admin fixes
 * the configuration in one go instead of one restart per missing value.
 */
import type { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { pemCertificates } from "../partner-center/certificate-fetcher";
import { storeUrlProblem } from "../store/open-sync-store";
import { PRODUCTION_CERTIFICATE_HOSTS } from "../partner-center/webhook-signature-verifier";

const url = (what: string) => z.string({ error: `is required: ${what}` }).url({ error: `must be a URL: ${what}` });

export const ConfigSchema = z
  .object({
    DATAVERSE_URL: url("your org URL, e.g. https://contoso.crm.dynamics.com"),
    DATAVERSE_TENANT_ID: z.string().optional(),
    DATAVERSE_CLIENT_ID: z.string().optional(),
    DATAVERSE_CLIENT_SECRET: z.string().optional(),
    DATAVERSE_CLIENT_CERTIFICATE_PATH: z.string().optional(),
    DATAVERSE_USE_MANAGED_IDENTITY: z.enum(["true", "false"]).optional(),
    /** Only for the sandbox: a static bearer token instead of Entra ID. */
    DATAVERSE_STATIC_TOKEN: z.string().optional(),
    /**
     * The admin identity for `cosell setup`, `register-webhooks` and `doctor --admin` (the service's
     * own role cannot register webhooks or change metadata): a second app registration whose
     * application user is a System Customizer (with its secret), or, without a secret, a public
     * client app through which a System Customizer signs in with a device code.
     */
    DATAVERSE_ADMIN_CLIENT_ID: z.string().optional(),
    DATAVERSE_ADMIN_CLIENT_SECRET: z.string().optional(),
    /** Only for the sandbox: the admin identity's static bearer token. */
    DATAVERSE_ADMIN_STATIC_TOKEN: z.string().optional(),
    PARTNER_CENTER_API_URL: url("the Partner Center API base, normally https://api.partner.microsoft.com").default("https://api.partner.microsoft.com"),
    PARTNER_CENTER_REFERRAL_LINK_BASE: url("where 'Open in Partner Center' links point").default("https://partner.microsoft.com/dashboard/referrals/v2/leads/details"),
    /** Only for the sandbox: a static bearer token instead of the delegated sign-in. */
    PARTNER_CENTER_STATIC_TOKEN: z.string().optional(),
    PARTNER_CENTER_WEBHOOKS_API_URL: url("the Partner Center webhooks API base, normally https://api.partnercenter.microsoft.com").default("https://api.partnercenter.microsoft.com"),
    PARTNER_CENTER_TOKEN_FILE: z.string().default("./cosell-partner-center-token.json"),
    PARTNER_CENTER_CLIENT_ID: z.string().optional(),
    PARTNER_CENTER_TENANT_ID: z.string().default("organizations"),
    PARTNER_CENTER_TOKEN_SECRET: z
      .string()
      .min(32, { error: "must be at least 32 characters (it encrypts the stored sign-in): generate one with `openssl rand -hex 32`" })
      .optional(),
    PARTNER_CENTER_WEBHOOK_CERT_HOSTS: z.string().default(PRODUCTION_CERTIFICATE_HOSTS.join(",")),
    /** Extra CA certificates (PEM text, or the path of a PEM file) trusted for Partner Center's webhook signing chain. */
    PARTNER_CENTER_WEBHOOK_TRUSTED_CA: z.string().optional(),
    /** Only for the sandbox: the one plain-http certificate URL accepted, on 127.0.0.1. */
    PARTNER_CENTER_SANDBOX_CERT_URL: z.string().optional(),
    DATAVERSE_WEBHOOK_KEY: z.string({ error: "is required: the secret Dataverse sends with each webhook (generate one with `openssl rand -hex 32`)" })
      .min(32, { error: "must be at least 32 characters: use `openssl rand -hex 32`" }),
    PUBLIC_BASE_URL: url("the URL Dataverse and Partner Center reach this service at, e.g. https://cosell.contoso.com").optional(),
    HOST: z.string().default("0.0.0.0"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** /healthz, /readyz and /metrics: private by default, never on the public port. */
    OPS_HOST: z.string().default("127.0.0.1"),
    OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9090),
    /** Open connections one client address may hold on the public port; behind a reverse proxy every client is the proxy: raise it. */
    MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(256),
    /** Behind a reverse proxy: "true", or the proxy's addresses/CIDRs, so logs show the client from X-Forwarded-For. */
    TRUST_PROXY: z.string().default("false"),
    STORE_PATH: z.string().default("./cosell.sqlite"),
    /** postgres://… selects the PostgreSQL store (several instances share it); unset, the SQLite file at STORE_PATH. */
    STORE_URL: z.string().optional(),
    /** This process among several (logs, metrics, worker ids); unset: hostname-pid-random. */
    INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "must be 1 to 100 letters, digits, '.', '_' or '-'" }).optional(),
    WORKERS: z.coerce.number().int().min(1).max(64).default(16),
    MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(300),
    /** Dataverse redelivers nothing lost: its change-tracking delta pass runs this often (one request when idle). */
    CATCH_UP_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(60).default(30),
    MAPPING_FILE: z.string().optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  ;

/**
 * Checks across variables. Kept outside the schema because zod skips refinements when a base
 * field fails, and the admin should see every problem in one message.
 */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const hasCredential =
    env.DATAVERSE_STATIC_TOKEN ||
    env.DATAVERSE_USE_MANAGED_IDENTITY === "true" ||
    (env.DATAVERSE_TENANT_ID && env.DATAVERSE_CLIENT_ID && (env.DATAVERSE_CLIENT_SECRET || env.DATAVERSE_CLIENT_CERTIFICATE_PATH));
  if (!hasCredential) {
    problems.push(
      "DATAVERSE_CLIENT_SECRET: no Dataverse credential: set DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID and DATAVERSE_CLIENT_SECRET (or DATAVERSE_CLIENT_CERTIFICATE_PATH) of the application user, or DATAVERSE_USE_MANAGED_IDENTITY=true",
    );
  }
  if (!env.PARTNER_CENTER_STATIC_TOKEN && !(env.PARTNER_CENTER_CLIENT_ID && env.PARTNER_CENTER_TOKEN_SECRET)) {
    problems.push(
      "PARTNER_CENTER_CLIENT_ID: no Partner Center credential: set PARTNER_CENTER_CLIENT_ID (the Entra ID app registered in Partner Center) and PARTNER_CENTER_TOKEN_SECRET (encrypts the stored sign-in), then run `cosell login`",
    );
  }
  if (env.DATAVERSE_CLIENT_CERTIFICATE_PATH && !existsSync(env.DATAVERSE_CLIENT_CERTIFICATE_PATH)) {
    problems.push(`DATAVERSE_CLIENT_CERTIFICATE_PATH file not found: ${env.DATAVERSE_CLIENT_CERTIFICATE_PATH}`);
  }
  const trustedCa = env.PARTNER_CENTER_WEBHOOK_TRUSTED_CA;
  if (trustedCa) {
    try {
      readTrustedCertificates(trustedCa);
    } catch (error) {
      problems.push(`PARTNER_CENTER_WEBHOOK_TRUSTED_CA must be PEM certificates or the path of a PEM file: ${(error as Error).message}`);
    }
  }
  const storeProblem = storeUrlProblem(env.STORE_URL);
  if (storeProblem) problems.push(storeProblem);
  if (env.MAPPING_FILE && !existsSync(env.MAPPING_FILE)) problems.push(`MAPPING_FILE file not found: ${env.MAPPING_FILE}`);
  return problems;
}

export type Config = z.infer<typeof ConfigSchema>;

/** PARTNER_CENTER_WEBHOOK_TRUSTED_CA's certificates: PEM text in the variable, or a PEM file it names. */
export function readTrustedCertificates(value: string): X509Certificate[] {
  const certificates = pemCertificates(value.includes("-----BEGIN CERTIFICATE-----") ? value : readFileSync(value, "utf8"));
  if (certificates.length === 0) throw new Error("no PEM certificate found");
  return certificates;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The sync service configuration is incomplete:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSet these in the environment or in .env (see .env.example).`);
    this.name = "ConfigError";
  }
}

/** Reads .env (when present) into process.env without overriding what the environment already has. */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "configuration"} ${issue.message}`)),
    ...crossFieldProblems(env),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}
