/**
 * Two identities, least privilege, against the stand-in's privilege checks: the service signs in
 * with the role our solution ships; `cosell setup`, `register-webhooks` and `doctor --admin` sign in
 * as the admin identity (a System Customizer) and name the privilege when one is missing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Tables } from "../../entities";
import { startDataverseSandbox, type DataverseSandbox } from "../../sandbox/dataverse/dataverse-sandbox";
import { sandboxConfig } from "../../sandbox/environment/sandbox-environment";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { SYNC_SERVICE_ROLE } from "../../solution/xml/security-role";
import { CliError } from "../../sync/cli/cli-io";
import { doctorCommand } from "../../sync/cli/commands/doctor.command";
import { registerWebhooksCommand } from "../../sync/cli/commands/register-webhooks.command";
import { setupCommand } from "../../sync/cli/commands/setup.command";
import { DataverseClient, StaticTokenProvider } from "../../sync/dataverse";
import type { Config } from "../../sync/service/config";
import { solutionZip } from "../dataverse/sandbox-fixture";
import { recordedIo } from "./cli-test-kit";

const SERVICE = "service-token";
const CUSTOMIZER = "customizer-token";
const NOBODY = "no-role-token";

let dataverse: DataverseSandbox;
let partnerCenter: PartnerCenterSandbox;
let config: Config;
const client = (token: string) => new DataverseClient({ orgUrl: dataverse.url, tokens: new StaticTokenProvider(token) });

beforeAll(async () => {
  [dataverse, partnerCenter] = await Promise.all([
    startDataverseSandbox({ identities: { [SERVICE]: { roles: [SYNC_SERVICE_ROLE.name] }, [CUSTOMIZER]: { roles: ["System Customizer"] }, [NOBODY]: { roles: [] } }, defaultRoles: [] }),
    startPartnerCenterSandbox(),
  ]);
});
afterAll(async () => {
  await dataverse?.close();
  await partnerCenter?.close();
});
beforeEach(async () => {
  dataverse.reset();
  dataverse.assignRoles(SERVICE, [SYNC_SERVICE_ROLE.name]);
  await client(CUSTOMIZER).importSolution(await solutionZip());
  config = {
    ...sandboxConfig(dataverse, partnerCenter, {}),
    DATAVERSE_STATIC_TOKEN: SERVICE,
    DATAVERSE_ADMIN_STATIC_TOKEN: CUSTOMIZER,
    PUBLIC_BASE_URL: "https://cosell.fabrikam.example",
  };
});

describe("least privilege", () => {
  it("cosell setup, as a System Customizer: change tracking on, webhooks registered, the service's role checked", async () => {
    const io = recordedIo();
    expect(await setupCommand({ config, io }), io.text()).toBe(0);
    expect(io.stdout[0]).toMatch(/^✔ Change tracking: on for Opportunity/);
    expect(io.text()).toContain("https://cosell.fabrikam.example/webhooks/dataverse");
    expect(io.stdout.at(-1)).toMatch(/^✔ Service role:/);
    expect(await client(SERVICE).changeTrackingEnabled(Tables.opportunity.logicalName)).toBe(true);
    // The service itself cannot do any of that.
    await expect(client(SERVICE).transport.call("PUT", "EntityDefinitions(LogicalName='opportunity')", { body: { ChangeTrackingEnabled: true } }))
      .rejects.toMatchObject({ status: 403, message: expect.stringContaining("is missing prvWriteEntity privilege") });
  });

  it("names the service's missing role when its application user was not given it", async () => {
    dataverse.assignRoles(SERVICE, []);
    const io = recordedIo();
    expect(await setupCommand({ config, io })).toBe(1);
    expect(io.text()).toMatch(/✘ Service role: the service's application user lacks prvReadOpportunity, /);
    expect(io.text()).toContain(`assign it the "${SYNC_SERVICE_ROLE.name}" security role`);
  });

  it("refuses to register webhooks without an admin identity, saying what to set, and names a missing admin privilege", async () => {
    const noAdmin = { ...config, DATAVERSE_ADMIN_STATIC_TOKEN: undefined };
    await expect(registerWebhooksCommand({ config: noAdmin, io: recordedIo() })).rejects.toThrow(/set DATAVERSE_ADMIN_CLIENT_ID to an app registration whose application user has the System Customizer role/);
    const weakAdmin = { ...config, DATAVERSE_ADMIN_STATIC_TOKEN: NOBODY };
    const refused = registerWebhooksCommand({ config: weakAdmin, io: recordedIo() });
    await expect(refused).rejects.toBeInstanceOf(CliError);
    await expect(refused).rejects.toThrow(/The admin identity lacks the privilege prv\w+: give its user the System Customizer/);
    await expect(setupCommand({ config: weakAdmin, io: recordedIo() })).rejects.toThrow(/lacks the privilege prvReadEntity/);
  });

  it("doctor under the service's role skips what only an admin may read; doctor --admin checks it", async () => {
    const setup = recordedIo();
    expect(await setupCommand({ config, io: setup }), setup.text()).toBe(0);
    const io = recordedIo();
    expect(await doctorCommand({ config, io }), io.text()).toBe(0);
    expect(io.text()).toMatch(/^– Solution installed: not checked: the service's role lacks prvReadSolution, as it should: run `cosell doctor --admin`/m);
    expect(io.text()).toMatch(/^– Dataverse webhook: not checked: the service's role lacks prvReadServiceEndpoint/m);
    expect(io.text()).toMatch(/^✔ Change tracking: on for Opportunity/m);
    const admin = recordedIo();
    expect(await doctorCommand({ config, io: admin, admin: true }), admin.text()).toBe(0);
    for (const title of ["Solution installed", "Co-sell columns", "Change tracking", "Dataverse webhook", "Partner Center webhook"]) {
      expect(admin.stdout.some((line) => line.startsWith(`✔ ${title}:`)), `${title} in\n${admin.text()}`).toBe(true);
    }
  });
});
