/**
 * Switching from Microsoft's co-sell connector, end to end: an org seeded "with Microsoft's connector
 * installed" (its columns, flows, linked records, Partner Center's webhooks on its flow), the backend
 * running next to it, and `cosell switch-from-microsoft` run as an admin would, in-process.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HowCanMicrosoftHelp, ReferralDirection, SyncStatus } from "../../entities";
import type { MicrosoftFlowsLayout } from "../../sandbox/dataverse/microsoft-connector-install";
import { seedMicrosoftConnectorRecords, type MicrosoftConnectorRecords } from "../../sandbox/environment/microsoft-connector-records";
import { startDataverseSandbox } from "../../sandbox/dataverse/dataverse-sandbox";
import { SANDBOX_TOKEN, sandboxConfig, startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { startPartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { syncCommand } from "../../sync/cli/commands/sync.command";
import { switchFromMicrosoftCommand } from "../../sync/cli/commands/switch-from-microsoft.command";
import { DataverseClient } from "../../sync/dataverse/dataverse-client";
import { StaticTokenProvider } from "../../sync/dataverse/token-provider";
import type { Config } from "../../sync/service/config";
import { DEFAULT_MAPPING } from "../../sync/engine";
import { discoverMicrosoftConnector } from "../../sync/switch/microsoft-connector-discovery";
import type { SwitchEvent } from "../../sync/switch/switch-apply";
import { buildSwitchPlan } from "../../sync/switch/switch-plan";
import { CrmGateway } from "../../sync/worker/crm-gateway";
import { recordedIo, tempStorePath } from "../cli/cli-test-kit";
import { C, S, callsOf, counters, getReferral, listReferrals, patchReferral, readOpportunity, resetCounters, setFaults, settle, updateOpportunity, waitFor, webApi } from "../e2e-api/story-kit";

interface Org {
  env: SandboxEnvironment;
  records: MicrosoftConnectorRecords;
  config: Config;
}

let org: Org | null = null;
afterEach(async () => {
  await org?.env.close();
  org = null;
});

async function startOrg(options: { dataverseLanguage?: number; flows?: MicrosoftFlowsLayout } = {}): Promise<Org> {
  const env = await startSandboxEnvironment({ microsoftConnector: { flows: options.flows }, storePath: tempStorePath(), dataverseLanguage: options.dataverseLanguage });
  org = { env, records: await seedMicrosoftConnectorRecords(env), config: { ...env.config, PUBLIC_BASE_URL: env.backendUrl! } };
  return org;
}

async function runSwitch(o: Org, options: { apply?: boolean; turnOffMicrosoftFlows?: boolean; qualifyLeads?: boolean; microsoftFlowsChecked?: boolean; onEvent?: (event: SwitchEvent) => void } = {}) {
  const io = recordedIo();
  const code = await switchFromMicrosoftCommand({ config: o.config, io, ...options });
  return { code, out: io.stdout.join("\n") };
}

async function flowStates(o: Org): Promise<number[]> {
  const { json } = await webApi(o.env, "GET", "workflows?$select=statecode&$filter=category eq 5");
  return (json.value as { statecode: number }[]).map((row) => row.statecode);
}

async function allFlowIds(o: Org): Promise<string[]> {
  const { json } = await webApi(o.env, "GET", "workflows?$select=workflowid&$filter=category eq 5");
  return (json.value as { workflowid: string }[]).map((row) => row.workflowid);
}

async function registeredUrl(o: Org): Promise<string> {
  const response = await fetch(`${o.env.partnerCenter.url}/webhooks/v1/registration`, { headers: { Authorization: "Bearer sandbox" } });
  return ((await response.json()) as { WebhookUrl: string }).WebhookUrl;
}

async function opportunitiesWithReferral(o: Org, referralId: string): Promise<number> {
  const { json } = await webApi(o.env, "GET", `opportunities?$select=opportunityid&$filter=${C.referralIdentifier} eq '${referralId}'`);
  return (json.value as unknown[]).length;
}

/** Writes to either service since the counters were reset: referral creates/updates, opportunity updates/creates. */
async function writesSinceReset(o: Org) {
  const pc = await counters(o.env.partnerCenter.url);
  const dv = await counters(o.env.dataverse.url);
  return {
    partnerCenter: callsOf(pc, "POST", "referrals") + callsOf(pc, "PATCH", "referrals") + callsOf(pc, "PUT", "referrals"),
    opportunities: callsOf(dv, "PATCH", "/opportunities") + callsOf(dv, "POST", "/opportunities"),
  };
}

