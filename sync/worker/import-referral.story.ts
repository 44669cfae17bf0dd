/**
 * Story: Partner Center → CRM, first import. A referral with no opportunity becomes one (its customer
 * matched to an account or created), closed if the referral is, and Partner Center is told which
 * opportunity holds it. The link and the base come first, for an opportunity id chosen here.
 */
import { randomUUID } from "node:crypto";
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus } from "../../entities";
import { AUDIT_DIRECTIONS, isTerminalStatus, opportunityCreateFromReferral, prependAuditLines, referralToMappedFields } from "../engine";
import type { Referral } from "../partner-center/referral-types";
import { opportunityLinkKey } from "../store";
import type { JobOutcome } from "../queue/worker-pool";
import { closeImportedOpportunity } from "./close-opportunity.story";
import type { CustomerAccounts } from "./customer-accounts";
import { patchReferral } from "./referral-writes";
import { commitImportedBase, noteOwnCrmWrites } from "./recovery-rules";
import { auditEntry, mappingContext, type StoryContext } from "./story-context";

export async function importReferral(ctx: StoryContext, accounts: CustomerAccounts, referral: Referral): Promise<JobOutcome> {
  const { crm, store, logger } = ctx.deps;
  if (referral.status === "Closed" && referral.substatus === "Error") {
    // Closed as erroneous (a duplicate, a test, bad data): not a deal anyone works on.
    logger.info({ referralId: referral.id, statusReason: referral.statusReason }, "referral closed as Error in Partner Center: not imported");
    return "skipped";
  }
  const mappingCtx = await mappingContext(ctx);
  const accountId = await accounts.matchOrCreate(referral);
  const { body, close } = opportunityCreateFromReferral({ referral, accountId, referralLink: ctx.deps.referralLink(referral.id) }, mappingCtx);
  const entry = auditEntry(ctx, AUDIT_DIRECTIONS.toCrm, "created", `opportunity created from ${referralOrigin(referral)} ${referral.id}`);
  const now = ctx.now().toISOString();
  // A crash before the create leaves a link to an opportunity that does not exist yet, and the retry
  // creates it under the same id; a crash after it leaves the base, so the retry merges against what
  // was really copied (recovery-rules.ts commitImportedBase).
  const pending = await store.findLinkByReferralId(referral.id);
  const opportunityId = pending?.opportunityId ?? randomUUID();
  const key = pending?.key ?? opportunityLinkKey(opportunityId);
  await store.saveLink({ key, opportunityId, referralId: referral.id, accountId });
  const copied = referralToMappedFields(referral);
  await commitImportedBase(store, key, copied, referral.updatedDateTime);
  await crm.createOpportunity({
    ...body,
    [S.id]: opportunityId,
    [C.syncStatus]: SyncStatus.Synced,
    [C.lastSyncedOn]: now,
    [C.audit]: prependAuditLines(null, [entry]),
  });
  await noteOwnCrmWrites(store, key, copied);
  await store.appendAudit(key, [entry]);
  if (close) await closeImportedOpportunity(ctx, key, opportunityId, { close, reason: referral.statusReason ?? null, status: copied.status });
  if (!referral.externalReferenceId && !isTerminalStatus(copied.status)) {
    // Tell Partner Center which opportunity holds this referral, so a lost link can be rebuilt
    // (a closed referral accepts no update: the store keeps the link).
    // (If this races with an edit, the retry's merge adds it: see merge-plan.ts.)
    await patchReferral(ctx.deps, referral, [{ op: "add", path: "/externalReferenceId", value: opportunityId }]);
  }
  logger.info({ opportunityId, referralId: referral.id, accountId }, "opportunity created from referral");
  ctx.deps.onReferralImported?.(referral, opportunityId);
  return "synced";
}

/** Where an imported referral came from, for the audit line. */
function referralOrigin(referral: Referral): string {
  if (referral.direction !== "Incoming") return "the Partner Center deal";
  // Marketplace leads have no inviter (invitedBy.organizationId null); Microsoft's referrals name "msft".
  const inviter = referral.inviteContext?.invitedBy?.organizationId;
  return inviter ? "Microsoft's referral" : "the marketplace lead";
}
