/**
 * One sync job: bring an opportunity and its referral in step (DESIGN.md 5). Triggers are hints:
 * the job re-reads both records, finds or creates the missing side idempotently (look up before
 * create, so a crash between "create" and "write back the id" never duplicates), merges against the
 * stored base, writes only what changed with If-Match, and stores the new base. The echo of our own
 * write therefore costs two reads and no write.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import {
  AccountColumns,
  ContactColumns,
  OpportunityColumns as C,
  OpportunityStandardColumns as S,
  ReferralDirection,
  SyncStatus,

} from "../../entities";
import { DataverseError } from "../dataverse/dataverse-error";
import {
  AUDIT_DIRECTIONS,
  accountCreateBody,
  accountToFields,
  contactCreateBody,
  contactsToTeam,
  customerProfileFromAccount,
  customerProfileToFields,
  formatPreflightProblems,
  isTerminalStatus,
  matchAccount,
  normalizeCompanyName,
  matchTeamToContacts,
  mergeLink,
  coSellDetailsFromRecord,
  wonTooSoonWarning,
  closeReasonMissing,
  microsoftInvitationFor,
  noteOwnWrites,
  observeSide,
  parseAuditLine,
  formatAuditLine,
  formatAuditTime,
  fieldWriteTimes,
  CLOCK_RESOLUTION_MS,
  DEFAULT_MAPPING,
  opportunityCreateFromReferral,
  opportunityToMappedFields,
  opportunityUpdateFromMerge,
  preflightReferralCreate,
  prependAuditLines,
  referralCreateFromOpportunity,
  referralPatchOperations,
  referralToMappedFields,
  MAPPED_FIELD_NAMES,
  sameFieldValue,
  type AccountCandidate,
  type AccountFields,
  type AuditEntry,
  type ConflictPolicySetting,
  type MappedFieldName,
  type MappedFields,
  type OpportunityMappingContext,
  type SyncMapping,
} from "../engine";
import { PartnerCenterError } from "../partner-center/partner-center-error";
import { quote, type ReferralsClient, type UnreadableReferral } from "../partner-center/referrals-client";
import { isMicrosoftSide, type Member, type Referral } from "../partner-center/referral-types";
import { StaleBaseError, opportunityLinkKey, type Job, type LinkRecord, type SyncStore } from "../store";
import type { JobHandler, JobOutcome } from "../queue/worker-pool";
import { opportunityAccountId, type CrmGateway, type CrmRow } from "./crm-gateway";
import { InMemoryPairLocks, type PairLocks } from "../cluster/pair-locks";
import { describeSyncError } from "./sync-error-message";

export interface LinkSyncDependencies {
  store: SyncStore;
  crm: CrmGateway;
  referrals: ReferralsClient;
  /** The "Open in Partner Center" link of a referral. */
  referralLink: (referralId: string) => string;
  logger: Logger;
  mapping?: SyncMapping;
  policy?: ConflictPolicySetting;
  /** The policy in force now (the co-sell settings row over `policy`), asked at each merge. */
  currentPolicy?: () => ConflictPolicySetting | undefined;
  /** Told of each referral imported as a new opportunity (the Teams notification listens). */
  onReferralImported?: (referral: Referral, opportunityId: string) => void;
  clock?: () => Date;
  /** Pair and customer locks shared with the other instances (sync/cluster); default: this process only. */
  pairLocks?: PairLocks;
  customerLocks?: PairLocks;
}

/**
 * Partner Center refused a conditional patch for a state it reached after we read the referral
 * (it checks "closed: no update" before the eTag, so a close racing our write is a 400, not a 412).
 */
class ReferralChangedError extends Error {
  constructor(referralId: string, cause: unknown) {
    super(`referral ${referralId} changed while we wrote to it`, { cause });
    this.name = "ReferralChangedError";
  }
}

/** Dataverse refused to close an opportunity someone closed after we read it (400, not a 412). */
class OpportunityChangedError extends Error {
  constructor(opportunityId: string, cause: unknown) {
    super(`opportunity ${opportunityId} was closed while we closed it`, { cause });
    this.name = "OpportunityChangedError";
  }
}

/** A write raced with someone else's (412, or another worker committed the base): re-read and merge again. */
function isWriteRace(error: unknown): boolean {
  return (
    error instanceof StaleBaseError ||
    error instanceof ReferralChangedError ||
    error instanceof OpportunityChangedError ||
    (error instanceof PartnerCenterError && error.status === 412) ||
    (error instanceof DataverseError && error.status === 412)
  );
}

/** The pair-lock keys of the records a job knows of. */
function pairLockKeys(opportunityId: string | null | undefined, referralId: string | null | undefined): string[] {
  return [...(opportunityId ? [`opportunity:${opportunityId}`] : []), ...(referralId ? [`referral:${referralId}`] : [])];
}

/** The job reached a record of its pair whose lock it does not hold (see LinkSyncHandler.pairLock). */
class PairGrewError extends Error {
  constructor(readonly keys: readonly string[]) {
    super(`the pair also includes ${keys.join(", ")}`);
    this.name = "PairGrewError";
  }
}

/**
 * A conflict's latest-wins verdict was a guess that the opportunity write's webhook would settle (its
 * time is finer than modifiedon's second): we waited for the webhook, and read both sides again.
 */
class AwaitedWriteTimeError extends Error {
  constructor(opportunityId: string) {
    super(`waited for the write time of opportunity ${opportunityId} to decide a conflict`);
    this.name = "AwaitedWriteTimeError";
  }
}

/** How long a merge waits for the webhook of an opportunity write whose time would decide a conflict. */
const WRITE_TIME_WAIT_MS = 2000;
const WRITE_TIME_POLL_MS = 50;

