/**
 * Sign-in health: who signed in and whether with MFA (read from the token), how long the stored
 * refresh token lives unused (90 days), the warnings a week before and when MFA is missing, in
 * /metrics and the log; and the common sign-in failures translated into what to do.
 */
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SyncMetrics } from "../../sync/observability/metrics";
import { PartnerCenterError } from "../../sync/partner-center/partner-center-error";
import { decodeTokenClaims, signInHealth, translateSignInFailure } from "../../sync/partner-center/sign-in-health";
import { StaticTokenProvider } from "../../sync/partner-center/token-provider";
import { watchSignIn } from "../../sync/service/sync-service";

const DAY = 86_400_000;
const NOW = new Date("2026-12-03T09:00:00Z");

/** An unsigned JWT with these claims (only the payload is read). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.signature`;
}

const withMfa = jwt({ upn: "ana@contoso.example", amr: ["pwd", "mfa"], tid: "tenant-1", exp: 1_800_000_000 });
const withoutMfa = jwt({ upn: "ana@contoso.example", amr: ["pwd"] });

describe("the token's claims", () => {
  it("names the user, the methods and the expiry; a non-JWT is not readable", () => {
    expect(decodeTokenClaims(withMfa)).toEqual({ user: "ana@contoso.example", amr: ["pwd", "mfa"], tenantId: "tenant-1", expiresAt: new Date(1_800_000_000_000) });
    expect(decodeTokenClaims("sandbox-token")).toBeNull();
  });
});

describe("sign-in health", () => {
  it("a recent MFA sign-in is healthy and says when it would die unused", () => {
    const health = signInHealth({ token: withMfa, refreshTokenLastUsedAt: new Date(NOW.getTime() - 10 * DAY), now: NOW });
    expect(health).toMatchObject({ user: "ana@contoso.example", mfa: true, warnings: [] });
    expect(health.refreshTokenExpiresAt).toEqual(new Date(NOW.getTime() + 80 * DAY));
  });

  it("a token without an amr claim leaves MFA unknown and warns of nothing", () => {
    const noClaim = jwt({ upn: "ana@contoso.example" });
    expect(decodeTokenClaims(noClaim)?.amr).toBeNull();
    expect(signInHealth({ token: noClaim, refreshTokenLastUsedAt: null, now: NOW })).toMatchObject({ user: "ana@contoso.example", mfa: null, warnings: [] });
  });

  it("warns without MFA, a week before the refresh token dies, and once it has", () => {
    expect(signInHealth({ token: withoutMfa, refreshTokenLastUsedAt: null, now: NOW }).warnings).toEqual([expect.stringMatching(/did not use multi-factor authentication.*900421/)]);
    expect(signInHealth({ token: withMfa, refreshTokenLastUsedAt: new Date(NOW.getTime() - 84 * DAY), now: NOW }).warnings).toEqual([expect.stringMatching(/expires 9 December 2026, 09:00 UTC unless it is used/)]);
    expect(signInHealth({ token: withMfa, refreshTokenLastUsedAt: new Date(NOW.getTime() - 91 * DAY), now: NOW }).warnings).toEqual([expect.stringMatching(/has expired \(90 days unused\); run `cosell login`/)]);
    expect(signInHealth({ token: withMfa, refreshTokenLastUsedAt: new Date(NOW.getTime() - 82 * DAY), now: NOW }).warnings).toEqual([]);
  });

  it("the service's token provider puts both in /metrics and warns in the log once per problem", async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), "pc-token-")), "token.json");
    writeFileSync(cacheFile, "encrypted");
    const lastUsed = new Date(NOW.getTime() - 85 * DAY);
    utimesSync(cacheFile, lastUsed, lastUsed);
    const metrics = new SyncMetrics();
    const warnings: string[] = [];
    const logger = { warn: (_context: object, message: string) => warnings.push(message) } as never;
    const tokens = watchSignIn(new StaticTokenProvider(withoutMfa), cacheFile, { logger, metrics, now: () => NOW });
    await tokens.getToken();
    await tokens.getToken();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^cosell_partner_center_sign_in_mfa 0$/m);
    expect(text).toMatch(new RegExp(`^cosell_partner_center_sign_in_expires_in_seconds ${5 * 86_400}$`, "m"));
    expect(warnings).toHaveLength(2);
    expect(warnings.join("\n")).toMatch(/without|did not use multi-factor/);
    expect(warnings.join("\n")).toMatch(/expires 8 December 2026, \d\d:\d\d UTC/);
  });
});

describe("common sign-in failures, translated", () => {
  const cases: [unknown, RegExp][] = [
    [new Error("AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."), /Allow public client flows/],
    [Object.assign(new Error("AADSTS65001: The user or administrator has not consented to use the application"), { errorCode: "consent_required" }), /Grant admin consent/],
    [new PartnerCenterError("GET /v1.0/engagements/referrals failed with HTTP 401: error 900421 MFA required", { status: 401, code: "unauthenticated", retryable: false }), /complete the MFA prompt/],
    [new PartnerCenterError("GET /v1.0/engagements/referrals failed with HTTP 403: denied", { status: 403, code: "accessDenied", retryable: false }), /Referrals admin role/],
    [new Error("AADSTS700016: Application with identifier 'x' was not found in the directory"), /PARTNER_CENTER_CLIENT_ID/],
  ];
  it.each(cases)("%s → what to do", (error, fix) => {
    expect(translateSignInFailure(error)?.fix).toMatch(fix);
  });

  it("an unknown failure is left as it is", () => {
    expect(translateSignInFailure(new Error("socket hang up"))).toBeNull();
  });
});
