/**
 * The crash-recovery rules of a sync job, in one place: every base commit and every field-clock update
 * the stories make goes through a rule named here, so that the order that keeps a crash recoverable
 * is read (and tested) in one file. A crash may come between any two writes; each rule says what the
 * retry then finds and why it does not take our own write for someone else's edit.
 *
 * - Commit the base early: a share or an import stores its base before anything else can fail.
 * - Interrupted links: with no base, our own share or import is recognised from the two records.
 * - Pending push: fields about to go to Partner Center are noted on the base; the next job keeps those
 *   that landed (withLandedPush) instead of taking them for a Partner Center edit.
 * - Landed push: what went to Partner Center joins the base before the opportunity is written.
 * - Own-write marks: our writes are marked on both sides' clocks, so they never date a user's edit.
 * - Audit copy-back: lines our last write put on the record but a crash kept from the store's log.
 *
 * Who may import it: the stories of sync/worker. It imports the engine and the store's types only.
 */
import { OpportunityColumns as C, OpportunityStandardColumns as S } from "../../entities";
import {
  CLOCK_RESOLUTION_MS,
  formatAuditLine,
  formatAuditTime,
  noteOwnWrites,
  observeSide,
  parseAuditLine,
  type AuditEntry,
  type LinkFieldClocks,
  type MappedFieldName,
  type MappedFields,
} from "../engine";
import type { Referral } from "../partner-center/referral-types";
import type { BaseSnapshot, SyncStore } from "../store";
import type { CrmRow } from "./crm-gateway";
import { opportunitySide, withLandedPush } from "./mapped-field-diff";
import { text } from "./story-context";

/** What the rules need of the store. */
export type RecoveryStore = Pick<
  SyncStore,
  "getBase" | "commitSync" | "notePendingPush" | "updateFieldClocks" | "recordReferralChange" | "listAudit" | "appendAudit"
>;

/** One merge writes at most one line per mapped field (plus a link line): more is never missing. */
export const RECOVERABLE_AUDIT_LINES = 16;


// ---- Commit the base early ---------------------------------------------------------------------

/**
 * Share: the base is what the new referral holds, committed before the invitation or the write-back
 * can fail, so the retry merges against what was actually shared. Where Partner Center made a value
 * its own (consent is Yes on a co-sell deal whatever the form said), the opportunity's value stays in
 * the base until the write-back, so a retry brings Partner Center's value over as a plain update.
 */
export function commitSharedBase(store: RecoveryStore, key: string, shared: { opportunity: MappedFields; referral: MappedFields; entry: AuditEntry }): Promise<BaseSnapshot> {
  return store.commitSync(key, { base: opportunitySide(shared.opportunity, shared.referral), audit: [shared.entry], expectedVersion: null });
}

/** Share: once the write-back brought Partner Center's own values to the opportunity, they are the base. */
export async function commitWriteBack(store: RecoveryStore, key: string, shared: BaseSnapshot, referral: MappedFields, patch: Partial<MappedFields>): Promise<void> {
  if (Object.keys(patch).length > 0) await store.commitSync(key, { base: referral, audit: [], expectedVersion: shared.version });
}

/**
 * Import: the base (what the new opportunity will hold) is stored before the opportunity is created,
 * so a Partner Center edit made since our read flows to the opportunity instead of being taken for the copy.
 */
export async function commitImportedBase(store: RecoveryStore, key: string, copied: MappedFields, referralModifiedAt: string | null | undefined): Promise<void> {
  const earlier = await store.getBase(key);
  await store.commitSync(key, { base: copied, audit: [], expectedVersion: earlier?.version ?? null });
  await store.updateFieldClocks(key, () => ({ crm: null, partnerCenter: observeSide(null, copied, referralModifiedAt) }));
}

// ---- Interrupted links -------------------------------------------------------------------------

