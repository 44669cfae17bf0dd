/**
 * `cosell register-webhooks` and Partner Center's one registration per tenant: a registration that
 * points elsewhere (here Microsoft's connector, a Power Automate flow) stops the run and changes
 * nothing; `doctor` names who holds it; `--replace` takes it over, keeping the other event types,
 * and runs Partner Center's validation event, reported as documented (responseCode string,
 * systemError boolean).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TOKEN, startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { CliError } from "../../sync/cli/cli-io";
import { doctorCommand } from "../../sync/cli/commands/doctor.command";
import { registerWebhooksCommand } from "../../sync/cli/commands/register-webhooks.command";
import type { Config } from "../../sync/service/config";
import { recordedIo } from "./cli-test-kit";

const FLOW_URL = "https://prod-12.westeurope.logic.azure.com/workflows/7f3a/triggers/manual/paths/invoke";

let env: SandboxEnvironment;
let config: Config;

async function registration(): Promise<{ WebhookUrl: string; WebhookEvents: string[] }> {
  const response = await fetch(`${env.partnerCenter.url}/webhooks/v1/registration`, { headers: { authorization: `Bearer ${SANDBOX_TOKEN}` } });
  return (await response.json()) as { WebhookUrl: string; WebhookEvents: string[] };
}

beforeAll(async () => {
  env = await startSandboxEnvironment();
  config = { ...env.config, PUBLIC_BASE_URL: env.backendUrl! };
  // Microsoft's connector took the registration over, with an event type of its own.
  const taken = await fetch(`${env.partnerCenter.url}/webhooks/v1/registration`, {
    method: "PUT",
    headers: { authorization: `Bearer ${SANDBOX_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ WebhookUrl: FLOW_URL, WebhookEvents: ["referral-created", "referral-updated", "subscription-updated"] }),
  });
  expect(taken.status).toBe(200);
});
afterAll(() => env?.close());

describe("cosell register-webhooks with one registration per tenant", () => {
  it("stops when the registration is someone else's, says whose and how to take it over, and changes nothing", async () => {
    const error = await registerWebhooksCommand({ config, io: recordedIo() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain(FLOW_URL);
    expect((error as CliError).message).toMatch(/Power Automate flow, probably Microsoft's Partner Center Referrals connector/);
    expect((error as CliError).message).toMatch(/Nothing was changed.*cosell register-webhooks --replace/);
    expect(await registration()).toEqual({ WebhookUrl: FLOW_URL, WebhookEvents: ["referral-created", "referral-updated", "subscription-updated"] });
  });

  it("doctor shows who holds the registration and how to take it over", async () => {
    const io = recordedIo();
    expect(await doctorCommand({ config, io })).toBe(1);
    expect(io.text()).toContain(`✘ Partner Center webhook: held by ${FLOW_URL} (a Power Automate flow, probably Microsoft's Partner Center Referrals connector), not this service`);
    expect(io.text()).toMatch(/→ run `cosell register-webhooks --replace` to take it over/);
  });

  it("--replace takes it over, keeps the other event types and reports the validation event as delivered", async () => {
    const io = recordedIo();
    const code = await registerWebhooksCommand({ config, io, replace: true });
    const text = io.text();
    expect(code, text).toBe(0);
    expect(text).toContain(`took over the registration from ${FLOW_URL}`);
    expect(text).toContain("✔ Partner Center's validation event reached this service (responseCode OK, systemError false)");
    const now = await registration();
    expect(now.WebhookUrl).toBe(`${env.backendUrl}/webhooks/partner-center`);
    expect(now.WebhookEvents).toEqual(expect.arrayContaining(["subscription-updated", "referral-created", "referral-updated", "related-referral-created", "related-referral-updated", "test-created"]));

    const doctor = recordedIo();
    await doctorCommand({ config, io: doctor });
    expect(doctor.stdout).toContain(`✔ Partner Center webhook: ${env.backendUrl}/webhooks/partner-center (held by this service), 4 referral events`);
  });

  it("a receiver that refuses the validation event is reported with its responseCode, and the run fails", async () => {
    // This service's address, but a path that answers 404: the registration is ours, the receiver is wrong.
    const io = recordedIo();
    const code = await registerWebhooksCommand({ config, io, url: `${env.backendUrl}/wrong`, replace: true, validationWaitMs: 3000 });
    expect(code).toBe(1);
    expect(io.text()).toMatch(/✘ Partner Center's validation event did not reach this service \(responseCode NotFound, systemError false/);
  });
});
