/**
 * The health of the Referrals admin's stored sign-in, for `cosell doctor`, /metrics and the log:
 * - who signed in, and whether the sign-in used MFA: Partner Center refuses app+user calls whose
 *   sign-in had no MFA from 2026 (401, error 900421; real-world-contract, documented). Read from the
 *   access token's claims (`amr` holds "mfa");
 * - when the refresh token was last used: it dies after 90 days unused. The encrypted token cache is
 *   rewritten on every refresh, so its modification time is that moment.
 * And the common sign-in failures, translated into what the admin does about them.
 */
import { statSync } from "node:fs";

export const REFRESH_TOKEN_IDLE_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000;
/** Warn this long before the refresh token would die unused. */
export const SIGN_IN_WARNING_MS = 7 * 24 * 60 * 60 * 1000;

export interface TokenClaims {
  /** The signed-in user (upn, unique_name or preferred_username). */
  user: string | null;
  /** Authentication methods of the sign-in (e.g. ["pwd", "mfa"]); null when the token has no `amr` claim. */
  amr: string[] | null;
  tenantId: string | null;
  expiresAt: Date | null;
}

/** The claims of a JWT access token; null when the token is not a readable JWT (e.g. the sandbox's). */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const payload = token.split(".")[1];
  if (!payload || token.split(".").length !== 3) return null;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (claims === null || typeof claims !== "object") return null;
  const text = (name: string) => (typeof claims[name] === "string" ? (claims[name] as string) : null);
  return {
    user: text("upn") ?? text("unique_name") ?? text("preferred_username") ?? text("email"),
    amr: Array.isArray(claims.amr) ? claims.amr.filter((method): method is string => typeof method === "string") : null,
    tenantId: text("tid"),
    expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
  };
}

export interface SignInHealth {
  user: string | null;
  /** null: the token does not say (not a JWT, or no `amr` claim): only Partner Center's answer tells. */
  mfa: boolean | null;
  refreshTokenLastUsedAt: Date | null;
  /** When the refresh token dies if it stays unused. */
  refreshTokenExpiresAt: Date | null;
  /** Plain-language problems to act on (no MFA, refresh token near its end). */
  warnings: string[];
}

export function signInHealth(input: { token: string; refreshTokenLastUsedAt: Date | null; now: Date }): SignInHealth {
  const claims = decodeTokenClaims(input.token);
  // A missing claim is not a sign-in without MFA: tokens need not carry `amr`.
  const mfa = claims?.amr ? claims.amr.includes("mfa") : null;
  const expiresAt = input.refreshTokenLastUsedAt ? new Date(input.refreshTokenLastUsedAt.getTime() + REFRESH_TOKEN_IDLE_LIFETIME_MS) : null;
  const warnings: string[] = [];
  // Read by admins on the Sync health page and in the log: a date they can read, in UTC (the service
  // cannot know the reader's time zone), e.g. "3 March 2027, 14:05 UTC".
  const readable = (at: Date) =>
    `${at.toLocaleString("en-GB", { timeZone: "UTC", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false })} UTC`.replace(" at ", ", ");
  if (mfa === false) {
    warnings.push("the sign-in did not use multi-factor authentication: Partner Center refuses such sign-ins (error 900421); run `cosell login` and complete the MFA prompt");
  }
  if (expiresAt && expiresAt.getTime() - input.now.getTime() <= SIGN_IN_WARNING_MS) {
    const gone = expiresAt.getTime() <= input.now.getTime();
    warnings.push(
      gone
        ? `the stored sign-in was last refreshed ${readable(input.refreshTokenLastUsedAt!)} and has expired (90 days unused); run \`cosell login\``
        : `the stored sign-in expires ${readable(expiresAt)} unless it is used before (90 days unused); start the service or run \`cosell doctor\` to refresh it`,
    );
  }
  return { user: claims?.user ?? null, mfa, refreshTokenLastUsedAt: input.refreshTokenLastUsedAt, refreshTokenExpiresAt: expiresAt, warnings };
}

/** When the token cache file was last written (= the refresh token's last use); null without a file. */
export function refreshTokenLastUsedAt(cacheFile: string): Date | null {
  try {
    return statSync(cacheFile).mtime;
  } catch {
    return null;
  }
}

/** A common sign-in failure, recognised by its Entra ID or Partner Center code, with what to do. */
export interface SignInFailure {
  what: string;
  fix: string;
}

const FAILURES: readonly { pattern: RegExp; failure: SignInFailure }[] = [
  {
    pattern: /AADSTS7000218|AADSTS700025|client_assertion.*client_secret/i,
    failure: {
      what: "the app registration does not allow public client flows, which the device-code sign-in needs",
      fix: "in Entra ID → App registrations → your Partner Center app → Authentication, set \"Allow public client flows\" to Yes, then run `cosell login` again",
    },
  },
  {
    pattern: /AADSTS65001|AADSTS65004|consent_required|has not consented/i,
    failure: {
      what: "the app has no consent for the Partner Center API in this tenant",
      fix: "in Entra ID → App registrations → API permissions, add the Partner Center API (user_impersonation) and choose \"Grant admin consent\", then run `cosell login` again",
    },
  },
  {
    pattern: /\b900421\b|AADSTS50076|AADSTS50079|multi-?factor|\bmfa\b/i,
    failure: {
      what: "Partner Center requires a sign-in with multi-factor authentication (MFA) and this one had none",
      fix: "run `cosell login` and complete the MFA prompt; if none appears, ask your Entra ID admin to require MFA for this account",
    },
  },
  {
    pattern: /AADSTS700016|AADSTS90002|application .* was not found/i,
    failure: {
      what: "PARTNER_CENTER_CLIENT_ID or PARTNER_CENTER_TENANT_ID does not name an app in this tenant",
      fix: "check PARTNER_CENTER_CLIENT_ID and PARTNER_CENTER_TENANT_ID against the app registered in Partner Center (Account settings → App management), then run `cosell login` again",
    },
  },
  {
    pattern: /\baccessDenied\b|\bunAuthorized\b|\b403\b|Referrals admin/i,
    failure: {
      what: "the signed-in account may not use referrals",
      fix: "give the account the Referrals admin role in Partner Center (Account settings → User management), or run `cosell login` with an account that has it",
    },
  },
];

/** What went wrong with a sign-in, in the admin's words; null when it is not a known case. */
export function translateSignInFailure(error: unknown): SignInFailure | null {
  const texts: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    texts.push(current.message, String((current as { errorCode?: unknown }).errorCode ?? ""), String((current as { code?: unknown }).code ?? ""));
  }
  const all = texts.join(" ");
  return FAILURES.find(({ pattern }) => pattern.test(all))?.failure ?? null;
}
