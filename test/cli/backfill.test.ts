/**
 * `cosell backfill` against both sandboxes over HTTP, with no backend running (so nothing was
 * imported by webhook before): existing referrals become opportunities exactly once, an opportunity
 * that already carries its referral is linked rather than duplicated, and a second run creates
 * nothing and reports everything as already in sync.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoSellMappingColumns as M, CoSellMappingTable, CoSellSettingsColumns as SC, CoSellSettingsTable, OpportunityColumns as C, OpportunityStandardColumns as S, Tables } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { backfillCommand } from "../../sync/cli/commands/backfill.command";
import type { Config } from "../../sync/service/config";
import { createPartnerCenterDeal, createRow, sendMicrosoftReferral, webApi } from "../e2e-api/story-kit";
import { recordedIo, tempStorePath } from "./cli-test-kit";

let env: SandboxEnvironment;
let config: Config;
const referralIds: string[] = [];
let preLinkedOpportunityId: string;

async function opportunitiesFor(referralId: string): Promise<Record<string, unknown>[]> {
  const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$filter=${C.referralIdentifier} eq '${referralId}'`);
  return json.value as Record<string, unknown>[];
}

function summaryRow(text: string, label: string): number {
  const match = new RegExp(`^\\s+${label}\\s+(\\d+)`, "m").exec(text);
  if (!match) throw new Error(`no "${label}" row in:\n${text}`);
  return Number(match[1]);
}

beforeAll(async () => {
  env = await startSandboxEnvironment({ startBackend: false });
  config = { ...env.config, STORE_PATH: tempStorePath() };
  for (const name of ["Woodgrove data platform", "Tailspin security review", "Northwind AI pilot"]) {
    referralIds.push((await sendMicrosoftReferral(env, { name, customerProfile: { name: `${name} customer`, address: { city: "Seattle", postalCode: "98101", country: "US" } } })).id);
  }
  const deal = await createPartnerCenterDeal(env, {
    name: "Contoso analytics",
    type: "Independent",
    customerProfile: { name: "Contoso Pharma GmbH", address: { addressLine1: "Hauptstr. 1", city: "Berlin", postalCode: "10115", country: "DE" } },
    consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
    details: { dealValue: 25000, currency: "EUR", closingDateTime: "2027-06-30T00:00:00Z" },
  });
  referralIds.push(deal.id);
  // An opportunity that already carries this deal's id (e.g. from before the store existed).
  preLinkedOpportunityId = await createRow(env, Tables.opportunity.entitySetName, { [S.name]: "Contoso analytics", [C.referralIdentifier]: deal.id });
});
afterAll(() => env?.close());

describe("cosell backfill", () => {
  it("imports each referral once, links the one that already had an opportunity, and summarizes", async () => {
    const io = recordedIo();
    const code = await backfillCommand({ config, io, concurrency: 4 });
    const text = io.text();
    expect(code, text).toBe(0);
    expect(text).toMatch(/Backfill finished: 4 referrals/);
    expect(summaryRow(text, "created")).toBe(3);
    expect(summaryRow(text, "linked")).toBe(1);
    expect(summaryRow(text, "already in sync")).toBe(0);
    expect(summaryRow(text, "failed")).toBe(0);
    for (const id of referralIds) expect(await opportunitiesFor(id)).toHaveLength(1);
    expect((await opportunitiesFor(referralIds[3]!))[0]![Tables.opportunity.primaryId]).toBe(preLinkedOpportunityId);
    // Not a TTY: progress comes as plain lines on stderr, never as control characters.
    expect(io.stderr.join("\n")).toMatch(/^backfill: 4\/4 \(created 3 · linked 1/m);
    expect(io.stderr.join("")).not.toContain("\r");
  });

  it("a second run creates nothing and reports every referral as already in sync", async () => {
    const io = recordedIo();
    const code = await backfillCommand({ config, io });
    const text = io.text();
    expect(code, text).toBe(0);
    expect(summaryRow(text, "created")).toBe(0);
    expect(summaryRow(text, "linked")).toBe(0);
    expect(summaryRow(text, "already in sync")).toBe(4);
    for (const id of referralIds) expect(await opportunitiesFor(id)).toHaveLength(1);
  });
});

describe("cosell backfill runs with what serve runs with", () => {
  it("refuses while the sync is paused in Co-sell settings and writes nothing; --even-if-paused imports", async () => {
    const referral = await sendMicrosoftReferral(env, { name: "Fabrikam while paused", customerProfile: { name: "Fabrikam paused customer", address: { city: "Oslo", postalCode: "0150", country: "NO" } } });
    const settingsId = await createRow(env, CoSellSettingsTable.entitySetName, { [SC.name]: "Co-sell settings", [SC.pauseAllSync]: true });
    try {
      const refused = recordedIo();
      await expect(backfillCommand({ config, io: refused })).rejects.toThrow(/Co-sell sync is paused .*--even-if-paused/);
      expect(await opportunitiesFor(referral.id)).toHaveLength(0);

      const io = recordedIo();
      expect(await backfillCommand({ config, io, evenIfPaused: true }), io.text()).toBe(0);
      expect(summaryRow(io.text(), "created")).toBe(1);
      expect(await opportunitiesFor(referral.id)).toHaveLength(1);
    } finally {
      await webApi(env, "DELETE", `${CoSellSettingsTable.entitySetName}(${settingsId})`);
    }
  });

  it("writes a referral's fields into the columns the mapping rows name, not the shipped ones", async () => {
    // The previous runs seeded the default rows, as serve would have.
    const { json } = await webApi(env, "GET", `${CoSellMappingTable.entitySetName}?$filter=${M.partnerCenterField} eq 'notes'`);
    const notesRow = (json.value as Record<string, unknown>[])[0]!;
    const { status } = await webApi(env, "PATCH", `${CoSellMappingTable.entitySetName}(${String(notesRow[CoSellMappingTable.primaryId])})`, { [M.dataverseColumn]: "customerneed" }, { "If-Match": "*" });
    expect(status).toBe(204);
    const referral = await sendMicrosoftReferral(env, {
      name: "Litware notes",
      details: { notes: "Needs a landing zone before March" },
      customerProfile: { name: "Litware customer", address: { city: "Lisbon", postalCode: "1100-148", country: "PT" } },
    });

    const io = recordedIo();
    expect(await backfillCommand({ config, io }), io.text()).toBe(0);
    const [opportunity] = await opportunitiesFor(referral.id);
    expect(opportunity?.["customerneed"]).toBe("Needs a landing zone before March");
    expect(opportunity?.[S.description] ?? null).toBeNull();
  });
});
