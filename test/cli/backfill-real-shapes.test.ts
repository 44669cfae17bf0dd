/**
 * `cosell backfill` against a Partner Center answering in the shapes the real one sends
 * (test/fixtures/partner-center): percentage stages, a nameless marketplace lead, a referral closed as
 * Error, FY26 services co-sell fields, trackingInfo, Microsoft's side of an engagement, over several
 * pages. Every one is imported or deliberately left out; one referral the connector cannot read is
 * reported on its own (summary, and the opportunity that carries it) and stops nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOMER_MARKETPLACE_INTENT_OPTIONS,
  OpportunityColumns as C,
  OpportunityStandardColumns as S,
  OpportunityState,
  PARTNER_ROLE_OPTIONS,
  ReferralStatus,
  SOLUTION_AREA_OPTIONS,
  SOLUTION_PLAY_OPTIONS,
  SyncStatus,
  Tables,
  type TaxonomyOption,
} from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { backfillCommand } from "../../sync/cli/commands/backfill.command";
import type { Config } from "../../sync/service/config";
import { createRow, webApi } from "../e2e-api/story-kit";
import { RECORDED_REFERRAL_FILES, recordedReferral, seedRecordedReferral } from "../fixtures/partner-center/recorded-referrals";
import { recordedIo, tempStorePath } from "./cli-test-kit";

/** A referral with a substatus nobody documented: the stand-in would refuse it, so it starts in its state file. */
const UNREADABLE_ID = "0badc0de-0000-4000-8000-000000000001";

let env: SandboxEnvironment;
let config: Config;
let carrierOfUnreadable: string;
/** A readable referral the backfill cannot map: its currency is not enabled in the org. */
const UNMAPPABLE_ID = "0badc0de-0000-4000-8000-000000000002";

async function opportunityFor(referralId: string): Promise<Record<string, unknown> | undefined> {
  const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$filter=${C.referralIdentifier} eq '${referralId}'`);
  const rows = json.value as Record<string, unknown>[];
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0];
}

function summaryRow(text: string, label: string): number {
  const match = new RegExp(`^\\s+${label}\\s+(\\d+)`, "m").exec(text);
  if (!match) throw new Error(`no "${label}" row in:\n${text}`);
  return Number(match[1]);
}

beforeAll(async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), "pc-state-")), "partner-center.json");
  const unreadable = { ...recordedReferral("microsoft-invited-named-stage.json"), id: UNREADABLE_ID, engagementId: "0badc0de-0000-4000-8000-0000000000e1", substatus: "OnHold", name: "Future shape" };
  writeFileSync(stateFile, JSON.stringify({ referrals: [{ owner: "partner", referral: unreadable }], registration: null, validationEvents: [] }));
  env = await startSandboxEnvironment({ startBackend: false, partnerCenter: { pageSize: 2, stateFile } });
  config = { ...env.config, STORE_PATH: tempStorePath() };
  for (const file of RECORDED_REFERRAL_FILES) {
    const response = await seedRecordedReferral(env.partnerCenter.url, recordedReferral(file));
    if (!response.ok) throw new Error(`${file}: ${response.status} ${await response.text()}`);
  }
  const yen: Record<string, unknown> = { ...recordedReferral("services-cosell-fy26.json"), id: UNMAPPABLE_ID, engagementId: "0badc0de-0000-4000-8000-0000000000e2", name: "Yen deal" };
  (yen.details as Record<string, unknown>).currency = "JPY";
  expect((await seedRecordedReferral(env.partnerCenter.url, yen)).status).toBe(201);
  carrierOfUnreadable = await createRow(env, Tables.opportunity.entitySetName, { [S.name]: "Future shape", [C.referralIdentifier]: UNREADABLE_ID, [C.syncWithPartnerCenter]: true });
});
afterAll(() => env?.close());

describe("cosell backfill of real-shaped referrals", () => {
  it("imports every real shape over several pages; the one it cannot read is reported on its own", async () => {
    const io = recordedIo();
    const code = await backfillCommand({ config, io, concurrency: 4 });
    const text = io.text();
    // 5 of the partner's own recorded referrals, the unmappable and the unreadable one (Microsoft's side is not in a plain list).
    expect(text, text).toMatch(/Backfill finished: 7 referrals/);
    expect(summaryRow(text, "created"), text).toBe(4);
    expect(summaryRow(text, "not imported")).toBe(1);
    expect(summaryRow(text, "failed")).toBe(2);
    expect(text).toMatch(new RegExp(`✘ ${UNMAPPABLE_ID} "Yen deal": Currency JPY is not enabled in Dataverse`));
    expect(text).toMatch(new RegExp(`✘ ${UNREADABLE_ID} "Future shape": Partner Center sent it in a shape this connector cannot read \\(.*substatus`));
    expect(code).not.toBe(0);

    const won = await opportunityFor("6c1c1f5a-1d2e-4b43-9d6a-0f6a1f2b7a01");
    expect(won).toMatchObject({ [S.stateCode]: OpportunityState.Won, [C.referralStatus]: ReferralStatus.ClosedWon, [C.microsoftMsxId]: "7-3FGH12K9L" });
    const lead = await opportunityFor("b2d0c9e4-7f3a-4c55-8e21-3a9b6d4e5f02");
    expect(lead).toMatchObject({ [S.name]: "Tailspin Toys", [C.referralStatus]: ReferralStatus.NewPending });
    // FY26 services co-sell fields, nested where real dumps put them, land in their columns.
    const optionOf = (options: readonly TaxonomyOption[], wanted: string) => options.find((o) => o.code === wanted)!.value;
    expect(await opportunityFor("e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a04")).toMatchObject({
      [C.microsoftMsxId]: "7-4KLM88Q2R",
      [C.customerMarketplaceIntent]: optionOf(CUSTOMER_MARKETPLACE_INTENT_OPTIONS, "HaveNotDecided"),
      [C.partnerRole]: optionOf(PARTNER_ROLE_OPTIONS, "AdoptionAndChangeManagement"),
      [C.solutionArea]: optionOf(SOLUTION_AREA_OPTIONS, "AIBusinessSolutions"),
      [C.solutionPlay]: optionOf(SOLUTION_PLAY_OPTIONS, "CopilotAndAgentsAtWork"),
    });
    expect(await opportunityFor("f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b05")).toMatchObject({ [S.name]: "Litware – data estate modernization" });
    // Closed as Error: not a deal; Microsoft's side: never an opportunity of its own.
    expect(await opportunityFor("d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f03")).toBeUndefined();
    expect(await opportunityFor("a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c06")).toBeUndefined();

    const { json: carrier } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}(${carrierOfUnreadable})`);
    expect(carrier).toMatchObject({ [C.syncStatus]: SyncStatus.Error, [C.syncError]: expect.stringContaining("cannot read") });
    expect(await opportunityFor(UNMAPPABLE_ID)).toBeUndefined();
  });
});