describe("cosell switch-from-microsoft", () => {
  it("a dry run finds Microsoft's connector from the org's metadata, prints the plan and changes nothing", async () => {
    const o = await startOrg();
    const before = await listReferrals(o.env);
    const { code, out } = await runSwitch(o);
    expect(code).toBe(0);
    expect(out).toMatch(/solution +Partner Center Referrals Synchronization for Dynamics 365 \(PartnerCenterReferralsSynchronization/);
    expect(out).toMatch(/cloud flows +11 \(11 on\)/);
    expect(out).toContain("(Microsoft's flow)");
    expect(out).toMatch(/Links to adopt \(4\)/);
    expect(out).toContain(`"Contoso ERP rollout ✔" → "Contoso ERP rollout"`);
    expect(out).toContain("solutions: SOL-10001-AAA, SOL-10002-BBB");
    expect(out).toMatch(/differs: deal value: Dynamics 365 95000, Partner Center 90000/);
    expect(out).toMatch(new RegExp(`✘ opportunity "Contoso ERP rollout \\(copy\\) ✔" ${o.records.copyOpportunityId}.*linked to two records`));
    expect(out).toMatch(new RegExp(`✘ opportunity "Litware retired deal ✔" ${o.records.goneOpportunityId}.*no longer exists in Partner Center`));
    expect(out).toMatch(new RegExp(`lead "Woodgrove AI pilot" ${o.records.lead.leadId} ⇄ referral ${o.records.lead.referralId} \\(New\\)`));
    expect(out).toContain("Dry run: nothing was changed.");

    expect(await flowStates(o)).toEqual(Array(11).fill(1));
    expect(await registeredUrl(o)).toBe(o.records.flowUrl);
    for (const pair of o.records.inStep) expect((await readOpportunity(o.env, pair.opportunityId))[C.referralIdentifier]).toBeNull();
    expect((await listReferrals(o.env)).length).toBe(before.length);
  });

  it("refuses to apply while Microsoft's flows are on, and changes nothing", async () => {
    const o = await startOrg();
    await expect(runSwitch(o, { apply: true })).rejects.toThrow(/Refused: 11 of Microsoft's cloud flows are on[\s\S]*--turn-off-microsoft-flows/);
    expect(await flowStates(o)).toEqual(Array(11).fill(1));
    expect(await registeredUrl(o)).toBe(o.records.flowUrl);
    expect((await readOpportunity(o.env, o.records.inStep[0]!.opportunityId))[C.referralIdentifier]).toBeNull();
    expect(await o.env.service!.store.findLinkByOpportunityId(o.records.inStep[0]!.opportunityId)).toBeNull();
  });

  it("finds Microsoft's flows among the components of every one of its solutions, and refuses while they are on", async () => {
    const o = await startOrg({ flows: "second-solution" });
    const { out } = await runSwitch(o);
    expect(out).toMatch(/cloud flows +11 \(11 on\)/);
    await expect(runSwitch(o, { apply: true })).rejects.toThrow(/Refused: 11 of Microsoft's cloud flows are on/);
    expect(await flowStates(o)).toEqual(Array(11).fill(1));
    expect((await readOpportunity(o.env, o.records.inStep[0]!.opportunityId))[C.referralIdentifier]).toBeNull();
  });

  it("refuses to apply when Microsoft's solution is installed but none of its flows can be found, saying what to check", async () => {
    const o = await startOrg({ flows: "outside-its-solutions" });
    const { out } = await runSwitch(o);
    expect(out).toMatch(/cloud flows +none found in PartnerCenterReferralsSynchronization: check Power Automate/);
    await expect(runSwitch(o, { apply: true, turnOffMicrosoftFlows: true })).rejects.toThrow(
      /Refused: Microsoft's connector is installed .*none of its cloud flows was found[\s\S]*Power Automate[\s\S]*--microsoft-flows-checked/,
    );
    expect(await registeredUrl(o)).toBe(o.records.flowUrl);
    expect((await readOpportunity(o.env, o.records.inStep[0]!.opportunityId))[C.referralIdentifier]).toBeNull();
    // The admin turned the flows off in Power Automate and says so.
    for (const id of await allFlowIds(o)) await webApi(o.env, "PATCH", `workflows(${id})`, { statecode: 0, statuscode: 1 });
    const applied = await runSwitch(o, { apply: true, microsoftFlowsChecked: true });
    expect(applied.code).toBe(0);
    expect((await readOpportunity(o.env, o.records.inStep[0]!.opportunityId))[C.referralIdentifier]).toBe(o.records.inStep[0]!.referralId);
  });

  it("--apply adopts the links without a write of its own on the next sync; edits then flow both ways without duplicates; a second run changes nothing", async () => {
    const o = await startOrg();
    const referralsBefore = (await listReferrals(o.env)).length;
    const eTags = await Promise.all(o.records.inStep.map(async (pair) => (await getReferral(o.env, pair.referralId)).eTag));
    await resetCounters(o.env.partnerCenter.url);
    await resetCounters(o.env.dataverse.url);

    const applied = await runSwitch(o, { apply: true, turnOffMicrosoftFlows: true });
    expect(applied.code).toBe(0);
    expect(applied.out).toContain("✔ Switched: 4 link(s) adopted, 11 flow(s) turned off, 0 lead(s) qualified; Partner Center webhooks now point at this backend.");
    expect(await flowStates(o)).toEqual(Array(11).fill(0));
    expect(await registeredUrl(o)).toBe(`${o.env.backendUrl}/webhooks/partner-center`);
    expect(applied.out).toContain("Next: `cosell register-webhooks` (the Dataverse steps for this backend; Partner Center's webhooks already point here)");

    const contoso = await readOpportunity(o.env, o.records.inStep[0]!.opportunityId);
    expect(contoso[S.name]).toBe("Contoso ERP rollout");
    expect(contoso[C.referralIdentifier]).toBe(o.records.inStep[0]!.referralId);
    expect(contoso[C.syncWithPartnerCenter]).toBe(true);
    expect(contoso[C.syncStatus]).toBe(SyncStatus.Synced);
    expect(contoso[C.howCanMicrosoftHelp]).toBe(HowCanMicrosoftHelp.ProofOfConceptOrDemo);
    expect(contoso[C.shareWithMicrosoftSellers]).toBe(true);
    expect(contoso[C.products]).toBe("SOL-10001-AAA\nSOL-10002-BBB");
    expect(String(contoso[C.audit])).toMatch(/adopted from Microsoft's connector[\s\S]*Partner Center Referrals Synchronization flows/);
    const accepted = o.records.inStep[2]!;
    const adventureWorks = await readOpportunity(o.env, accepted.opportunityId);
    expect(adventureWorks[C.microsoftCrmIdentifier]).toBe(accepted.microsoftCrmId);
    expect(adventureWorks[C.referralDirection]).toBe(ReferralDirection.Incoming);
    expect(adventureWorks[S.name]).toBe(accepted.name);
    // Partner Center still names the opportunity as Microsoft's connector left it.
    expect((await getReferral(o.env, o.records.inStep[0]!.referralId)).externalReferenceId).toBe(o.records.inStep[0]!.opportunityId);

    // The syncs the adoption's own writes woke: nothing written for the pairs in step, only the
    // differing deal value sent (one referral PATCH, one opportunity write for its audit line).
    await settle(o.env);
    await waitFor("the differing deal value in Partner Center", async () => (await getReferral(o.env, o.records.differs.referralId)).details.dealValue === o.records.differs.dealValue);
    await settle(o.env);
    expect(await writesSinceReset(o)).toEqual({ partnerCenter: 1, opportunities: 4 + 1 });
    for (const [i, pair] of o.records.inStep.entries()) expect((await getReferral(o.env, pair.referralId)).eTag).toBe(eTags[i]);
    await resetCounters(o.env.partnerCenter.url);
    await resetCounters(o.env.dataverse.url);
    for (const pair of o.records.inStep) {
      const io = recordedIo();
      expect(await syncCommand({ config: o.config, io, target: { kind: "opportunity", id: pair.opportunityId } })).toBe(0);
      expect(io.stdout[0]).toContain("already in sync: nothing to write");
    }
    expect(await writesSinceReset(o)).toEqual({ partnerCenter: 0, opportunities: 0 });

    // Edits flow both ways on the adopted pairs.
    await updateOpportunity(o.env, o.records.inStep[0]!.opportunityId, { [S.estimatedValue]: 210000 });
    await waitFor("Dynamics 365's edit in Partner Center", async () => (await getReferral(o.env, o.records.inStep[0]!.referralId)).details.dealValue === 210000);
    await patchReferral(o.env, o.records.inStep[1]!.referralId, [{ op: "replace", path: "/details/notes", value: "Scope grew to Fabric." }]);
    await waitFor("Partner Center's edit in Dynamics 365", async () => (await readOpportunity(o.env, o.records.inStep[1]!.opportunityId))[S.description] === "Scope grew to Fabric.");
    await settle(o.env);
    expect((await listReferrals(o.env)).length).toBe(referralsBefore);
    for (const pair of [...o.records.inStep, o.records.differs]) expect(await opportunitiesWithReferral(o, pair.referralId)).toBe(1);

    // Idempotent: the plan shows them adopted, and applying again writes nothing anywhere.
    await settle(o.env);
    await resetCounters(o.env.partnerCenter.url);
    await resetCounters(o.env.dataverse.url);
    const again = await runSwitch(o, { apply: true });
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/Links to adopt \(0\)/);
    expect(again.out).toMatch(/Already adopted \(4\)/);
    expect(again.out).toContain("✔ Switched: 0 link(s) adopted, 0 flow(s) turned off");
    await settle(o.env);
    expect(await writesSinceReset(o)).toEqual({ partnerCenter: 0, opportunities: 0 });
    expect((await readOpportunity(o.env, o.records.inStep[0]!.opportunityId))[S.estimatedValue]).toBe(210000);
  });

  it("a run that crashes half-way is resumed by running it again: every link adopted once, nothing written on the next sync", async () => {
    const o = await startOrg();
    let stored = 0;
    const crash = (event: SwitchEvent) => {
      // The process dies after the second link is in the store, before its opportunity is written.
      if (event.kind === "link-stored" && ++stored === 2) throw new Error("killed");
    };
    await expect(runSwitch(o, { apply: true, turnOffMicrosoftFlows: true, onEvent: crash })).rejects.toThrow("killed");
    const [first, second] = o.records.inStep;
    expect((await readOpportunity(o.env, first!.opportunityId))[C.referralIdentifier]).toBe(first!.referralId);
    expect((await readOpportunity(o.env, second!.opportunityId))[C.referralIdentifier]).toBeNull();
    expect(await o.env.service!.store.findLinkByOpportunityId(second!.opportunityId)).not.toBeNull();

    const eTags = await Promise.all(o.records.inStep.map(async (pair) => (await getReferral(o.env, pair.referralId)).eTag));
    const resumed = await runSwitch(o, { apply: true });
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/Links to adopt \(3\)/);
    expect(resumed.out).toMatch(/Already adopted \(1\)/);
    await settle(o.env);
    const second2 = await readOpportunity(o.env, second!.opportunityId);
    expect(second2[C.referralIdentifier]).toBe(second!.referralId);
    expect(second2[S.name]).toBe("Northwind analytics platform");
    for (const [i, pair] of o.records.inStep.entries()) {
      expect((await getReferral(o.env, pair.referralId)).eTag).toBe(eTags[i]);
      expect(await opportunitiesWithReferral(o, pair.referralId)).toBe(1);
      const io = recordedIo();
      await syncCommand({ config: o.config, io, target: { kind: "opportunity", id: pair.opportunityId } });
      expect(io.stdout[0]).toContain("already in sync: nothing to write");
    }
  });

  it("--qualify-leads turns the lead of an unaccepted referral into one opportunity with the referral, and the lead is closed as qualified", async () => {
    const o = await startOrg();
    const { code, out } = await runSwitch(o, { apply: true, turnOffMicrosoftFlows: true, qualifyLeads: true });
    expect(code).toBe(0);
    expect(out).toMatch(/lead "Woodgrove AI pilot" qualified into opportunity/);
    const { json: lead } = await webApi(o.env, "GET", `leads(${o.records.lead.leadId})?$select=statecode,statuscode,_qualifyingopportunityid_value`);
    expect(lead["statecode"]).toBe(1);
    const { json: rows } = await webApi(o.env, "GET", `opportunities?$select=opportunityid,name,${C.referralDirection}&$filter=${C.referralIdentifier} eq '${o.records.lead.referralId}'`);
    const created = rows.value as Record<string, unknown>[];
    expect(created).toHaveLength(1);
    expect(created[0]!["name"]).toBe("Woodgrove AI pilot");
    expect(lead["_qualifyingopportunityid_value"]).toBe(created[0]!["opportunityid"]);
    // The referral still names the lead (Microsoft's connector set it); nothing is created twice.
    expect((await getReferral(o.env, o.records.lead.referralId)).externalReferenceId).toBe(o.records.lead.leadId);
    const again = await runSwitch(o, { apply: true, qualifyLeads: true });
    expect(again.out).toMatch(/Leads \(0\)/);
    expect(await opportunitiesWithReferral(o, o.records.lead.referralId)).toBe(1);
  });

  it("--qualify-leads stopped after the import, before the lead was closed, is resumed by running it again: the lead is closed into the one opportunity", async () => {
    const o = await startOrg();
    const crash = (event: SwitchEvent) => {
      if (event.kind === "lead-imported") throw new Error("killed");
    };
    await expect(runSwitch(o, { apply: true, turnOffMicrosoftFlows: true, qualifyLeads: true, onEvent: crash })).rejects.toThrow("killed");
    const leadState = async () => (await webApi(o.env, "GET", `leads(${o.records.lead.leadId})?$select=statecode,_qualifyingopportunityid_value`)).json;
    expect((await leadState())["statecode"]).toBe(0);
    expect(await opportunitiesWithReferral(o, o.records.lead.referralId)).toBe(1);

    const resumed = await runSwitch(o, { apply: true, qualifyLeads: true });
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/Leads \(1\)[\s\S]*already brought this referral in as opportunity/);
    expect(resumed.out).toMatch(/Conflicts \(2\)/);
    const lead = await leadState();
    expect(lead["statecode"]).toBe(1);
    const { json } = await webApi(o.env, "GET", `opportunities?$select=opportunityid&$filter=${C.referralIdentifier} eq '${o.records.lead.referralId}'`);
    const opportunities = json.value as { opportunityid: string }[];
    expect(opportunities).toHaveLength(1);
    expect(lead["_qualifyingopportunityid_value"]).toBe(opportunities[0]!.opportunityid);
  });
});

/** Applies the switch, lets the syncs it woke settle, and says whether Partner Center's referral was written. */
async function applyAndWatch(o: Org, referralId: string): Promise<{ out: string; referralWritten: boolean }> {
  const eTag = (await getReferral(o.env, referralId)).eTag;
  const { out } = await runSwitch(o, { apply: true, turnOffMicrosoftFlows: true });
  await settle(o.env);
  return { out, referralWritten: (await getReferral(o.env, referralId)).eTag !== eTag };
}

describe("cosell switch-from-microsoft: Microsoft's values it cannot read", () => {
  it("matches Microsoft's help choice by its English label in an org whose labels come back in German", async () => {
    const o = await startOrg({ dataverseLanguage: 1031 });
    const contoso = o.records.inStep[0]!;
    const { out, referralWritten } = await applyAndWatch(o, contoso.referralId);
    expect(out).toContain("help: Proof of concept or demo");
    expect(out).not.toMatch(/differs: how Microsoft can help/);
    expect((await readOpportunity(o.env, contoso.opportunityId))[C.howCanMicrosoftHelp]).toBe(HowCanMicrosoftHelp.ProofOfConceptOrDemo);
    expect(referralWritten).toBe(false);
  });

  it("keeps Partner Center's help, solutions and consent when Microsoft's columns and rows are empty, so the first sync writes nothing there", async () => {
    const o = await startOrg();
    const contoso = o.records.inStep[0]!;
    const { json } = await webApi(o.env, "GET", `msft_microsoftsolutions?$select=msft_microsoftsolutionid&$filter=_msft_opportunity_value eq ${contoso.opportunityId}`);
    for (const row of json.value as { msft_microsoftsolutionid: string }[]) await webApi(o.env, "DELETE", `msft_microsoftsolutions(${row.msft_microsoftsolutionid})`);
    // The obsolete text column is stale once the "Microsoft Solutions" table exists: not a source.
    await updateOpportunity(o.env, contoso.opportunityId, {
      msft_microsoftpartnercenterhelp: null, msft_microsoftpartnercenterreferralvisible: null, msft_microsoftpartnercentersolutions: "SOL-99999-OLD",
    });

    const { out, referralWritten } = await applyAndWatch(o, contoso.referralId);
    expect(out).toContain("Partner Center's how Microsoft can help, share with Microsoft sellers, solutions kept (Microsoft's columns leave it empty or unmatched");
    expect(out).not.toMatch(/differs: (how Microsoft can help|solutions|share with Microsoft sellers)/);
    const adopted = await readOpportunity(o.env, contoso.opportunityId);
    expect(adopted[C.howCanMicrosoftHelp]).toBe(HowCanMicrosoftHelp.ProofOfConceptOrDemo);
    expect(adopted[C.products]).toBe("SOL-10001-AAA\nSOL-10002-BBB");
    expect(adopted[C.shareWithMicrosoftSellers]).toBe(true);
    expect(referralWritten).toBe(false);
    const referral = await getReferral(o.env, contoso.referralId);
    expect(referral.inviteContext?.assistanceRequestCode).toBe("ProofOfConceptOrDemo");
    expect(referral.consent.consentToShareReferralWithMicrosoftSellers).toBe(true);
  });
});

describe("cosell switch-from-microsoft: referral ids as Microsoft's connector left them", () => {
  it("reads a referral id in braces or upper case as the referral, and lists a value that is no referral id as a conflict", async () => {
    const o = await startOrg();
    const northwind = o.records.inStep[1]!;
    await updateOpportunity(o.env, northwind.opportunityId, { msft_microsoftpartnercenterreferralidentifier: `{${northwind.referralId.toUpperCase()}}` });
    await updateOpportunity(o.env, o.records.goneOpportunityId, { msft_microsoftpartnercenterreferralidentifier: "n/a" });

    const { out } = await runSwitch(o, { apply: true, turnOffMicrosoftFlows: true });
    expect(out).toMatch(/Links to adopt \(4\)/);
    expect(out).toMatch(new RegExp(`✘ opportunity "Litware retired deal ✔" ${o.records.goneOpportunityId}, referral n/a: Microsoft's referral id column holds "n/a", which is not a referral id`));
    expect((await readOpportunity(o.env, northwind.opportunityId))[C.referralIdentifier]).toBe(northwind.referralId);
  });

  it("stops the plan when Partner Center answers a referral check with anything but 'not found'", async () => {
    const o = await startOrg();
    const service = o.env.service!;
    // The switch reads solutions and metadata as the admin identity: the service's role may not.
    const admin = new DataverseClient({ orgUrl: o.env.dataverse.url, tokens: new StaticTokenProvider(SANDBOX_TOKEN) });
    const connector = (await discoverMicrosoftConnector(admin))!;
    await setFaults(o.env.partnerCenter.url, { throttleRate: 1, retryAfterSeconds: 300 });
    const plan = buildSwitchPlan(connector, {
      dataverse: admin, crm: new CrmGateway(admin), referrals: service.referrals, store: service.store,
      referralLink: (id) => id, registration: undefined, ourWebhookUrl: null, mapping: DEFAULT_MAPPING, at: new Date().toISOString(),
    });
    await expect(plan).rejects.toThrow(/Partner Center answered 429 .*when asked for referral .* The plan stops rather than take the referral for gone\. Nothing was changed/);
  });
});

describe("cosell switch-from-microsoft: Microsoft's check marks", () => {
  it("removes a ✔ left from when the setting was on, when the name without it is Partner Center's; keeps one an admin typed", async () => {
    const o = await startOrg();
    const { json } = await webApi(o.env, "GET", "environmentvariablevalues?$select=environmentvariablevalueid&$filter=schemaname eq 'msft_displaycheckmarkinname'");
    await webApi(o.env, "PATCH", `environmentvariablevalues(${(json.value as { environmentvariablevalueid: string }[])[0]!.environmentvariablevalueid})`, { value: "no" });
    const [contoso, northwind] = o.records.inStep;
    await updateOpportunity(o.env, northwind!.opportunityId, { name: "Northwind analytics ✔" });

    const { out, referralWritten } = await applyAndWatch(o, contoso!.referralId);
    expect(out).toMatch(/check mark +off/);
    expect(out).toContain(`"Contoso ERP rollout ✔" → "Contoso ERP rollout"`);
    expect((await readOpportunity(o.env, contoso!.opportunityId))[S.name]).toBe("Contoso ERP rollout");
    expect(referralWritten).toBe(false);
    expect((await readOpportunity(o.env, northwind!.opportunityId))[S.name]).toBe("Northwind analytics ✔");
  });
});

describe("cosell switch-from-microsoft: the admin's mapping", () => {
  it("compares with MAPPING_FILE's columns, as serve syncs them", async () => {
    const o = await startOrg();
    // An admin who keeps the deal notes in the name column (a re-pointed column the stand-in org has).
    const mappingFile = join(mkdtempSync(join(tmpdir(), "cosell-mapping-")), "mapping.json");
    writeFileSync(mappingFile, JSON.stringify({ opportunity: { notes: "name" } }));
    const { out } = await runSwitch({ ...o, config: { ...o.config, MAPPING_FILE: mappingFile } });
    expect(out).toMatch(/differs: notes: Dynamics 365 Contoso ERP rollout, Partner Center Dynamics 365 Finance for 3 subsidiaries\./);
  });
});

describe("cosell switch-from-microsoft: bad input and other tools", () => {
  it("refuses options that need --apply, and an --apply with nowhere to point Partner Center's webhooks, changing nothing", async () => {
    const o = await startOrg();
    await expect(runSwitch(o, { turnOffMicrosoftFlows: true })).rejects.toThrow(/only mean something with --apply/);
    const withoutUrl = { ...o, config: { ...o.config, PUBLIC_BASE_URL: undefined } };
    await expect(runSwitch(withoutUrl, { apply: true, turnOffMicrosoftFlows: true })).rejects.toThrow(/Set PUBLIC_BASE_URL[\s\S]*Nothing was changed/);
    expect(await flowStates(o)).toEqual(Array(11).fill(1));
    expect(await registeredUrl(o)).toBe(o.records.flowUrl);
    expect((await readOpportunity(o.env, o.records.inStep[0]!.opportunityId))[C.referralIdentifier]).toBeNull();
  });

  it("leaves another tool's webhook registration alone, and does not adopt a record whose referral names another one", async () => {
    const o = await startOrg();
    const other = "https://cipp.contoso.example/api/PublicWebhooks";
    const put = await fetch(`${o.env.partnerCenter.url}/webhooks/v1/registration`, {
      method: "PUT", headers: { Authorization: "Bearer sandbox", "Content-Type": "application/json" }, body: JSON.stringify({ WebhookUrl: other, WebhookEvents: ["referral-created"] }),
    });
    expect(put.ok).toBe(true);
    const [contoso, northwind] = o.records.inStep;
    const elsewhere = "0f8fad5b-d9cb-469f-a165-70867728950e";
    await patchReferral(o.env, northwind!.referralId, [{ op: "replace", path: "/externalReferenceId", value: elsewhere }]);

    const { code, out } = await runSwitch(o, { apply: true, turnOffMicrosoftFlows: true });
    expect(code).toBe(0);
    expect(out).toContain(`Partner Center's webhooks go to ${other}, which is neither Microsoft's flow nor this backend: the switch leaves it alone.`);
    expect(out).toMatch(new RegExp(`✘ opportunity "Northwind analytics platform ✔" ${northwind!.opportunityId}.*names record ${elsewhere} as its CRM ID, not this one`));
    expect(out).toContain("Partner Center webhooks left as they were");
    // register-webhooks would replace that tool's registration: not advised as the next step.
    expect(out).toContain(`Next: \`cosell serve\`; its reconcile loop catches up changes without webhooks. Partner Center's webhooks still go to ${other} (another tool)`);
    expect(out).toMatch(/`cosell register-webhooks` would point them here, replacing that: run it .*only once that tool no longer needs them/);
    expect(await registeredUrl(o)).toBe(other);
    expect((await readOpportunity(o.env, northwind!.opportunityId))[C.referralIdentifier]).toBeNull();
    expect((await readOpportunity(o.env, contoso!.opportunityId))[C.referralIdentifier]).toBe(contoso!.referralId);
  });

  it("leaves a registration on another tool's Logic App alone: only a URL triggering one of Microsoft's flows is taken over", async () => {
    const o = await startOrg();
    const otherFlow = "https://prod-12.westus.logic.azure.com:443/workflows/9f1c2a7be0d34c51b8a6e2d4f7c3a915/triggers/manual/paths/invoke?api-version=2016-06-01&sig=other";
    const put = await fetch(`${o.env.partnerCenter.url}/webhooks/v1/registration`, {
      method: "PUT", headers: { Authorization: "Bearer sandbox", "Content-Type": "application/json" }, body: JSON.stringify({ WebhookUrl: otherFlow, WebhookEvents: ["referral-created"] }),
    });
    expect(put.ok).toBe(true);
    const { code, out } = await runSwitch(o, { apply: true, turnOffMicrosoftFlows: true });
    expect(code).toBe(0);
    expect(out).toContain(`webhooks → ${otherFlow} (another tool)`);
    expect(out).toContain("It is a Logic App's or cloud flow's trigger that is none of the Microsoft connector's flows found.");
    expect(out).toContain("Partner Center webhooks left as they were");
    expect(await registeredUrl(o)).toBe(otherFlow);
  });
});

describe("cosell switch-from-microsoft: an org not ready for it", () => {
  it("stops, changing nothing, when our solution is not installed yet, and says so when Microsoft's connector is not there", async () => {
    const dataverse = await startDataverseSandbox({ microsoftConnector: true });
    const partnerCenter = await startPartnerCenterSandbox();
    try {
      const config = sandboxConfig(dataverse, partnerCenter, { storePath: tempStorePath() });
      await expect(switchFromMicrosoftCommand({ config, io: recordedIo() })).rejects.toThrow(/Our solution is not installed in .*import it first/);
      const plain = await startSandboxEnvironment({ startBackend: false });
      try {
        await expect(switchFromMicrosoftCommand({ config: plain.config, io: recordedIo() })).rejects.toThrow(/Microsoft's co-sell connector is not installed in .*nothing to switch/);
      } finally {
        await plain.close();
      }
    } finally {
      await dataverse.close();
      await partnerCenter.close();
    }
  });
});
