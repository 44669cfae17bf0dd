/**
 * Finds both records of a job's pair: the link's or the job's ids first, then whatever the found side
 * names (the opportunity's referral id, the referral's opportunity, our own referral behind
 * Microsoft's side, a referral a crash kept from the opportunity). A record whose pair lock the job
 * does not hold is an expected outcome, not a failure: the answer says to restart with its key.
 */
import { OpportunityColumns as C, OpportunityStandardColumns as S } from "../../entities";
import { quote } from "../partner-center/referrals-client";
import { isMicrosoftSide, type Referral } from "../partner-center/referral-types";
import type { Job, LinkRecord } from "../store";
import type { CrmRow } from "./crm-gateway";
import { getReferral } from "./referral-writes";
import { syncIsOn, text, type LinkSyncDependencies } from "./story-context";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Records the caller already read, used instead of a read on the first round (the backfill's). */
export interface PrefetchedRecords {
  /**
   * The referral as a list page just returned it. Safe with a stale copy: every write to Partner
   * Center is conditional on its eTag, so a referral changed since the list becomes a 412 and the
   * next round reads it afresh.
   */
  readonly referral?: Referral;
  /**
   * The opportunity carrying `referral`'s id (null: none), as the backfill looked it up for a whole
   * page of referrals in one query; it stands in for the lookup by referral id. Undefined: not looked up.
   */
  readonly opportunityOfReferral?: CrmRow | null;
}

export interface FoundPair {
  readonly link: LinkRecord | null;
  readonly opportunity: CrmRow | null;
  readonly referral: Referral | null;
  /** The opportunity's column write times, taken before it was read (empty: none, or it was found another way). */
  readonly columnTimes: Readonly<Record<string, number>>;
  /** Microsoft's own CRM id, when the job came from Microsoft's side of the engagement. */
  readonly microsoftCrmId: string | null;
}

export type PairSearch =
  | { readonly kind: "found"; readonly pair: FoundPair }
  /** The pair includes records whose locks the job does not hold: take them too and start over. */
  | { readonly kind: "restart"; readonly keys: readonly string[] }
  /** Microsoft's side of an engagement with no side of ours: nothing to sync. */
  | { readonly kind: "nothing" };

/** The pair-lock keys of the records a job knows of. */
export function pairLockKeys(opportunityId: string | null | undefined, referralId: string | null | undefined): string[] {
  return [...(opportunityId ? [`opportunity:${opportunityId}`] : []), ...(referralId ? [`referral:${referralId}`] : [])];
}

export async function resolveLink(store: LinkSyncDependencies["store"], job: Job): Promise<LinkRecord | null> {
  return (
    (await store.getLink(job.linkKey)) ??
    (job.opportunityId ? await store.findLinkByOpportunityId(job.opportunityId) : null) ??
    (job.referralId ? await store.findLinkByReferralId(job.referralId) : null)
  );
}

export async function findPair(deps: LinkSyncDependencies, job: Job, held: ReadonlySet<string>, prefetched: PrefetchedRecords): Promise<PairSearch> {
  const { crm, referrals, store } = deps;
  const listed = prefetched.referral;
  let link = await resolveLink(store, job);
  let opportunityId = link?.opportunityId ?? job.opportunityId;
  let referralId = link?.referralId ?? job.referralId;

  // The column write times the webhooks told us of, taken before the read: each of those writes is
  // in the record we read then. Taken after, they could include a write the read missed, and the
  // field clock would file that write's time under the older value (field-clock.ts).
  let columnTimes = opportunityId ? await store.columnChangeTimes(opportunityId) : {};
  let opportunity = opportunityId ? await crm.getOpportunity(opportunityId) : null;
  if (!referralId && opportunity) referralId = text(opportunity.record[C.referralIdentifier]);
  let referral = referralId ? (listed?.id === referralId ? listed : await getReferral(referrals, referralId)) : null;
  // A related-referral event names Microsoft's side of an engagement: sync our side instead, and
  // keep Microsoft's own CRM id for the opportunity. Microsoft's side never becomes an opportunity.
  let microsoftCrmId: string | null = null;
  if (referral && isMicrosoftSide(referral)) {
    microsoftCrmId = text(referral.externalReferenceId);
    referral = await ourSideOf(deps, referral);
    if (!referral) return { kind: "nothing" };
  }

  if (!opportunity && referral && !opportunityId) {
    // Reached through Microsoft's side (or a referral-only job): our referral's link names the
    // opportunity, read by id after its write times, as above.
    const ours = await store.findLinkByReferralId(referral.id);
    if (ours?.opportunityId) {
      link = ours;
      opportunityId = ours.opportunityId;
      columnTimes = await store.columnChangeTimes(opportunityId);
      opportunity = await crm.getOpportunity(opportunityId);
    }
  }
  if (!opportunity && referral) {
    const looked = prefetched.opportunityOfReferral;
    opportunity = looked !== undefined && referral === listed ? looked : await crm.findOpportunityByReferralId(referral.id);
    // Our own outgoing referral whose id never made it back to the opportunity.
    const external = referral.externalReferenceId;
    if (!opportunity && external && GUID.test(external)) opportunity = await crm.getOpportunity(external);
  }
  if (opportunity && !referral && syncIsOn(opportunity)) {
    // A crash after creating the referral but before writing its id back: find it, don't re-create.
    const notBefore = text(opportunity.record[S.createdOn]) ?? undefined;
    referral = (await referrals.findByExternalReferenceId(opportunity.id, { notBefore })) ?? null;
  }

  const unheld = pairLockKeys(opportunity?.id, referral?.id).filter((key) => !held.has(key));
  if (unheld.length > 0) return { kind: "restart", keys: unheld };
  const knownWrites = opportunityId && opportunity?.id.toLowerCase() === opportunityId.toLowerCase() ? columnTimes : {};
  return { kind: "found", pair: { link, opportunity, referral, columnTimes: knownWrites, microsoftCrmId } };
}

/** Our referral on the engagement Microsoft's side belongs to, if we have one (links.relatedReferrals). */
async function ourSideOf(deps: LinkSyncDependencies, microsoftSide: Referral): Promise<Referral | null> {
  if (!microsoftSide.engagementId) return null;
  for await (const candidate of deps.referrals.list({ filter: `engagementId eq ${quote(microsoftSide.engagementId)}` })) {
    if (!isMicrosoftSide(candidate)) return candidate;
  }
  return null;
}
