/**
 * Status mapping between a Partner Center referral (status/substatus) and the opportunity
 * (pcc_referralstatus choice + the opportunity's own state). docs/DESIGN.md 5: Won/Lost reach Dataverse
 * only through the WinOpportunity / LoseOpportunity actions, so the engine answers "close as won /
 * lost" and the Dataverse client runs the action. The D365 side of the table follows reference 3.4
 * (inferred there, not confirmed): Lost → Out-Sold, Declined/Expired → Canceled.
 */
import { OpportunityState, OpportunityStatusCode, ReferralStatus as ReferralStatusOption } from "../../entities";
import { checkStatusChange, type StatusChangeCheck } from "../partner-center/referral-types";
import type { StatusPair } from "./mapped-fields";

type ReferralStatusOptionValue = (typeof ReferralStatusOption)[keyof typeof ReferralStatusOption];

const PAIRS: readonly (readonly [ReferralStatusOptionValue, StatusPair])[] = [
  [ReferralStatusOption.NewPending, { status: "New", substatus: "Pending" }],
  [ReferralStatusOption.NewReceived, { status: "New", substatus: "Received" }],
  [ReferralStatusOption.ActiveAccepted, { status: "Active", substatus: "Accepted" }],
  [ReferralStatusOption.ClosedWon, { status: "Closed", substatus: "Won" }],
  [ReferralStatusOption.ClosedLost, { status: "Closed", substatus: "Lost" }],
  [ReferralStatusOption.ClosedDeclined, { status: "Closed", substatus: "Declined" }],
  [ReferralStatusOption.ClosedExpired, { status: "Closed", substatus: "Expired" }],
  [ReferralStatusOption.ClosedError, { status: "Closed", substatus: "Error" }],
];

/** pcc_referralstatus value for a pair; null for None/None or an undocumented pair (no choice fits). */
export function statusToOption(pair: StatusPair | null): ReferralStatusOptionValue | null {
  if (!pair) return null;
  const hit = PAIRS.find(([, p]) => p.status === pair.status && p.substatus === pair.substatus);
  return hit ? hit[0] : null;
}

export function optionToStatus(value: unknown): StatusPair | null {
  const hit = PAIRS.find(([v]) => v === value);
  return hit ? hit[1] : null;
}

/** The referral's status as Partner Center reports it; None/None means "no status yet". */
export function referralStatusPair(status: StatusPair["status"], substatus: StatusPair["substatus"]): StatusPair | null {
  return status === "None" ? null : { status, substatus };
}

/**
 * The status the opportunity side asks for. A seller closes an opportunity through the standard
 * Close dialog, which changes statecode but not our choice column, so the state wins over a stale
 * pcc_referralstatus: Won → Closed/Won; Lost → Closed/Lost unless the choice already says
 * Declined or Expired (those are also stored as a lost opportunity).
 */
export function opportunityStatusPair(referralStatusOption: unknown, stateCode: unknown): StatusPair | null {
  const fromChoice = optionToStatus(referralStatusOption);
  if (stateCode === OpportunityState.Won) return { status: "Closed", substatus: "Won" };
  if (stateCode === OpportunityState.Lost) {
    if (fromChoice?.status === "Closed" && fromChoice.substatus !== "Won") return fromChoice;
    return { status: "Closed", substatus: "Lost" };
  }
  return fromChoice;
}

export interface OpportunityClose {
  readonly outcome: "won" | "lost";
  /** statuscode to pass to WinOpportunity / LoseOpportunity. */
  readonly statusCode: number;
}

/**
 * What must happen to the opportunity's state for a referral status, given its current statecode:
 * null when nothing (still open, or already closed the same way).
 */
export function opportunityCloseFor(pair: StatusPair | null, currentStateCode: unknown): OpportunityClose | null {
  if (!pair || pair.status !== "Closed") return null;
  if (pair.substatus === "Won") {
    return currentStateCode === OpportunityState.Won ? null : { outcome: "won", statusCode: OpportunityStatusCode.Won };
  }
  if (currentStateCode === OpportunityState.Lost) return null;
  const statusCode = pair.substatus === "Lost" ? OpportunityStatusCode.OutSold : OpportunityStatusCode.Canceled;
  return { outcome: "lost", statusCode };
}

/**
 * May Partner Center move from `from` to `to`? Unchanged is always fine (nothing is sent); otherwise
 * the documented transition table decides (Closed is terminal).
 */
export function checkPartnerCenterTransition(from: StatusPair | null, to: StatusPair | null): StatusChangeCheck {
  if (to === null) return { ok: false, reason: "a referral's status cannot be cleared" };
  if (from === null) return { ok: true };
  if (from.status === to.status && from.substatus === to.substatus) return { ok: true };
  return checkStatusChange(from, to);
}

export function isTerminalStatus(pair: StatusPair | null): boolean {
  return pair?.status === "Closed";
}
