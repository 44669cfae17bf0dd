/**
 * The deciding part of a merge (sync/worker/merge-plan.ts), without I/O: two reads, a base and the
 * clocks in, an ordered write plan out.
 */
import { describe, expect, it } from "vitest";
import { OpportunityColumns as OC, OpportunityStandardColumns as S, ReferralStatus } from "../../entities";
import { DEFAULT_MAPPING, opportunityToMappedFields, referralToMappedFields, type MappedFields } from "../../sync/engine";
import type { Referral } from "../../sync/partner-center/referral-types";
import type { BaseSnapshot } from "../../sync/store";
import type { CrmRow } from "../../sync/worker/crm-gateway";
import { planMerge, type MergePlanInput } from "../../sync/worker/merge-plan";
import { CURRENCIES, OPPORTUNITY_ID, linkedAndSyncedColumns, opportunityRecord, referral, referralLink } from "../engine/engine-fixtures";

const AT = new Date("2026-12-01T12:00:00.000Z");

/** An opportunity that already shows the referral, synced ✔ after the last "Sync now". */
function opportunity(overrides: Record<string, unknown> = {}): CrmRow {
  return {
    id: OPPORTUNITY_ID,
    etag: 'W/"7"',
    record: opportunityRecord({
      ...linkedAndSyncedColumns(),
      ...overrides,
    }),
  };
}

function input(options: { crm?: CrmRow; referral?: Referral; base?: MappedFields | null } = {}): MergePlanInput {
  const crm = options.crm ?? opportunity();
  const pc = options.referral ?? referral();
  const partnerCenter = referralToMappedFields(pc);
  const base: BaseSnapshot | null =
    options.base === null ? null : { fields: options.base ?? referralToMappedFields(referral()), version: 4, savedAt: 0, pendingPush: null };
  return {
    opportunity: crm,
    referral: pc,
    crm: opportunityToMappedFields(crm.record, { currencies: CURRENCIES }),
    partnerCenter,
    base,
    clocks: { crm: null, partnerCenter: null },
    mapping: { currencies: CURRENCIES },
    policy: undefined,
    at: AT,
    recoveryAudit: [],
    microsoftCrmId: null,
    referralLink,
    awaitWriteTimes: true,
  };
}

const stepNames = (plan: ReturnType<typeof planMerge>) => (plan.kind === "write" ? plan.steps.map((s) => s.step) : plan.kind);

