/**
 * `cosell doctor` over real HTTP: on the sandboxed product with the solution imported and webhooks
 * registered every check passes; on an org without the solution it fails, naming the missing pcc_
 * columns and saying what to do, and exits 1; register-webhooks fixes the webhook checks. A missing
 * configuration is a ✘ line like the others.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPPORTUNITY_COLUMNS } from "../../entities";
import { startDataverseSandbox, type DataverseSandbox } from "../../sandbox/dataverse/dataverse-sandbox";
import { sandboxConfig, startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { configurationOrReport, doctorCommand } from "../../sync/cli/commands/doctor.command";
import { registerWebhooksCommand } from "../../sync/cli/commands/register-webhooks.command";
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDoctorChecks } from "../../sync/cli/doctor/doctor-checks";
import { refreshTokenLastUsedAt } from "../../sync/partner-center/sign-in-health";
import { WebhookRegistrationClient } from "../../sync/partner-center/webhook-registration-client";
import { loadSyncMapping } from "../../sync/server";
import { createDataverseClient, createReferralsClient, partnerCenterTokens, WEBHOOKS_SCOPE } from "../../sync/service/sync-service";
import { recordedIo } from "./cli-test-kit";

let healthy: SandboxEnvironment;
let bareOrg: DataverseSandbox;
let partnerCenter: PartnerCenterSandbox;
beforeAll(async () => {
  [healthy, bareOrg, partnerCenter] = await Promise.all([startSandboxEnvironment(), startDataverseSandbox(), startPartnerCenterSandbox()]);
});
afterAll(async () => {
  await healthy?.close();
  await bareOrg?.close();
  await partnerCenter?.close();
});

describe("cosell doctor", () => {
  it("on the healthy sandbox, with the admin identity: every check ✔ and exit 0", async () => {
    const io = recordedIo();
    const code = await doctorCommand({ config: { ...healthy.config, PUBLIC_BASE_URL: healthy.backendUrl! }, io, admin: true });
    const lines = io.stdout;
    expect(code, io.text()).toBe(0);
    for (const title of ["Configuration", "Dataverse sign-in", "Solution installed", "Co-sell columns", "Change tracking", "Field mapping", "Partner Center sign-in", "Dataverse webhook", "Partner Center webhook"]) {
      expect(lines.some((line) => line.startsWith(`✔ ${title}:`)), `${title} in\n${io.text()}`).toBe(true);
    }
    expect(lines.filter((line) => line.startsWith("✘"))).toEqual([]);
    expect(lines.at(-1)).toBe("All checks passed.");
  });

  it("on an org without the solution: ✘ naming the missing pcc_ columns, what to do, exit 1", async () => {
    const io = recordedIo();
    const code = await doctorCommand({ config: sandboxConfig(bareOrg, partnerCenter, {}), io });
    const text = io.text();
    expect(code).toBe(1);
    expect(text).toMatch(/^✘ Solution installed: PartnerCenterCoSell is not installed/m);
    const columns = io.stdout.find((line) => line.startsWith("✘ Co-sell columns:"));
    expect(columns, text).toBeDefined();
    for (const column of OPPORTUNITY_COLUMNS) expect(columns).toContain(column.logicalName);
    expect(text).toMatch(/→ import the PartnerCenterCoSell solution/);
    // The sign-ins themselves are fine: only what is really wrong is flagged.
    expect(text).toMatch(/^✔ Dataverse sign-in:/m);
    expect(text).toMatch(/^✔ Partner Center sign-in:/m);
    expect(text).toMatch(/^✘ Dataverse webhook: .*\n\s+→ set PUBLIC_BASE_URL/m);
    // Nobody turned on change tracking for Opportunity in this org: the catch-up pass could not work.
    expect(text).toMatch(/^✘ Change tracking: off for Opportunity.*\n\s+→ turn on Track changes for the Opportunity table/m);
    expect(io.stdout.at(-1)).toMatch(/checks failed: fix them and run `cosell doctor` again/);
  });

  it("register-webhooks prints what it registered, after which doctor's webhook checks pass", async () => {
    const config = { ...sandboxConfig(bareOrg, partnerCenter, {}), PUBLIC_BASE_URL: "https://cosell.fabrikam.example" };
    const io = recordedIo();
    // That address is not reachable from here: the validation event is covered in register-webhooks.test.ts.
    expect(await registerWebhooksCommand({ config, io, validationWaitMs: 0 })).toBe(0);
    const text = io.text();
    expect(text).toContain("https://cosell.fabrikam.example/webhooks/dataverse");
    expect(text).toMatch(/step: opportunity Create, asynchronous, post-operation/);
    expect(text).toMatch(/step: opportunity Update, asynchronous, post-operation when one of \d+ columns changes/);
    expect(text).toContain("https://cosell.fabrikam.example/webhooks/partner-center  events: referral-created");
    const doctor = recordedIo();
    await doctorCommand({ config, io: doctor });
    expect(doctor.stdout).toContain("✔ Dataverse webhook: https://cosell.fabrikam.example/webhooks/dataverse, steps on opportunity Create, Update, Win and Lose");
    expect(doctor.stdout.some((line) => line.startsWith("✔ Partner Center webhook: https://cosell.fabrikam.example/webhooks/partner-center"))).toBe(true);
  });

  it("reads the sign-in from the token: who, and a sign-in without MFA is a ✘ with what to do", async () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const token = (amr: string[]) => `${part({ alg: "RS256" })}.${part({ upn: "ana@contoso.example", amr })}.sig`;
    const withMfa = recordedIo();
    await doctorCommand({ config: { ...healthy.config, PUBLIC_BASE_URL: healthy.backendUrl!, PARTNER_CENTER_STATIC_TOKEN: token(["pwd", "mfa"]) }, io: withMfa });
    expect(withMfa.stdout).toContainEqual(expect.stringMatching(/^✔ Partner Center sign-in: .*signed in as ana@contoso\.example, with MFA$/));
    const without = recordedIo();
    expect(await doctorCommand({ config: { ...healthy.config, PUBLIC_BASE_URL: healthy.backendUrl!, PARTNER_CENTER_STATIC_TOKEN: token(["pwd"]) }, io: without })).toBe(1);
    expect(without.text()).toMatch(/^✘ Partner Center sign-in: .*signed in as ana@contoso\.example, WITHOUT MFA; .*900421/m);
    expect(without.text()).toMatch(/→ run `cosell login` as a Referrals admin and complete the MFA prompt/);
  });

  it("a token without an amr claim does not say whether MFA was used: a ! warning, not a ✘, and exit 0", async () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const io = recordedIo();
    const token = `${part({ alg: "RS256" })}.${part({ upn: "ana@contoso.example" })}.sig`;
    const code = await doctorCommand({ config: { ...healthy.config, PUBLIC_BASE_URL: healthy.backendUrl!, PARTNER_CENTER_STATIC_TOKEN: token }, io });
    expect(code, io.text()).toBe(0);
    expect(io.text()).toMatch(/^! Partner Center sign-in: .*signed in as ana@contoso\.example, MFA not stated by the token \(no amr claim\)/m);
    expect(io.text()).toMatch(/→ if Partner Center refuses calls with error 900421, run `cosell login`/);
    expect(io.stdout.at(-1)).toBe("All checks passed.");
  });

  it("reads the refresh token's last use after its own token call, which may just have refreshed it", async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), "pc-token-")), "token.json");
    writeFileSync(cacheFile, "encrypted");
    const longAgo = new Date(Date.now() - 85 * 86_400_000);
    utimesSync(cacheFile, longAgo, longAgo);
    const config = { ...healthy.config, PUBLIC_BASE_URL: healthy.backendUrl! };
    const results = await runDoctorChecks({
      config,
      mapping: await loadSyncMapping(config),
      dataverse: createDataverseClient(config),
      referrals: createReferralsClient(config),
      webhooks: new WebhookRegistrationClient({ baseUrl: config.PARTNER_CENTER_WEBHOOKS_API_URL, tokenProvider: partnerCenterTokens(config, WEBHOOKS_SCOPE) }),
      // The token call refreshes the sign-in, rewriting the cache as the real provider does.
      partnerCenterToken: async () => {
        const now = new Date();
        utimesSync(cacheFile, now, now);
        return "refreshed-token";
      },
      refreshTokenLastUsedAt: () => refreshTokenLastUsedAt(cacheFile),
    });
    const signIn = results.find((result) => result.title === "Partner Center sign-in");
    expect(signIn?.state).toBe("pass");
    expect(signIn?.detail).not.toMatch(/expires/);
    expect(signIn?.detail).toMatch(new RegExp(`refresh token last used ${new Date().toISOString().slice(0, 10)}`));
  });

  it("an incomplete configuration is reported as a ✘ line per problem", () => {
    const io = recordedIo();
    expect(configurationOrReport(io, { DATAVERSE_URL: "not a url" })).toBeNull();
    expect(io.stdout[0]).toBe("✘ Configuration: incomplete");
    expect(io.text()).toMatch(/DATAVERSE_URL must be a URL/);
    expect(io.text()).toMatch(/DATAVERSE_WEBHOOK_KEY is required/);
  });
});
