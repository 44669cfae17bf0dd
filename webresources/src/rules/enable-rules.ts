/**
 * Custom enable rules for the command bar. They run often and synchronously, so they only read
 * the form. Record-level write privilege shows in the form type: the platform opens a record the
 * user may not change as Read Only (3) or Disabled (4), and a new record as Create (1); only
 * Update (2) is a saved record the user may write. (The ribbon adds declarative privilege rules
 * too; these checks keep the buttons right on forms where those rules are not evaluated.)
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { ReferralDirection, ReferralStatus } from "../../../entities/option-sets";
import { readBoolean, readOption, readText, type FormContext } from "../forms/form-values";

/** Xrm form types (XrmEnum.FormType is an ambient const enum, unusable under isolatedModules). */
export const FormType = { Create: 1, Update: 2, ReadOnly: 3, Disabled: 4 } as const;

/** Incoming referral statuses that still wait for the partner's answer. */
const AWAITING_ANSWER: readonly number[] = [ReferralStatus.NewPending, ReferralStatus.NewReceived];

export function isSavedAndWritable(form: FormContext): boolean {
  return form.ui.getFormType() === FormType.Update;
}

export function isSyncNowEnabled(form: FormContext): boolean {
  return isSavedAndWritable(form) && readBoolean(form, OpportunityColumns.syncWithPartnerCenter);
}

export function isOpenInPartnerCenterEnabled(form: FormContext): boolean {
  return isSavedAndWritable(form) && readText(form, OpportunityColumns.referralLink) !== "";
}

export function isAnswerReferralEnabled(form: FormContext): boolean {
  const status = readOption(form, OpportunityColumns.referralStatus);
  return (
    isSavedAndWritable(form) &&
    readOption(form, OpportunityColumns.referralDirection) === ReferralDirection.Incoming &&
    status !== null && AWAITING_ANSWER.includes(status)
  );
}

export function isStopSyncingEnabled(form: FormContext): boolean {
  return isSavedAndWritable(form) && readBoolean(form, OpportunityColumns.syncWithPartnerCenter);
}
