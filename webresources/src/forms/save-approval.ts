/**
 * One-shot permission for the next save of a record to skip the co-sell check.
 *
 * The OnSave check needs an async read (the account's country) but OnSave handlers are synchronous
 * unless an app turns on async save handlers. So OnSave always cancels the first save, checks, and
 * saves again itself; the approval lets that second save (and the saves our own commands make
 * after checking, or which only answer a referral) through. It is tied to the record and expires
 * quickly, so a leftover approval can never wave an unrelated save through later.
 */
import { recordId, type FormContext } from "./form-values";

const APPROVAL_LIFETIME_MS = 30_000;

let approval: { record: string; until: number } | null = null;

export function approveNextSave(form: FormContext, now: number = Date.now()): void {
  approval = { record: recordId(form), until: now + APPROVAL_LIFETIME_MS };
}

/** True (and used up) when the next save of this record was approved and has not expired. */
export function consumeApproval(form: FormContext, now: number = Date.now()): boolean {
  const current = approval;
  approval = null;
  return current !== null && current.record === recordId(form) && now <= current.until;
}

export function withdrawApproval(): void {
  approval = null;
}
