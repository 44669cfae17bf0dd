/**
 * Story: both sides exist, merge the pair. Reads are observed on the field clocks, the recovery rules
 * put the base right after a crash, merge-plan.ts decides, and this runs its write steps in order.
 * "Stop syncing" (the switch off) keeps the pair linked and lets nothing flow.
 */
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus } from "../../entities";
import { AUDIT_DIRECTIONS, opportunityToMappedFields, referralToMappedFields, type AuditEntry } from "../engine";
import type { Referral } from "../partner-center/referral-types";
import { opportunityLinkKey, type BaseSnapshot, type LinkRecord } from "../store";
import type { JobOutcome } from "../queue/worker-pool";
import { closeOpportunity } from "./close-opportunity.story";
import { opportunityAccountId, type CrmRow } from "./crm-gateway";
import { inviteMicrosoftIfDue } from "./invite-microsoft.story";
import { opportunitySide } from "./mapped-field-diff";
import { planMerge, type WriteStep } from "./merge-plan";
import { writeError } from "./opportunity-columns";
import { patchReferral } from "./referral-writes";
import * as rules from "./recovery-rules";
import { AwaitedWriteTimeError } from "./sync-errors";
import { auditEntry, mappingContext, policyInForce, syncIsOn, text, writeTimesOfFields, type StoryContext } from "./story-context";

/** How long a merge waits for the webhook of an opportunity write whose time would decide a conflict. */
const WRITE_TIME_WAIT_MS = 2000;
const WRITE_TIME_POLL_MS = 50;

export interface MergePairOptions {
  /** The opportunity's column write times as known before it was read (empty: none known). */
  readonly columnTimes: Readonly<Record<string, number>>;
  /** Microsoft's own CRM id, when the job came from Microsoft's side of the engagement. */
  readonly microsoftCrmId: string | null;
  /** Whether a conflict that the opportunity write's webhook would decide may wait for it (once per job). */
  readonly awaitWriteTimes: boolean;
}

export async function mergePair(ctx: StoryContext, opportunity: CrmRow, referral: Referral, link: LinkRecord | null, options: MergePairOptions): Promise<JobOutcome> {
  const { store, crm, logger } = ctx.deps;
  const key = link?.key ?? opportunityLinkKey(opportunity.id);
  if (!link || link.opportunityId !== opportunity.id || link.referralId !== referral.id) {
    await store.saveLink({ key, opportunityId: opportunity.id, referralId: referral.id, accountId: opportunityAccountId(opportunity.record) });
  }
  if (!syncIsOn(opportunity)) {
    // "Stop syncing": the pair stays linked (turning the switch back on resumes), nothing flows.
    if (opportunity.record[C.syncStatus] === SyncStatus.NotSynced) return "skipped";
    await crm.updateOpportunity(opportunity.id, opportunity.etag, { [C.syncStatus]: SyncStatus.NotSynced, [C.syncError]: null });
    return "synced";
  }

  const mapping = await mappingContext(ctx);
  let base = await store.getBase(key);
  if (base) await rules.copyBackAuditLines(store, key, opportunity);
  const pcFields = referralToMappedFields(referral);
  const crmSide = opportunitySide(opportunityToMappedFields(opportunity.record, mapping), pcFields);
  const interrupted = rules.interruptedLink(opportunity, referral, base);
  const recoveryAudit: AuditEntry[] =
    interrupted === "share"
      ? [auditEntry(ctx, AUDIT_DIRECTIONS.toPartnerCenter, "linked", `referral ${referral.id} found after an interrupted share and linked`)]
      : interrupted === "import"
        ? [auditEntry(ctx, AUDIT_DIRECTIONS.toCrm, "linked", `opportunity found after an interrupted import of ${referral.id} and linked`)]
        : [];
  if (interrupted) base = await rules.commitRecoveredBase(store, key, pcFields, recoveryAudit);
  const clocks = await rules.observePair(
    store,
    key,
    { fields: crmSide, row: opportunity, writtenAt: writeTimesOfFields(ctx, options.columnTimes) },
    { fields: pcFields, row: referral, changeTimes: await store.referralChangeTimes(referral.id) },
  );
  base = await rules.recoverPendingPush(store, key, base, pcFields);

  const plan = planMerge({
    opportunity, referral, crm: crmSide, partnerCenter: pcFields, base, clocks, mapping,
    mergeBase: base && ctx.deps.rebase ? ctx.deps.rebase(base.fields, base.savedAt, crmSide) : undefined,
    policy: policyInForce(ctx.deps), at: ctx.now(), recoveryAudit,
    microsoftCrmId: options.microsoftCrmId, referralLink: ctx.deps.referralLink, awaitWriteTimes: options.awaitWriteTimes,
  });
  if (plan.kind === "ask-close-reason") {
    // Nothing is written until the seller gives one.
    await writeError(ctx, opportunity, plan.message);
    return "skipped";
  }
  if (plan.warning) logger.warn({ referralId: referral.id, opportunityId: opportunity.id }, plan.warning.detail);
  const { merge } = plan;
  logger.debug(
    {
      linkKey: key,
      baseVersion: base?.version ?? null,
      // How many opportunity columns had a known write time before the read (0: none, or the job found the opportunity another way).
      columnTimesKnown: Object.keys(options.columnTimes).length,
      base: base?.fields ?? null,
      crm: crmSide,
      partnerCenter: pcFields,
      crmModifiedAt: text(opportunity.record[S.modifiedOn]),
      partnerCenterModifiedAt: referral.updatedDateTime ?? null,
      crmPatch: merge.crmPatch,
      partnerCenterPatch: merge.partnerCenterPatch,
      // Which side each conflict went to, and why: the clocks it was decided by (null: record times).
      conflicts: merge.conflicts,
      clocks,
    },
    "merge",
  );
  if (plan.kind === "await-crm-write-time") {
    await awaitNewerWrite(ctx, opportunity.id, options.columnTimes);
    throw new AwaitedWriteTimeError(opportunity.id);
  }
  await runSteps(ctx, { key, opportunity, referral, base }, plan.steps);
  return plan.outcome;
}