class WriteRaceError extends Error {
  readonly retryable = true;
  constructor(cause: unknown) {
    super("the records kept changing while we synced them", { cause });
    this.name = "WriteRaceError";
  }
}

const MAX_RACE_ROUNDS = 3;
/** One merge writes at most one line per mapped field (plus a link line): more is never missing. */
const RECOVERABLE_AUDIT_LINES = 16;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

export class LinkSyncHandler implements JobHandler {
  private readonly customerLock: PairLocks;
  /**
   * One pair, one job at a time. The queue runs one job per link key, but a pair is reached under
   * several keys (the referral's webhook before the link existed, the opportunity's after; Microsoft's
   * side of the engagement): two jobs merging the same pair at once interleave their reads and writes
   * so that one commits a base from a read that predates the other's write, and the next merge takes
   * that write for a fresh edit. Keyed by each record id of the pair (`opportunity:…`, `referral:…`).
   */
  private readonly pairLock: PairLocks;

  constructor(private readonly deps: LinkSyncDependencies) {
    this.pairLock = deps.pairLocks ?? new InMemoryPairLocks();
    this.customerLock = deps.customerLocks ?? new InMemoryPairLocks();
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /**
   * `listed`: the referral as a list page just returned it (the backfill), used instead of a GET on
   * the first round. Safe with a stale copy: every write to Partner Center is conditional on its
   * eTag, so a referral changed since the list becomes a 412 and the next round reads it afresh.
   * `listedOpportunity`: the opportunity carrying `listed`'s id (null: none), as the backfill looked it
   * up for a whole page of referrals in one query; it stands in for the lookup by referral id.
   */
  async run(job: Job, listed?: Referral, listedOpportunity?: CrmRow | null): Promise<JobOutcome> {
    const link = await this.resolveLink(job);
    let pair = new Set(pairLockKeys(link?.opportunityId ?? job.opportunityId, link?.referralId ?? job.referralId));
    for (;;) {
      try {
        return await this.whileHolding([...pair], () => this.runRounds(job, pair, listed, listedOpportunity));
      } catch (error) {
        // The job found a record of the pair it did not hold: take that one too, and start over.
        if (!(error instanceof PairGrewError)) throw error;
        pair = new Set([...pair, ...error.keys]);
      }
    }
  }

  /** Holds the pair lock of every key, taken in sorted order so that two jobs never wait on each other. */
  private whileHolding<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    return [...keys].sort().reduceRight<() => Promise<T>>((inner, key) => () => this.pairLock.run(key, inner), work)();
  }

  private async runRounds(job: Job, held: ReadonlySet<string>, listed?: Referral, listedOpportunity?: CrmRow | null): Promise<JobOutcome> {
    let awaitWriteTimes = true;
    for (let round = 1; ; round++) {
      try {
        return await this.syncOnce(job, held, awaitWriteTimes, round === 1 ? listed : undefined, round === 1 ? listedOpportunity : undefined);
      } catch (error) {
        if (error instanceof AwaitedWriteTimeError) {
          awaitWriteTimes = false; // once per job: a webhook that never comes (lost) must not stall the pair
          continue;
        }
        if (!isWriteRace(error)) throw error;
        if (round >= MAX_RACE_ROUNDS) throw new WriteRaceError(error);
        this.deps.logger.debug({ linkKey: job.linkKey, round }, "write race, re-reading both sides");
      }
    }
  }

  /** Shows the reason on the record: ✔ becomes Error with pcc_syncerror, "Sync now" retries. */
  async onGiveUp(job: Job, error: unknown): Promise<void> {
    const link = await this.resolveLink(job);
    const opportunityId = link?.opportunityId ?? job.opportunityId;
    if (!opportunityId) return;
    const opportunity = await this.deps.crm.getOpportunity(opportunityId);
    if (!opportunity) return;
    const message = describeSyncError(error);
    await this.writeError(opportunity, message);
  }

  // ---- orchestration -----------------------------------------------------------------------------

  private async resolveLink(job: Job): Promise<LinkRecord | null> {
    const { store } = this.deps;
    return (
      (await store.getLink(job.linkKey)) ??
      (job.opportunityId ? await store.findLinkByOpportunityId(job.opportunityId) : null) ??
      (job.referralId ? await store.findLinkByReferralId(job.referralId) : null)
    );
  }

  private async getReferral(id: string): Promise<Referral | null> {
    try {
      return await this.deps.referrals.get(id);
    } catch (error) {
      if (error instanceof PartnerCenterError && error.status === 404) return null;
      throw error;
    }
  }

