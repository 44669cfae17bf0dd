/**
 * Finding a job's pair (sync/worker/pair-finder.ts) over the in-memory store and fake clients: a
 * record whose lock the job does not hold is an answer ("restart with these keys"), not an exception.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { OpportunityColumns as OC } from "../../entities";
import type { ReferralsClient } from "../../sync/partner-center/referrals-client";
import type { Referral } from "../../sync/partner-center/referral-types";
import type { Job } from "../../sync/store";
import type { CrmGateway, CrmRow } from "../../sync/worker/crm-gateway";
import { findPair, pairLockKeys } from "../../sync/worker/pair-finder";
import type { LinkSyncDependencies } from "../../sync/worker/story-context";
import { OPPORTUNITY_ID, REFERRAL_ID, opportunityRecord, referral } from "../engine/engine-fixtures";
import { InMemorySyncStore } from "../support/in-memory-sync-store";

const OPPORTUNITY_KEY = `opportunity:${OPPORTUNITY_ID}`;
const REFERRAL_KEY = `referral:${REFERRAL_ID}`;

function job(ids: { opportunityId?: string; referralId?: string }): Job {
  return {
    id: 1, linkKey: ids.opportunityId ? OPPORTUNITY_KEY : REFERRAL_KEY, opportunityId: ids.opportunityId ?? null, referralId: ids.referralId ?? null,
    reasons: ["test"], state: "running", attempts: 1, nextAttemptAt: 0, lastError: null, leaseOwner: "w", leaseExpiresAt: null, createdAt: 0, updatedAt: 0,
  };
}

function setup(records: { opportunity?: CrmRow | null; referrals?: Referral[] }) {
  const reads: string[] = [];
  const crm = {
    async getOpportunity(id: string) {
      reads.push(`opportunity ${id}`);
      return records.opportunity?.id === id ? records.opportunity : null;
    },
    async findOpportunityByReferralId(id: string) {
      reads.push(`opportunity by referral ${id}`);
      return records.opportunity?.record[OC.referralIdentifier] === id ? records.opportunity : null;
    },
  };
  const referrals = {
    async get(id: string) {
      reads.push(`referral ${id}`);
      const found = records.referrals?.find((r) => r.id === id);
      if (!found) throw Object.assign(new Error("not found"), { status: 404 });
      return found;
    },
    async *list() {
      yield* records.referrals ?? [];
    },
    async findByExternalReferenceId(id: string) {
      return records.referrals?.find((r) => r.externalReferenceId === id) ?? null;
    },
  };
  const deps: LinkSyncDependencies = {
    store: new InMemorySyncStore(),
    crm: crm as unknown as CrmGateway,
    referrals: referrals as unknown as ReferralsClient,
    referralLink: (id) => id,
    logger: pino({ level: "silent" }),
  };
  return { deps, reads };
}

const opportunityRow = (): CrmRow => ({ id: OPPORTUNITY_ID, etag: 'W/"1"', record: opportunityRecord({ [OC.referralIdentifier]: REFERRAL_ID }) });

describe("findPair", () => {
  it("an opportunity's job that reaches its referral without holding its lock is told to restart with the referral's key", async () => {
    const { deps } = setup({ opportunity: opportunityRow(), referrals: [referral()] });
    const held = new Set(pairLockKeys(OPPORTUNITY_ID, null));
    expect(await findPair(deps, job({ opportunityId: OPPORTUNITY_ID }), held, {})).toEqual({ kind: "restart", keys: [REFERRAL_KEY] });
  });

  it("holding both locks, the same job finds the pair", async () => {
    const { deps } = setup({ opportunity: opportunityRow(), referrals: [referral()] });
    const held = new Set(pairLockKeys(OPPORTUNITY_ID, REFERRAL_ID));
    const found = await findPair(deps, job({ opportunityId: OPPORTUNITY_ID }), held, {});
    expect(found.kind).toBe("found");
    expect(found.kind === "found" && [found.pair.opportunity?.id, found.pair.referral?.id]).toEqual([OPPORTUNITY_ID, REFERRAL_ID]);
  });

  it("Microsoft's side of an engagement with no side of ours is nothing to sync", async () => {
    const microsoftSide = referral({ id: "7a1e0c52-0000-4000-8000-0000000000ff", target: [{ id: "msft", type: "None" }] } as Partial<Referral>);
    const { deps } = setup({ referrals: [microsoftSide] });
    const result = await findPair(deps, job({ referralId: microsoftSide.id }), new Set(pairLockKeys(null, microsoftSide.id)), {});
    expect(result).toEqual({ kind: "nothing" });
  });

  it("the backfill's listed referral and its opportunity lookup stand in for the reads", async () => {
    const listed = referral({ externalReferenceId: null });
    const { deps, reads } = setup({ opportunity: opportunityRow(), referrals: [listed] });
    const held = new Set(pairLockKeys(OPPORTUNITY_ID, REFERRAL_ID));
    const found = await findPair(deps, job({ referralId: REFERRAL_ID }), held, { referral: listed, opportunityOfReferral: null });
    // The page's lookup said no opportunity carries the referral: none is looked for again.
    expect(found.kind === "found" && found.pair.opportunity).toBeNull();
    expect(reads).toEqual([]);
  });
});
