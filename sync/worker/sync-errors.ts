/**
 * The failures a sync round tells apart: a write that raced with someone else's (re-read and merge
 * again, up to the handler's round limit), and the wait for a webhook that would decide a conflict.
 */
import { DataverseError } from "../dataverse/dataverse-error";
import { PartnerCenterError } from "../partner-center/partner-center-error";
import { StaleBaseError } from "../store";

/**
 * Partner Center refused a conditional patch for a state it reached after we read the referral
 * (it checks "closed: no update" before the eTag, so a close racing our write is a 400, not a 412).
 */
export class ReferralChangedError extends Error {
  constructor(referralId: string, cause: unknown) {
    super(`referral ${referralId} changed while we wrote to it`, { cause });
    this.name = "ReferralChangedError";
  }
}

/** Dataverse refused to close an opportunity someone closed after we read it (400, not a 412). */
export class OpportunityChangedError extends Error {
  constructor(opportunityId: string, cause: unknown) {
    super(`opportunity ${opportunityId} was closed while we closed it`, { cause });
    this.name = "OpportunityChangedError";
  }
}

/**
 * A conflict's latest-wins verdict was a guess that the opportunity write's webhook would settle (its
 * time is finer than modifiedon's second): we waited for the webhook, and read both sides again.
 */
export class AwaitedWriteTimeError extends Error {
  constructor(opportunityId: string) {
    super(`waited for the write time of opportunity ${opportunityId} to decide a conflict`);
    this.name = "AwaitedWriteTimeError";
  }
}

/** Every round raced: the queue retries the job later. */
export class WriteRaceError extends Error {
  readonly retryable = true;
  constructor(cause: unknown) {
    super("the records kept changing while we synced them", { cause });
    this.name = "WriteRaceError";
  }
}

/** A write raced with someone else's (412, or another worker committed the base): re-read and merge again. */
export function isWriteRace(error: unknown): boolean {
  return (
    error instanceof StaleBaseError ||
    error instanceof ReferralChangedError ||
    error instanceof OpportunityChangedError ||
    (error instanceof PartnerCenterError && error.status === 412) ||
    (error instanceof DataverseError && error.status === 412)
  );
}