  private async syncOnce(job: Job, held: ReadonlySet<string>, awaitWriteTimes: boolean, listed?: Referral, listedOpportunity?: CrmRow | null): Promise<JobOutcome> {
    const { crm, referrals } = this.deps;
    let link = await this.resolveLink(job);
    let opportunityId = link?.opportunityId ?? job.opportunityId;
    let referralId = link?.referralId ?? job.referralId;

    // The column write times the webhooks told us of, taken before the read: each of those writes is
    // in the record we read then. Taken after, they could include a write the read missed, and the
    // field clock would file that write's time under the older value (field-clock.ts).
    let columnTimes = opportunityId ? await this.deps.store.columnChangeTimes(opportunityId) : {};
    let opportunity = opportunityId ? await crm.getOpportunity(opportunityId) : null;
    if (!referralId && opportunity) referralId = text(opportunity.record[C.referralIdentifier]);
    let referral = referralId ? (listed?.id === referralId ? listed : await this.getReferral(referralId)) : null;
    // A related-referral event names Microsoft's side of an engagement: sync our side instead, and
    // keep Microsoft's own CRM id for the opportunity. Microsoft's side never becomes an opportunity.
    let microsoftCrmId: string | null = null;
    if (referral && isMicrosoftSide(referral)) {
      microsoftCrmId = text(referral.externalReferenceId);
      referral = await this.ourSideOf(referral);
      if (!referral) return "skipped";
    }

    if (!opportunity && referral && !opportunityId) {
      // Reached through Microsoft's side (or a referral-only job): our referral's link names the
      // opportunity, read by id after its write times, as above.
      const ours = await this.deps.store.findLinkByReferralId(referral.id);
      if (ours?.opportunityId) {
        link = ours;
        opportunityId = ours.opportunityId;
        columnTimes = await this.deps.store.columnChangeTimes(opportunityId);
        opportunity = await crm.getOpportunity(opportunityId);
      }
    }
    if (!opportunity && referral) {
      opportunity = listedOpportunity !== undefined && referral === listed ? listedOpportunity : await crm.findOpportunityByReferralId(referral.id);
      // Our own outgoing referral whose id never made it back to the opportunity.
      const external = referral.externalReferenceId;
      if (!opportunity && external && GUID.test(external)) opportunity = await crm.getOpportunity(external);
    }
    if (opportunity && !referral && this.syncIsOn(opportunity)) {
      // A crash after creating the referral but before writing its id back: find it, don't re-create.
      const notBefore = text(opportunity.record[S.createdOn]) ?? undefined;
      referral = (await referrals.findByExternalReferenceId(opportunity.id, { notBefore })) ?? null;
    }

    const unheld = pairLockKeys(opportunity?.id, referral?.id).filter((key) => !held.has(key));
    if (unheld.length > 0) throw new PairGrewError(unheld);
    const knownWrites = opportunityId && opportunity?.id.toLowerCase() === opportunityId.toLowerCase() ? columnTimes : {};
    if (opportunity && referral) return this.syncPair(opportunity, referral, link, { columnTimes: knownWrites, microsoftCrmId, awaitWriteTimes });
    if (opportunity) return this.shareOpportunity(opportunity, knownWrites);
    if (referral) return this.importReferral(referral);
    return "skipped";
  }

  /**
   * A conditional patch of the referral as we read it. A refusal (4xx other than 412) of a referral
   * whose eTag moved since our read is a race, not a verdict on our patch: re-read and merge again.
   */
  private async patchReferral(read: Referral, operations: Parameters<ReferralsClient["patch"]>[1]): Promise<Referral> {
    try {
      const written = await this.deps.referrals.patch(read.id, operations, { eTag: read.eTag });
      await this.noteOwnReferralChange(written);
      return written;
    } catch (error) {
      if (!(error instanceof PartnerCenterError) || error.status !== 400) throw error;
      const now = await this.getReferral(read.id);
      if (now && now.eTag !== read.eTag) throw new ReferralChangedError(read.id, error);
      throw error;
    }
  }

  /**
   * A co-sell referral of ours needs Microsoft's side on its engagement (microsoftInvitationFor). The
   * share creates it; this catches a share whose invitation failed or was cut short by a crash, once
   * per link: look first (an earlier try may have created it and lost the answer), create if
   * missing, and remember it on the link so that later syncs cost nothing.
   */
  private async inviteMicrosoftIfDue(key: string, ours: Referral): Promise<void> {
    const invitation = microsoftInvitationFor(ours);
    if (!invitation || ours.direction === "Incoming" || isMicrosoftSide(ours) || !ours.engagementId) return;
    if (isTerminalStatus(referralToMappedFields(ours).status)) return;
    const link = await this.deps.store.getLink(key);
    if (!link || link.microsoftInvitedAt !== null) return;
    let invited = false;
    const unreadable: UnreadableReferral[] = [];
    for await (const page of this.deps.referrals.pages({ filter: `engagementId eq ${quote(ours.engagementId)}` })) {
      if (page.value.some(isMicrosoftSide)) invited = true;
      // An entry we cannot read may be Microsoft's side: only a readable target that is not Microsoft's rules it out.
      unreadable.push(...page.unreadable.filter((entry) => entry.targetIds === null || isMicrosoftSide({ target: entry.targetIds.map((id) => ({ id })) })));
    }
    if (!invited && unreadable.length > 0) {
      throw new PartnerCenterError(
        `Engagement ${ours.engagementId} holds a referral this connector cannot read (${unreadable.map((entry) => entry.id ?? "(no id)").join(", ")}); it may be Microsoft's invitation, so none is sent again: ${unreadable[0]!.reason}. Update the connector, or check the engagement in Partner Center.`,
        { status: 200, code: "unreadableReferral", retryable: false },
      );
    }
    if (!invited) {
      await this.deps.referrals.create(invitation);
      this.deps.logger.info({ referralId: ours.id, engagementId: ours.engagementId }, "Microsoft invited to the engagement (the share's invitation had not gone through)");
    }
    await this.deps.store.saveLink({ key, microsoftInvitedAt: this.now().getTime() });
  }

  /** Our referral on the engagement Microsoft's side belongs to, if we have one. */
  private async ourSideOf(microsoftSide: Referral): Promise<Referral | null> {
    if (!microsoftSide.engagementId) return null;
    for await (const candidate of this.referralsOnEngagement(microsoftSide.engagementId)) {
      if (!isMicrosoftSide(candidate)) return candidate;
    }
    return null;
  }

  /** Every referral of one engagement: ours and the other party's (links.relatedReferrals). */
  private referralsOnEngagement(engagementId: string): AsyncIterable<Referral> {
    return this.deps.referrals.list({ filter: `engagementId eq ${quote(engagementId)}` });
  }