/**
 * With no base, a pair our own story left half-done. "share": our referral, found after a crash
 * between creating it and writing its id back; it holds what we sent. "import": an opportunity our
 * import created, when the referral has not changed since (createdon is whole seconds): the referral
 * is what the import copied. Either way the referral is the base. Pure.
 */
export function interruptedLink(opportunity: CrmRow, referral: Referral, base: BaseSnapshot | null): "share" | "import" | null {
  if (base) return null;
  if (referral.externalReferenceId === opportunity.id && referral.direction !== "Incoming") return "share";
  const createdOn = Date.parse(text(opportunity.record[S.createdOn]) ?? "");
  const unchangedSinceCreate =
    opportunity.record[C.referralIdentifier] === referral.id &&
    !Number.isNaN(createdOn) &&
    Date.parse(referral.updatedDateTime ?? "") <= createdOn + CLOCK_RESOLUTION_MS.crm - 1;
  return unchangedSinceCreate ? "import" : null;
}

/** Committed at once, like the share's own base: a later Partner Center edit is never taken for what we sent. */
export function commitRecoveredBase(store: RecoveryStore, key: string, referral: MappedFields, audit: readonly AuditEntry[]): Promise<BaseSnapshot> {
  return store.commitSync(key, { base: referral, audit, expectedVersion: null });
}

// ---- Pending and landed pushes -----------------------------------------------------------------

/**
 * A push of ours that a crash kept from its commit: where Partner Center holds what we pushed, that is
 * the base (our write, not a Partner Center edit newer than the seller's). Committed before this merge
 * notes a push of its own over it: if that push fails, the retry must still know the first.
 */
export async function recoverPendingPush(store: RecoveryStore, key: string, base: BaseSnapshot | null, referral: MappedFields): Promise<BaseSnapshot | null> {
  if (!base?.pendingPush) return base;
  return store.commitSync(key, { base: withLandedPush(base.fields, base.pendingPush, referral), audit: [], expectedVersion: base.version });
}

/** Notes the fields about to be written to Partner Center, for recoverPendingPush after a crash. */
export async function notePendingPush(store: RecoveryStore, key: string, base: BaseSnapshot, push: Partial<MappedFields>): Promise<void> {
  await store.notePendingPush(key, base.version, push);
}

/**
 * What went to Partner Center is now on both sides: it joins the base at once, so that if the
 * opportunity's write fails (a 412 because the seller saved again, a crash), the retry does not take
 * our own write for a Partner Center edit and revert the seller's newer value.
 */
export function commitLandedPush(store: RecoveryStore, key: string, base: BaseSnapshot, push: Partial<MappedFields>, audit: readonly AuditEntry[]): Promise<BaseSnapshot> {
  return store.commitSync(key, { base: { ...base.fields, ...push }, audit, expectedVersion: base.version });
}

/** Both sides hold the merge: it is the base, with its audit lines, before a close can fail. */
export function commitMerge(store: RecoveryStore, key: string, base: BaseSnapshot | null, merged: MappedFields, audit: readonly AuditEntry[]): Promise<BaseSnapshot> {
  return store.commitSync(key, { base: merged, audit, expectedVersion: base?.version ?? null });
}

// ---- Field clocks and own-write marks ----------------------------------------------------------

export interface OpportunityObservation {
  readonly fields: MappedFields;
  readonly row: CrmRow;
  /** Per field, the write time the webhooks told of before the read (field-clock.ts fieldWriteTimes). */
  readonly writtenAt: Partial<Record<MappedFieldName, number>>;
}

/** Share: both sides observed as shared; with the write times, a seller's save later in the same second is still datable. */
export async function observeShare(store: RecoveryStore, key: string, opportunity: OpportunityObservation, created: Referral, shared: MappedFields): Promise<void> {
  await store.updateFieldClocks(key, (known) => ({
    ...known,
    crm: observeSide(null, opportunity.fields, text(opportunity.row.record[S.modifiedOn]), {
      resolutionMs: CLOCK_RESOLUTION_MS.crm,
      writtenAt: opportunity.writtenAt,
    }),
    partnerCenter: observeSide(null, shared, created.updatedDateTime),
  }));
}

