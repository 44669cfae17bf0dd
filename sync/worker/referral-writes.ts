/** Reads and conditional writes of a referral, with Partner Center's answers turned into values or races. */
import { PartnerCenterError } from "../partner-center/partner-center-error";
import type { ReferralsClient } from "../partner-center/referrals-client";
import type { Referral } from "../partner-center/referral-types";
import { noteOwnReferralChange, type RecoveryStore } from "./recovery-rules";
import { ReferralChangedError } from "./sync-errors";

/** The referral, or null when Partner Center has none by that id. */
export async function getReferral(referrals: Pick<ReferralsClient, "get">, id: string): Promise<Referral | null> {
  try {
    return await referrals.get(id);
  } catch (error) {
    if (error instanceof PartnerCenterError && error.status === 404) return null;
    throw error;
  }
}

/**
 * A conditional patch of the referral as we read it, marked as our own change. A refusal (4xx other
 * than 412) of a referral whose eTag moved since our read is a race, not a verdict on our patch:
 * re-read and merge again.
 */
export async function patchReferral(
  deps: { referrals: Pick<ReferralsClient, "get" | "patch">; store: RecoveryStore },
  read: Referral,
  operations: Parameters<ReferralsClient["patch"]>[1],
): Promise<Referral> {
  try {
    const written = await deps.referrals.patch(read.id, operations, { eTag: read.eTag });
    await noteOwnReferralChange(deps.store, written);
    return written;
  } catch (error) {
    if (!(error instanceof PartnerCenterError) || error.status !== 400) throw error;
    const now = await getReferral(deps.referrals, read.id);
    if (now && now.eTag !== read.eTag) throw new ReferralChangedError(read.id, error);
    throw error;
  }
}