describe("planMerge", () => {
  it("the echo of our own write plans no write at all", () => {
    const plan = planMerge(input());
    expect(stepNames(plan)).toEqual(["invite-microsoft"]);
    expect(plan.kind === "write" && plan.outcome).toBe("unchanged");
  });

  it("a seller's edit is pushed first, joins the base, then the record gets its audit line and the merge is committed", () => {
    const plan = planMerge(input({ crm: opportunity({ estimatedvalue: 150000 }) }));
    expect(stepNames(plan)).toEqual(["note-pending-push", "patch-referral", "commit-landed-push", "update-opportunity", "commit-merge", "invite-microsoft"]);
    if (plan.kind !== "write") throw new Error("expected a write plan");
    const [pending, patch, landed, update, commit] = plan.steps;
    expect(pending).toEqual({ step: "note-pending-push", fields: { dealValue: 150000 } });
    expect(patch?.step === "patch-referral" && patch.operations).toContainEqual({ op: "replace", path: "/details/dealValue", value: 150000 });
    // The pushed line is committed with the landed push, so the final commit does not store it twice.
    expect(landed?.step === "commit-landed-push" && landed.audit.map((e) => e.detail).join()).toMatch(/deal value/i);
    expect(commit?.step === "commit-merge" && commit.audit).toEqual([]);
    // Nothing of the opportunity's fields is rewritten: only ✔ and the audit line.
    expect(update?.step === "update-opportunity" && Object.keys(update.body).sort()).toEqual([OC.audit, OC.syncError, OC.syncStatus].sort());
    expect(plan.outcome).toBe("synced");
  });

  it("a pair's first merge (no base) neither notes a pending push nor commits a landed one: the merge commit stores every line", () => {
    const plan = planMerge(input({ crm: opportunity({ estimatedvalue: 150000 }), base: null }));
    expect(stepNames(plan)).not.toContain("note-pending-push");
    expect(stepNames(plan)).not.toContain("commit-landed-push");
    if (plan.kind !== "write") throw new Error("expected a write plan");
    const commit = plan.steps.find((s) => s.step === "commit-merge");
    expect(commit?.step === "commit-merge" && commit.audit.length).toBe(plan.merge.audit.length);
  });

  it("a close as Lost with no reason asks the seller for one and plans no write", () => {
    const plan = planMerge(input({ crm: opportunity({ [OC.referralStatus]: ReferralStatus.ClosedLost, [OC.statusReason]: null }) }));
    expect(plan.kind).toBe("ask-close-reason");
    expect(plan.kind === "ask-close-reason" && plan.message).toMatch(/needs a reason/);
  });

  it("a referral Partner Center closed as Won closes the opportunity last, after the merge is committed", () => {
    const plan = planMerge(input({ referral: referral({ status: "Closed", substatus: "Won", updatedDateTime: "2026-11-30T09:00:00Z" }) }));
    const names = stepNames(plan);
    expect(names.at(-1)).toBe("close-opportunity");
    expect(names.indexOf("commit-merge")).toBeLessThan(names.indexOf("close-opportunity"));
    if (plan.kind !== "write") throw new Error("expected a write plan");
    const close = plan.steps.at(-1);
    expect(close?.step === "close-opportunity" && close.request).toMatchObject({ close: { outcome: "won" }, status: { status: "Closed", substatus: "Won" } });
    expect(names).not.toContain("patch-referral");
  });

  it("an import interrupted before it told Partner Center the opportunity id adds it, without a pending push", () => {
    const plan = planMerge(input({ referral: referral({ externalReferenceId: null }) }));
    expect(stepNames(plan)).toEqual(["patch-referral", "commit-merge", "invite-microsoft"]);
    if (plan.kind !== "write") throw new Error("expected a write plan");
    expect(plan.steps[0]).toEqual({ step: "patch-referral", operations: [{ op: "add", path: "/externalReferenceId", value: OPPORTUNITY_ID }] });
    expect(plan.outcome).toBe("synced");
  });

  it("a stale base with nothing to write is still brought up to what both sides hold", () => {
    const plan = planMerge(input({ base: { ...referralToMappedFields(referral()), notes: "before our last write" } }));
    expect(stepNames(plan)).toEqual(["commit-merge", "invite-microsoft"]);
    expect(plan.kind === "write" && plan.outcome).toBe("unchanged");
  });

  it("a field mapped one way (to Dynamics 365) does not push the seller's edit to Partner Center", () => {
    const oneWay = { ...DEFAULT_MAPPING, directions: { dealValue: "to-dynamics-365" as const } };
    const plan = planMerge({ ...input({ crm: opportunity({ estimatedvalue: 150000 }) }), mapping: { currencies: CURRENCIES, mapping: oneWay } });
    expect(stepNames(plan)).not.toContain("patch-referral");
    expect(plan.kind === "write" && plan.merge.partnerCenterPatch).toEqual({});
  });

  it("after a re-pointing, the merge reads the corrected base: Partner Center's value fills the new column instead of being overwritten", () => {
    const pcFields = referralToMappedFields(referral());
    const repointed = opportunity({ estimatedvalue: 150000 });
    // Without the correction the new column's value reads as the seller's edit and is pushed.
    expect(stepNames(planMerge(input({ crm: repointed })))).toContain("patch-referral");
    const plan = planMerge({ ...input({ crm: repointed }), mergeBase: { ...pcFields, dealValue: 150000 } });
    expect(stepNames(plan)).not.toContain("patch-referral");
    if (plan.kind !== "write") throw new Error("expected a write plan");
    const update = plan.steps.find((s) => s.step === "update-opportunity");
    expect(update?.step === "update-opportunity" && update.body[S.estimatedValue]).toBe(pcFields.dealValue);
    expect(plan.merge.base.dealValue).toBe(pcFields.dealValue);
  });
});