/**
 * Every read is an observation of when each field got its value on each side (field-clock.ts): a
 * conflict is then decided by the field's own change, not by the record's last one. Our own writes to
 * the opportunity (crmOwnWrites) and to the referral (recordReferralChange ours) are left out.
 */
export function observePair(
  store: RecoveryStore,
  key: string,
  opportunity: OpportunityObservation,
  referral: { readonly fields: MappedFields; readonly row: Referral; readonly changeTimes: readonly number[] },
): Promise<LinkFieldClocks> {
  return store.updateFieldClocks(key, (known) => ({
    ...known,
    crm: observeSide(known?.crm ?? null, opportunity.fields, text(opportunity.row.record[S.modifiedOn]), {
      resolutionMs: CLOCK_RESOLUTION_MS.crm,
      writtenAt: opportunity.writtenAt,
      ownWrites: known?.crmOwnWrites,
    }),
    partnerCenter: observeSide(known?.partnerCenter ?? null, referral.fields, referral.row.updatedDateTime, { changeTimes: referral.changeTimes }),
  }));
}

/** The referral as our patch left it is Partner Center's newest observation. */
export async function observeOwnPush(store: RecoveryStore, key: string, written: Referral, fields: MappedFields): Promise<void> {
  await store.updateFieldClocks(key, (known) => ({
    ...known,
    crm: known?.crm ?? null,
    partnerCenter: observeSide(known?.partnerCenter ?? null, fields, written.updatedDateTime),
  }));
}

/** Our write is not one of the changes a Partner Center user made (FieldClock's changeTimes). */
export async function noteOwnReferralChange(store: RecoveryStore, written: Referral): Promise<void> {
  const at = Date.parse(written.updatedDateTime ?? "");
  if (!Number.isNaN(at)) await store.recordReferralChange(written.id, at, true);
}

/**
 * Notes what we just wrote to the opportunity (LinkFieldClocks.crmOwnWrites), without a time: our
 * clock dates none of Dataverse's writes. A value read that is ours is then never dated by another's write time.
 */
export async function noteOwnCrmWrites(store: RecoveryStore, key: string, fields: Partial<MappedFields>): Promise<void> {
  if (Object.keys(fields).length === 0) return;
  await store.updateFieldClocks(key, (known) => ({
    crm: known?.crm ?? null,
    partnerCenter: known?.partnerCenter ?? null,
    crmOwnWrites: noteOwnWrites(known?.crmOwnWrites, fields),
  }));
}

// ---- Audit copy-back ---------------------------------------------------------------------------

/**
 * Audit lines our last write put on the opportunity but a crash kept from the store's full log (the
 * store commits right after that write): copied over, so the log misses nothing the form shows.
 */
export async function copyBackAuditLines(store: RecoveryStore, key: string, opportunity: CrmRow): Promise<void> {
  const onRecord = (text(opportunity.record[C.audit]) ?? "")
    .split("\n")
    .slice(0, RECOVERABLE_AUDIT_LINES)
    .map(parseAuditLine)
    .filter((entry): entry is AuditEntry => entry !== null);
  if (onRecord.length === 0) return;
  const stored = await store.listAudit(key, RECOVERABLE_AUDIT_LINES * 2);
  const known = new Set(stored.map(formatAuditLine));
  const newestStored = stored[0] ? Date.parse(formatAuditTime(stored[0].at)) : Number.NEGATIVE_INFINITY;
  const missing = onRecord.filter((entry) => !known.has(formatAuditLine(entry)) && Date.parse(entry.at) >= newestStored);
  if (missing.length > 0) await store.appendAudit(key, missing.reverse());
}
