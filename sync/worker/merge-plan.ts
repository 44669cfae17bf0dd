/**
 * The deciding part of a merge, without I/O: from the two reads, the base and the field clocks, an
 * ordered write plan. The merge itself is the engine's (three-way-merge.ts, with the conflict policy
 * and the field clocks); this adds what a job does around it: ask for a close reason instead of
 * writing, wait for a webhook that would decide a conflict, and which write comes in which order so
 * that a crash between any two leaves something recovery-rules.ts can recover.
 *
 * The steps run in the order given (merge-pair.story.ts executes them):
 *   note-pending-push → patch-referral → commit-landed-push → update-opportunity → commit-merge
 *   → invite-microsoft → close-opportunity
 */
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus } from "../../entities";
import {
  AUDIT_DIRECTIONS,
  closeReasonMissing,
  conflictNoticeColumns,
  isTerminalStatus,
  mergeLink,
  opportunityUpdateFromMerge,
  referralPatchOperations,
  wonTooSoonWarning,
  type AuditEntry,
  type ConflictPolicySetting,
  type LinkFieldClocks,
  type MappedFields,
  type MergeResult,
  type OpportunityMappingContext,
} from "../engine";
import { isMicrosoftSide, type JsonPatchOperation, type Referral } from "../partner-center/referral-types";
import type { BaseSnapshot } from "../store";
import type { CloseRequest } from "./close-opportunity.story";
import type { CrmRow } from "./crm-gateway";
import { sameFields } from "./mapped-field-diff";
import { linkColumns, syncRequestedSinceLastSync, syncedStatusColumns } from "./opportunity-columns";
import { text } from "./story-context";

export interface MergePlanInput {
  readonly opportunity: CrmRow;
  readonly referral: Referral;
  /** The mapped fields of each side as read (the opportunity's through opportunitySide). */
  readonly crm: MappedFields;
  readonly partnerCenter: MappedFields;
  /** The base after the recovery rules ran (interrupted link committed, landed pending push kept). */
  readonly base: BaseSnapshot | null;
  /** The base as the merge sees it, when it differs from `base.fields` (a field re-pointed to another column since: repointed-fields.ts). */
  readonly mergeBase?: MappedFields;
  readonly clocks: LinkFieldClocks;
  readonly mapping: OpportunityMappingContext;
  readonly policy: ConflictPolicySetting | undefined;
  readonly at: Date;
  /** Audit lines of a recovery that go on the record with this merge's (an interrupted share or import). */
  readonly recoveryAudit: readonly AuditEntry[];
  /** Microsoft's own CRM id, when the job came from Microsoft's side of the engagement. */
  readonly microsoftCrmId: string | null;
  readonly referralLink: (referralId: string) => string;
  /** Whether a conflict that the opportunity write's webhook would decide may wait for it (once per job). */
  readonly awaitWriteTimes: boolean;
}

export type WriteStep =
  /** The Partner Center fields about to be pushed, noted on the base (recovery-rules.ts notePendingPush). */
  | { readonly step: "note-pending-push"; readonly fields: Partial<MappedFields> }
  /** A conditional patch of the referral as read. */
  | { readonly step: "patch-referral"; readonly operations: readonly JsonPatchOperation[] }
  /** What went to Partner Center joins the base, with its audit lines (recovery-rules.ts commitLandedPush). */
  | { readonly step: "commit-landed-push"; readonly fields: Partial<MappedFields>; readonly audit: readonly AuditEntry[] }
  /** A conditional PATCH of the opportunity (lastsyncedon is stamped when written); `ownWrites` marked after it. */
  | { readonly step: "update-opportunity"; readonly body: Readonly<Record<string, unknown>>; readonly ownWrites: Partial<MappedFields> }
  /** The merge is the base, with the audit lines not committed yet. */
  | { readonly step: "commit-merge"; readonly base: MappedFields; readonly audit: readonly AuditEntry[] }
  /** Microsoft's side of a co-sell engagement, if still missing (invite-microsoft.story.ts). */
  | { readonly step: "invite-microsoft" }
  | { readonly step: "close-opportunity"; readonly request: CloseRequest };

export type MergePlan =
  /** Partner Center needs a close reason the record does not give: shown to the seller, nothing written. */
  | { readonly kind: "ask-close-reason"; readonly merge: MergeResult; readonly message: string }
  /** A conflict's verdict hangs on an opportunity write whose webhook has not come in: wait, then merge again. */
  | { readonly kind: "await-crm-write-time"; readonly merge: MergeResult; readonly warning: AuditEntry | null }
  | { readonly kind: "write"; readonly merge: MergeResult; readonly warning: AuditEntry | null; readonly steps: readonly WriteStep[]; readonly outcome: "synced" | "unchanged" };