  private syncIsOn(opportunity: CrmRow): boolean {
    return opportunity.record[C.syncWithPartnerCenter] === true;
  }

  private async mappingContext(): Promise<OpportunityMappingContext> {
    return { mapping: this.deps.mapping, currencies: await this.deps.crm.currencyList() };
  }

  private audit(direction: AuditEntry["direction"], action: AuditEntry["action"], detail: string): AuditEntry {
    return { at: this.now().toISOString(), direction, action, detail };
  }

  // ---- CRM → Partner Center: first share ---------------------------------------------------------

  /** `columnTimes`: as for syncPair, the opportunity's write times known before it was read. */
  private async shareOpportunity(opportunity: CrmRow, columnTimes: Readonly<Record<string, number>>): Promise<JobOutcome> {
    if (!this.syncIsOn(opportunity)) return "skipped";
    const { crm, referrals, store } = this.deps;
    const ctx = await this.mappingContext();
    const fields = opportunityToMappedFields(opportunity.record, ctx);
    const accountId = opportunityAccountId(opportunity.record);
    const account = accountId ? await crm.getAccount(accountId) : null;
    // The contact the seller picked on the form comes first; the account's other contacts follow.
    const pickedId = text(opportunity.record[`_${S.parentContact}_value`]);
    const picked = pickedId ? await crm.getContact(pickedId) : null;
    const accountContacts = accountId ? await crm.contactsOfAccount(accountId) : [];
    const contacts = [...(picked ? [picked] : []), ...accountContacts.filter((c) => c.id !== picked?.id)];
    const customerProfile = customerProfileFromAccount(
      accountToFields(account?.record ?? {}, this.deps.mapping?.account),
      contactsToTeam(contacts.map((c) => c.record), this.deps.mapping?.contact),
    );
    const body = referralCreateFromOpportunity({ opportunityId: opportunity.id, fields, customerProfile, coSell: coSellDetailsFromRecord(opportunity.record) });
    const problems = preflightReferralCreate(body);
    if (problems.length > 0) {
      // Nothing is sent to Partner Center: the seller fixes the record and saves again.
      await this.writeError(opportunity, formatPreflightProblems(problems));
      return "skipped";
    }
    const created = await referrals.create(body);
    await this.noteOwnReferralChange(created);
    const key = opportunityLinkKey(opportunity.id);
    await store.saveLink({ key, opportunityId: opportunity.id, referralId: created.id, accountId });
    this.deps.logger.info({ opportunityId: opportunity.id, referralId: created.id }, "referral created");
    // The base is what the new referral holds, committed before anything else can fail (the
    // invitation, a 412 on the write-back because the seller saved again meanwhile, a crash): the
    // retry then merges against what was actually shared. Without it the retry took the referral's
    // fields of that moment as the base, so a Partner Center edit made meanwhile looked like the
    // base and the opportunity's older value was pushed over it.
    const pcFields = referralToMappedFields(created);
    const entry = this.audit(AUDIT_DIRECTIONS.toPartnerCenter, "created", `referral ${created.id} shared with Microsoft`);
    // Where Partner Center made a value its own (consent is Yes on a co-sell deal whatever the form
    // said), the opportunity keeps its value until the write-back below: the base says so, so that a
    // retry after a failed write-back brings Partner Center's value over as a plain update instead
    // of taking the opportunity's untouched value for a seller's edit (a "withdrawn consent" refused).
    const shared = await store.commitSync(key, { base: opportunitySide(fields, pcFields), audit: [entry], expectedVersion: null });
    // With the write times of the values shared, a seller's save later in the same second is still datable.
    await store.updateFieldClocks(key, (known) => ({
      ...known,
      crm: observeSide(null, fields, text(opportunity.record[S.modifiedOn]), {
        resolutionMs: CLOCK_RESOLUTION_MS.crm,
        writtenAt: this.fieldWriteTimes(columnTimes),
        readAt: opportunity.readAt,
      }),
      partnerCenter: observeSide(null, pcFields, created.updatedDateTime),
    }));
    const invitation = microsoftInvitationFor(created);
    if (invitation) {
      await referrals.create(invitation);
      await store.saveLink({ key, microsoftInvitedAt: this.now().getTime() });
    }

    const patch = diffFields(fields, pcFields);
    const update = opportunityUpdateFromMerge(patch, pcFields, opportunity.record, ctx);
    await crm.updateOpportunity(opportunity.id, opportunity.etag, {
      ...update.body,
      ...this.linkColumns(created, opportunity),
      ...this.syncedColumns(opportunity, [entry]),
    });
    await this.noteOwnCrmWrites(key, patch);
    if (Object.keys(patch).length > 0) await store.commitSync(key, { base: pcFields, audit: [], expectedVersion: shared.version });
    return "synced";
  }

  // ---- Partner Center → CRM: first import ---------------------------------------------------------