/** Runs a plan's write steps in order; each commit continues from the base the previous one stored. */
async function runSteps(ctx: StoryContext, pair: { key: string; opportunity: CrmRow; referral: Referral; base: BaseSnapshot | null }, steps: readonly WriteStep[]): Promise<void> {
  const { store, crm, referrals } = ctx.deps;
  const { key, opportunity } = pair;
  let { base } = pair;
  let current = pair.referral;
  for (const step of steps) {
    switch (step.step) {
      case "note-pending-push":
        if (base) await rules.notePendingPush(store, key, base, step.fields);
        break;
      case "patch-referral":
        current = await patchReferral({ referrals, store }, current, [...step.operations]);
        await rules.observeOwnPush(store, key, current, referralToMappedFields(current));
        break;
      case "commit-landed-push":
        if (base) base = await rules.commitLandedPush(store, key, base, step.fields, step.audit);
        break;
      case "update-opportunity":
        await crm.updateOpportunity(opportunity.id, opportunity.etag, { ...step.body, [C.lastSyncedOn]: ctx.now().toISOString() });
        await rules.noteOwnCrmWrites(store, key, step.ownWrites);
        break;
      case "commit-merge":
        base = await rules.commitMerge(store, key, base, step.base, step.audit);
        break;
      case "invite-microsoft":
        await inviteMicrosoftIfDue(ctx, key, current);
        break;
      case "close-opportunity":
        await closeOpportunity(ctx, key, opportunity, step.request);
        break;
    }
  }
}

/** Waits (briefly) until a webhook tells of an opportunity write newer than those in `known`. */
async function awaitNewerWrite(ctx: StoryContext, opportunityId: string, known: Readonly<Record<string, number>>): Promise<void> {
  const newest = Math.max(Number.NEGATIVE_INFINITY, ...Object.values(known));
  const deadline = Date.now() + WRITE_TIME_WAIT_MS;
  while (Date.now() < deadline) {
    const times = await ctx.deps.store.columnChangeTimes(opportunityId);
    if (Object.values(times).some((t) => t > newest)) return;
    await new Promise((resolve) => setTimeout(resolve, WRITE_TIME_POLL_MS));
  }
  ctx.deps.logger.debug({ opportunityId }, "no webhook for the opportunity's last write; the conflict is decided by its second");
}