export function planMerge(input: MergePlanInput): MergePlan {
  const { opportunity, referral, base } = input;
  const at = input.at.toISOString();
  const merge = mergeLink({
    base: input.mergeBase ?? base?.fields ?? null,
    clocks: input.clocks,
    crm: input.crm,
    partnerCenter: input.partnerCenter,
    crmModifiedAt: text(opportunity.record[S.modifiedOn]),
    partnerCenterModifiedAt: referral.updatedDateTime ?? null,
    at,
    policy: input.policy,
    partnerCenterHasCustomerContact: (referral.customerProfile?.team?.length ?? 0) > 0,
    directions: input.mapping.mapping?.directions,
  });
  // A close Partner Center needs a reason for, given none on the record (cosell-rules.ts).
  const reasonMissing = closeReasonMissing(merge);
  if (reasonMissing) return { kind: "ask-close-reason", merge, message: reasonMissing[1033] };
  const warning = wonTooSoonWarning(merge, referral.createdDateTime, at);
  // (Also when no webhook told of this opportunity yet: deliveries held back while the backend restarted arrive late.)
  if (input.awaitWriteTimes && merge.conflicts.some((c) => c.awaitsCrmWriteTime)) return { kind: "await-crm-write-time", merge, warning };

  const steps: WriteStep[] = [];
  const pushed = merge.partnerCenterPatch;
  const pushes = Object.keys(pushed).length > 0;
  const operations = referralPatchOperations(pushed, referral);
  if (!referral.externalReferenceId && !isMicrosoftSide(referral) && !isTerminalStatus(input.partnerCenter.status)) {
    // An import interrupted before it told Partner Center which opportunity holds the referral
    // (a closed referral accepts no update: it stays without, the store keeps the link).
    operations.push({ op: "add", path: "/externalReferenceId", value: opportunity.id });
  }
  if (operations.length > 0) {
    if (base && pushes) steps.push({ step: "note-pending-push", fields: pushed });
    steps.push({ step: "patch-referral", operations });
  }
  const pushedAudit = merge.audit.filter((e) => e.direction === AUDIT_DIRECTIONS.toPartnerCenter && e.action !== "refused");
  const landed = base !== null && pushes;
  if (landed) steps.push({ step: "commit-landed-push", fields: pushed, audit: pushedAudit });

  // The referral as written differs from the read only by our operations (the patch is conditional
  // on its eTag), so its identifier and link columns are the read's.
  const update = opportunityUpdateFromMerge(merge.crmPatch, merge.base, opportunity.record, input.mapping);
  const body: Record<string, unknown> = {
    ...update.body,
    ...linkColumns(referral, opportunity, input.referralLink, input.microsoftCrmId),
    // The seller sees "changed in Partner Center too" with the value that did not win.
    ...conflictNoticeColumns(merge.conflicts, merge.audit[0]?.at ?? input.at.toISOString()),
  };
  const statusStale = opportunity.record[C.syncStatus] !== SyncStatus.Synced || opportunity.record[C.syncError] != null;
  const audit = [...input.recoveryAudit, ...merge.audit, ...(warning ? [warning] : [])];
  const crmWrite = Object.keys(body).length > 0 || audit.length > 0 || syncRequestedSinceLastSync(opportunity) || statusStale;
  if (crmWrite) steps.push({ step: "update-opportunity", body: { ...body, ...syncedStatusColumns(opportunity, audit) }, ownWrites: merge.crmPatch });

  // Also when nothing was written but the base is behind what both sides hold (a crash after our
  // last write, before its commit): a stale base would make the next edit look like a conflict.
  const baseBefore = base ? (landed ? { ...base.fields, ...pushed } : base.fields) : null;
  if (crmWrite || operations.length > 0 || !baseBefore || !sameFields(baseBefore, merge.base)) {
    const remaining = [...(landed ? merge.audit.filter((e) => !pushedAudit.includes(e)) : merge.audit), ...(warning ? [warning] : [])];
    steps.push({ step: "commit-merge", base: merge.base, audit: remaining });
  }
  steps.push({ step: "invite-microsoft" });
  if (update.close) steps.push({ step: "close-opportunity", request: { close: update.close, reason: merge.base.statusReason, status: merge.base.status } });
  return { kind: "write", merge, warning, steps, outcome: crmWrite || operations.length > 0 || update.close ? "synced" : "unchanged" };
}