  private async importReferral(referral: Referral): Promise<JobOutcome> {
    const { crm, store } = this.deps;
    if (referral.status === "Closed" && referral.substatus === "Error") {
      // Closed as erroneous (a duplicate, a test, bad data): not a deal anyone works on.
      this.deps.logger.info({ referralId: referral.id, statusReason: referral.statusReason }, "referral closed as Error in Partner Center: not imported");
      return "skipped";
    }
    const ctx = await this.mappingContext();
    const accountId = await this.matchOrCreateAccount(referral);
    const { body, close } = opportunityCreateFromReferral({ referral, accountId, referralLink: this.deps.referralLink(referral.id) }, ctx);
    const entry = this.audit(
      AUDIT_DIRECTIONS.toCrm,
      "created",
      `opportunity created from ${referralOrigin(referral)} ${referral.id}`,
    );
    const now = this.now().toISOString();
    // The link and the base (what the new opportunity will hold) are stored first, for an opportunity
    // id chosen here; then the opportunity is created under that id. A crash before the create leaves
    // a link to an opportunity that does not exist yet, and the retry creates it under the same id;
    // a crash after it leaves the base, so the retry merges against what was really copied and a
    // Partner Center edit made since our read (even before the create) flows to the opportunity
    // instead of being taken for the copy.
    const pending = await store.findLinkByReferralId(referral.id);
    const opportunityId = pending?.opportunityId ?? randomUUID();
    const key = pending?.key ?? opportunityLinkKey(opportunityId);
    await store.saveLink({ key, opportunityId, referralId: referral.id, accountId });
    const copied = referralToMappedFields(referral);
    const earlier = await store.getBase(key);
    await store.commitSync(key, { base: copied, audit: [], expectedVersion: earlier?.version ?? null });
    await store.updateFieldClocks(key, () => ({ crm: null, partnerCenter: observeSide(null, copied, referral.updatedDateTime) }));
    await crm.createOpportunity({
      ...body,
      [S.id]: opportunityId,
      [C.syncStatus]: SyncStatus.Synced,
      [C.lastSyncedOn]: now,
      [C.audit]: prependAuditLines(null, [entry]),
    });
    await this.noteOwnCrmWrites(key, copied);
    await store.appendAudit(key, [entry]);
    if (close) {
      await crm.closeOpportunity(opportunityId, close.outcome, close.statusCode, referral.statusReason ?? null);
      await this.noteOwnCrmWrites(key, { status: copied.status });
    }
    if (!referral.externalReferenceId && !isTerminalStatus(copied.status)) {
      // Tell Partner Center which opportunity holds this referral, so a lost link can be rebuilt
      // (a closed referral accepts no update: the store keeps the link).
      // (If this races with an edit, the retry's merge adds it: see syncPair.)
      await this.patchReferral(referral, [{ op: "add", path: "/externalReferenceId", value: opportunityId }]);
    }
    this.deps.logger.info({ opportunityId, referralId: referral.id, accountId }, "opportunity created from referral");
    this.deps.onReferralImported?.(referral, opportunityId);
    return "synced";
  }

  /** DESIGN.md 5 account matching; contacts of the customer's team are matched by e-mail or created. */
  private async matchOrCreateAccount(referral: Referral): Promise<string | null> {
    const profile = referral.customerProfile;
    if (!profile) return null;
    const customer = customerProfileToFields(profile);
    const team = profile.team ?? [];
    const emails = team.map((m) => m.email).filter((e): e is string => typeof e === "string" && e !== "");
    // One customer at a time: matching then creating must not interleave for the same customer.
    const customerKey = `${normalizeCompanyName(customer.name) ?? ""}|${customer.country ?? ""}`;
    return this.customerLock.run(customerKey, () => this.matchOrCreateAccountLocked(customer, team, emails));
  }

  private async matchOrCreateAccountLocked(customer: AccountFields, team: readonly Member[], emails: readonly string[]): Promise<string> {
    const { crm } = this.deps;
    const rows = await crm.accountCandidates(customer.name, customer.postalCode);
    const candidates: AccountCandidate[] = rows.map((row) => ({
      ...accountToFields(row.record, this.deps.mapping?.account),
      id: row.id,
      createdOn: text(row.record[AccountColumns.modifiedOn]),
    }));
    const match = matchAccount({ customer, contactEmails: emails }, candidates);
    const existing = await crm.contactsByEmail(emails);
    const contactMapping = this.deps.mapping?.contact;
    const plan = matchTeamToContacts(team, existing.map((c) => c.record), contactMapping);
    // A new customer's account and contacts in one request (deep insert), when contacts hang off parentcustomerid.
    if (match.kind !== "matched" && (contactMapping?.parentCustomer ?? ContactColumns.parentCustomer) === ContactColumns.parentCustomer) {
      const contacts = plan.toCreate.map((member) => contactCreateBody(member, null, contactMapping));
      return crm.createAccountWithContacts(accountCreateBody(customer, this.deps.mapping?.account), contacts);
    }
    const accountId = match.kind === "matched" ? match.accountId : await crm.createAccount(accountCreateBody(customer, this.deps.mapping?.account));
    for (const member of plan.toCreate) await crm.createContact(contactCreateBody(member, accountId, contactMapping));
    return accountId;
  }

  // ---- both sides exist: three-way merge ----------------------------------------------------------

  private async syncPair(opportunity: CrmRow, referral: Referral, link: LinkRecord | null, options: SyncPairOptions): Promise<JobOutcome> {
    const { columnTimes, microsoftCrmId, awaitWriteTimes } = options;
    const { store, crm } = this.deps;
    const key = link?.key ?? opportunityLinkKey(opportunity.id);
    if (!link || link.opportunityId !== opportunity.id || link.referralId !== referral.id) {
      await store.saveLink({ key, opportunityId: opportunity.id, referralId: referral.id, accountId: opportunityAccountId(opportunity.record) });
    }
    if (!this.syncIsOn(opportunity)) {
      // "Stop syncing": the pair stays linked (turning the switch back on resumes), nothing flows.
      if (opportunity.record[C.syncStatus] !== SyncStatus.NotSynced) {
        await crm.updateOpportunity(opportunity.id, opportunity.etag, { [C.syncStatus]: SyncStatus.NotSynced, [C.syncError]: null });
        return "synced";
      }
      return "skipped";
    }

    const ctx = await this.mappingContext();
    let base = await store.getBase(key);
    if (base) await this.recoverAuditLines(key, opportunity);
    const pcFields = referralToMappedFields(referral);
    const crmFields = opportunityToMappedFields(opportunity.record, ctx);
    const crmSide = opportunitySide(crmFields, pcFields);
    // Our own referral, found after a crash between creating it and writing its id back: it holds
    // what we sent, so it is the base; whatever the seller changed since is then pushed normally.
    const recoveredShare = !base && referral.externalReferenceId === opportunity.id && referral.direction !== "Incoming";
    // Likewise an opportunity our import created, when the crash came before its base: if the
    // referral has not changed since the opportunity was created (createdon is whole seconds), the
    // referral is what the import copied, and what differs on the opportunity is the seller's.
    const createdOn = Date.parse(text(opportunity.record[S.createdOn]) ?? "");
    const recoveredImport =
      !base && !recoveredShare && opportunity.record[C.referralIdentifier] === referral.id &&
      !Number.isNaN(createdOn) && Date.parse(referral.updatedDateTime ?? "") <= createdOn + CLOCK_RESOLUTION_MS.crm - 1;
    const extraAudit: AuditEntry[] = recoveredShare
      ? [this.audit(AUDIT_DIRECTIONS.toPartnerCenter, "linked", `referral ${referral.id} found after an interrupted share and linked`)]
      : recoveredImport
        ? [this.audit(AUDIT_DIRECTIONS.toCrm, "linked", `opportunity found after an interrupted import of ${referral.id} and linked`)]
        : [];
    // Committed at once, like the share's own base: an interruption after the opportunity shows the
    // referral must not let the retry take a later Partner Center edit for what we sent.
    if (recoveredShare || recoveredImport) base = await store.commitSync(key, { base: pcFields, audit: extraAudit, expectedVersion: null });
    // Every read is an observation of when each field got its value on each side (field-clock.ts):
    // a conflict is then decided by the field's own change, not by the record's last one.
    // Dataverse's webhooks tell when each column was written, to the millisecond (modifiedon: seconds).
    const writtenAt = this.fieldWriteTimes(columnTimes);
    const referralChanges = await store.referralChangeTimes(referral.id);
    const clocks = await store.updateFieldClocks(key, (known) => ({
      ...known,
      crm: observeSide(known?.crm ?? null, crmSide, text(opportunity.record[S.modifiedOn]), {
        resolutionMs: CLOCK_RESOLUTION_MS.crm,
        writtenAt,
        ownWrites: known?.crmOwnWrites,
        readAt: opportunity.readAt,
      }),
      partnerCenter: observeSide(known?.partnerCenter ?? null, pcFields, referral.updatedDateTime, { changeTimes: referralChanges }),
    }));
    // A push of ours that a crash kept from its commit: where Partner Center holds what we pushed, that
    // is the base (our write, not a Partner Center edit newer than the seller's). Committed before this
    // merge notes a push of its own over it: if that push fails, the retry must still know the first.
    if (base?.pendingPush) {
      base = await store.commitSync(key, { base: withLandedPush(base.fields, base.pendingPush, pcFields), audit: [], expectedVersion: base.version });
    }
    const merge = mergeLink({
      base: base?.fields ?? null,
      clocks,
      crm: crmSide,
      partnerCenter: pcFields,
      crmModifiedAt: text(opportunity.record[S.modifiedOn]),
      partnerCenterModifiedAt: referral.updatedDateTime ?? null,
      at: this.now().toISOString(),
      policy: this.deps.currentPolicy ? this.deps.currentPolicy() : this.deps.policy,
      partnerCenterHasCustomerContact: (referral.customerProfile?.team?.length ?? 0) > 0,
    });
    // A close Partner Center needs a reason for, given none on the record: the seller is asked for one
    // and nothing is written until then (cosell-rules.ts).
    const reasonMissing = closeReasonMissing(merge);
    if (reasonMissing) {
      await this.writeError(opportunity, reasonMissing[1033]);
      return "skipped";
    }
    const wonTooSoon = wonTooSoonWarning(merge, referral.createdDateTime, this.now().toISOString());
    if (wonTooSoon) this.deps.logger.warn({ referralId: referral.id, opportunityId: opportunity.id }, wonTooSoon.detail);

    this.deps.logger.debug(
      {
        linkKey: key,
        baseVersion: base?.version ?? null,
        // How many opportunity columns had a known write time before the read (0: none, or the job found the opportunity another way).
        columnTimesKnown: Object.keys(columnTimes).length,
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
    // Nothing written yet: where a conflict's verdict hangs on an opportunity write whose webhook has
    // not come in yet, wait a moment for it and merge again with its exact time. (Also when no webhook
    // told of this opportunity yet: deliveries held back while the backend restarted arrive late.)
    if (awaitWriteTimes && merge.conflicts.some((c) => c.awaitsCrmWriteTime)) {
      await this.awaitNewerWrite(opportunity.id, columnTimes);
      throw new AwaitedWriteTimeError(opportunity.id);
    }
    let current = referral;
    const pcOperations = referralPatchOperations(merge.partnerCenterPatch, referral);
    if (!referral.externalReferenceId && !isMicrosoftSide(referral) && !isTerminalStatus(pcFields.status)) {
      // An import interrupted before it told Partner Center which opportunity holds the referral
      // (a closed referral accepts no update: it stays without, the store keeps the link).
      pcOperations.push({ op: "add", path: "/externalReferenceId", value: opportunity.id });
    }
    if (pcOperations.length > 0) {
      if (base && Object.keys(merge.partnerCenterPatch).length > 0) await store.notePendingPush(key, base.version, merge.partnerCenterPatch);
      current = await this.patchReferral(referral, pcOperations);
      const written = current;
      await store.updateFieldClocks(key, (known) => ({
        ...known,
        crm: known?.crm ?? null,
        partnerCenter: observeSide(known?.partnerCenter ?? null, referralToMappedFields(written), written.updatedDateTime),
      }));
    }
    const pushed = Object.keys(merge.partnerCenterPatch).length > 0;
    const pushedAudit = merge.audit.filter((e) => e.direction === AUDIT_DIRECTIONS.toPartnerCenter && e.action !== "refused");
    if (base && pushed) {
      // What went to Partner Center is now on both sides: it joins the base at once, so that if the
      // opportunity's write below fails (a 412 because the seller saved again, a crash), the retry
      // does not take our own write for a Partner Center edit and revert the seller's newer value.
      base = await store.commitSync(key, { base: { ...base.fields, ...merge.partnerCenterPatch }, audit: pushedAudit, expectedVersion: base.version });
    }

    const update = opportunityUpdateFromMerge(merge.crmPatch, merge.base, opportunity.record, ctx);
    const body: Record<string, unknown> = { ...update.body, ...this.linkColumns(current, opportunity, microsoftCrmId) };
    const syncRequested = this.syncRequestedSinceLastSync(opportunity);
    const statusStale = opportunity.record[C.syncStatus] !== SyncStatus.Synced || opportunity.record[C.syncError] != null;
    const audit = [...extraAudit, ...merge.audit, ...(wonTooSoon ? [wonTooSoon] : [])];
    const crmWrite = Object.keys(body).length > 0 || audit.length > 0 || syncRequested || statusStale;
    if (crmWrite) {
      await crm.updateOpportunity(opportunity.id, opportunity.etag, { ...body, ...this.syncedColumns(opportunity, audit) });
      await this.noteOwnCrmWrites(key, merge.crmPatch);
    }
    // Both sides now hold the merge: it is the base, with its audit lines, before the close below can
    // fail. (The close needs no base of its own: every merge asks for it again while the opportunity's
    // state differs from a closed status, so a failed close is simply retried.)
    // Also when nothing was written but the base is behind what both sides hold (a crash after our
    // last write, before its commit): a stale base would make the next edit look like a conflict.
    if (crmWrite || pcOperations.length > 0 || !base || !sameFields(base.fields, merge.base)) {
      const remaining = [...(base && pushed ? merge.audit.filter((e) => !pushedAudit.includes(e)) : merge.audit), ...(wonTooSoon ? [wonTooSoon] : [])];
      await store.commitSync(key, { base: merge.base, audit: remaining, expectedVersion: base?.version ?? null });
    }
    await this.inviteMicrosoftIfDue(key, current);
    if (update.close) {
      await this.closeOpportunity(opportunity, update.close, merge.base.statusReason);
      await this.noteOwnCrmWrites(key, { status: merge.base.status });
    }
    return crmWrite || pcOperations.length > 0 || update.close ? "synced" : "unchanged";
  }

  /** Our write is not one of the changes a Partner Center user made (FieldClock's changeTimes). */
  private async noteOwnReferralChange(written: Referral): Promise<void> {
    const at = Date.parse(written.updatedDateTime ?? "");
    if (!Number.isNaN(at)) await this.deps.store.recordReferralChange(written.id, at, true);
  }

  /**
   * Notes what we just wrote to the opportunity (LinkFieldClocks.crmOwnWrites), timed when Dataverse
   * acknowledged it: after the write, so another's write known from before it is never taken for the
   * next value's (our clock and Dataverse's are taken to agree within that round trip).
   */
  private async noteOwnCrmWrites(key: string, fields: Partial<MappedFields>): Promise<void> {
    if (Object.keys(fields).length === 0) return;
    const at = Date.now();
    await this.deps.store.updateFieldClocks(key, (known) => ({
      crm: known?.crm ?? null,
      partnerCenter: known?.partnerCenter ?? null,
      crmOwnWrites: noteOwnWrites(known?.crmOwnWrites, fields, at),
    }));
  }

  /** Waits (briefly) until a webhook tells of an opportunity write newer than those in `known`. */
  private async awaitNewerWrite(opportunityId: string, known: Readonly<Record<string, number>>): Promise<void> {
    const newest = Math.max(Number.NEGATIVE_INFINITY, ...Object.values(known));
    const deadline = Date.now() + WRITE_TIME_WAIT_MS;
    while (Date.now() < deadline) {
      const times = await this.deps.store.columnChangeTimes(opportunityId);
      if (Object.values(times).some((t) => t > newest)) return;
      await new Promise((resolve) => setTimeout(resolve, WRITE_TIME_POLL_MS));
    }
    this.deps.logger.debug({ opportunityId }, "no webhook for the opportunity's last write; the conflict is decided by its second");
  }

  private fieldWriteTimes(columnTimes: Readonly<Record<string, number>>): Partial<Record<MappedFieldName, number>> {
    return fieldWriteTimes(columnTimes, (this.deps.mapping ?? DEFAULT_MAPPING).opportunity);
  }

  /**
   * Audit lines our last write put on the opportunity but a crash kept from the store's full log
   * (the store commits right after that write): copied over, so the log misses nothing the form shows.
   */
  private async recoverAuditLines(key: string, opportunity: CrmRow): Promise<void> {
    const onRecord = (text(opportunity.record[C.audit]) ?? "")
      .split("\n")
      .slice(0, RECOVERABLE_AUDIT_LINES)
      .map(parseAuditLine)
      .filter((entry): entry is AuditEntry => entry !== null);
    if (onRecord.length === 0) return;
    const stored = await this.deps.store.listAudit(key, RECOVERABLE_AUDIT_LINES * 2);
    const known = new Set(stored.map(formatAuditLine));
    const newestStored = stored[0] ? Date.parse(formatAuditTime(stored[0].at)) : Number.NEGATIVE_INFINITY;
    const missing = onRecord.filter((entry) => !known.has(formatAuditLine(entry)) && Date.parse(entry.at) >= newestStored);
    if (missing.length > 0) await this.deps.store.appendAudit(key, missing.reverse());
  }

  /** Win/LoseOpportunity; "already closed" means someone closed it meanwhile: a race, merged again. */
  private async closeOpportunity(opportunity: CrmRow, close: NonNullable<ReturnType<typeof opportunityUpdateFromMerge>["close"]>, reason: string | null): Promise<void> {
    try {
      await this.deps.crm.closeOpportunity(opportunity.id, close.outcome, close.statusCode, reason);
    } catch (error) {
      if (!(error instanceof DataverseError) || error.status !== 400) throw error;
      const now = await this.deps.crm.getOpportunity(opportunity.id);
      if (now && now.record[S.stateCode] !== opportunity.record[S.stateCode]) throw new OpportunityChangedError(opportunity.id, error);
      throw error;
    }
  }

  private syncRequestedSinceLastSync(opportunity: CrmRow): boolean {
    const requested = text(opportunity.record[C.syncRequestedOn]);
    if (!requested) return false;
    const last = text(opportunity.record[C.lastSyncedOn]);
    return !last || Date.parse(requested) > Date.parse(last);
  }

  /** Identifier, link and direction columns, only where they differ from what the record holds. */
  private linkColumns(referral: Referral, opportunity: CrmRow, microsoftCrmId: string | null = null): Record<string, unknown> {
    const msxId = text(referral.trackingInfo?.microsoftMsxId);
    const wanted: Record<string, unknown> = {
      ...(microsoftCrmId ? { [C.microsoftCrmIdentifier]: microsoftCrmId } : {}),
      // Partner Center's own record of the Microsoft seller's opportunity; read-only, shown in the section.
      ...(msxId ? { [C.microsoftMsxId]: msxId } : {}),
      [C.referralIdentifier]: referral.id,
      [C.referralLink]: this.deps.referralLink(referral.id),
      [C.referralDirection]: referral.direction === "Incoming" ? ReferralDirection.Incoming : ReferralDirection.Outgoing,
    };
    const body: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(wanted)) if (opportunity.record[column] !== value) body[column] = value;
    return body;
  }

  private syncedColumns(opportunity: CrmRow, entries: readonly AuditEntry[]): Record<string, unknown> {
    const body: Record<string, unknown> = {
      [C.syncStatus]: SyncStatus.Synced,
      [C.syncError]: null,
      [C.lastSyncedOn]: this.now().toISOString(),
    };
    if (entries.length > 0) body[C.audit] = prependAuditLines(text(opportunity.record[C.audit]), entries);
    return body;
  }

  private async writeError(opportunity: CrmRow, message: string): Promise<void> {
    if (opportunity.record[C.syncStatus] === SyncStatus.Error && opportunity.record[C.syncError] === message) return;
    const entry = this.audit(AUDIT_DIRECTIONS.toPartnerCenter, "error", message);
    await this.deps.crm.updateOpportunity(opportunity.id, opportunity.etag, {
      [C.syncStatus]: SyncStatus.Error,
      [C.syncError]: message,
      [C.audit]: prependAuditLines(text(opportunity.record[C.audit]), [entry]),
    });
  }
}

/** Where an imported referral came from, for the audit line. */
function referralOrigin(referral: Referral): string {
  if (referral.direction !== "Incoming") return "the Partner Center deal";
  // Marketplace leads have no inviter (invitedBy.organizationId null); Microsoft's referrals name "msft".
  const inviter = referral.inviteContext?.invitedBy?.organizationId;
  return inviter ? "Microsoft's referral" : "the marketplace lead";
}

interface SyncPairOptions {
  /** The opportunity's column write times as known before it was read (empty: none known). */
  readonly columnTimes: Readonly<Record<string, number>>;
  /** Microsoft's own CRM id, when the job came from Microsoft's side of the engagement. */
  readonly microsoftCrmId: string | null;
  /** Whether a conflict that the opportunity write's webhook would decide may wait for it (once per job). */
  readonly awaitWriteTimes: boolean;
}

/**
 * The opportunity's mapped fields as the merge compares them: a status choice never set has no
 * opinion yet and takes the referral's. (Right after a share, before the write-back, this is also the
 * base: the opportunity still holds its own values where Partner Center made a value its own.)
 */
function opportunitySide(opportunity: MappedFields, referral: MappedFields): MappedFields {
  return opportunity.status === null ? { ...opportunity, status: referral.status } : opportunity;
}

/** The base with the fields of an uncommitted push that Partner Center holds (they did land). */
function withLandedPush(base: MappedFields, push: Partial<MappedFields>, partnerCenter: MappedFields): MappedFields {
  const landed: Record<string, unknown> = {};
  for (const field of MAPPED_FIELD_NAMES) {
    if (field in push && sameFieldValue(field, push[field] as never, partnerCenter[field])) landed[field] = partnerCenter[field];
  }
  return { ...base, ...landed } as MappedFields;
}

function sameFields(a: MappedFields, b: MappedFields): boolean {
  return MAPPED_FIELD_NAMES.every((field) => sameFieldValue(field, a[field], b[field]));
}

/** The fields where `target` differs from `current`, as a patch. */
function diffFields(current: MappedFields, target: MappedFields): Partial<MappedFields> {
  const patch: Record<string, unknown> = {};
  for (const field of MAPPED_FIELD_NAMES) {
    if (!sameFieldValue(field, current[field], target[field])) patch[field] = target[field];
  }
  return patch as Partial<MappedFields>;
}

