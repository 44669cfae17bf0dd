/**
 * Story: CRM → Partner Center, first share. An opportunity with "Sync with Partner Center" on and no
 * referral becomes a referral (checked first against Partner Center's rules: nothing is sent while
 * the record cannot pass), Microsoft is invited where the deal is co-sell, and Partner Center's own
 * values are written back to the opportunity.
 */
import { OpportunityStandardColumns as S } from "../../entities";
import {
  AUDIT_DIRECTIONS,
  accountToFields,
  coSellDetailsFromRecord,
  contactsToTeam,
  customerProfileFromAccount,
  formatPreflightProblems,
  opportunityToMappedFields,
  opportunityUpdateFromMerge,
  preflightReferralCreate,
  referralCreateFromOpportunity,
  referralToMappedFields,
} from "../engine";
import { opportunityLinkKey } from "../store";
import type { JobOutcome } from "../queue/worker-pool";
import { opportunityAccountId, type CrmRow } from "./crm-gateway";
import { inviteMicrosoftAtShare } from "./invite-microsoft.story";
import { diffFields } from "./mapped-field-diff";
import { linkColumns, syncedColumns, writeError } from "./opportunity-columns";
import { commitSharedBase, commitWriteBack, noteOwnCrmWrites, noteOwnReferralChange, observeShare } from "./recovery-rules";
import { auditEntry, mappingContext, syncIsOn, text, writeTimesOfFields, type StoryContext } from "./story-context";

/** `columnTimes`: the opportunity's column write times known before it was read (empty: none known). */
export async function shareOpportunity(ctx: StoryContext, opportunity: CrmRow, columnTimes: Readonly<Record<string, number>>): Promise<JobOutcome> {
  if (!syncIsOn(opportunity)) return "skipped";
  const { crm, referrals, store, logger } = ctx.deps;
  const mappingCtx = await mappingContext(ctx);
  const { mapping } = mappingCtx;
  const fields = opportunityToMappedFields(opportunity.record, mappingCtx);
  const accountId = opportunityAccountId(opportunity.record);
  const account = accountId ? await crm.getAccount(accountId) : null;
  // The contact the seller picked on the form comes first; the account's other contacts follow.
  const pickedId = text(opportunity.record[`_${S.parentContact}_value`]);
  const picked = pickedId ? await crm.getContact(pickedId) : null;
  const accountContacts = accountId ? await crm.contactsOfAccount(accountId) : [];
  const contacts = [...(picked ? [picked] : []), ...accountContacts.filter((c) => c.id !== picked?.id)];
  const customerProfile = customerProfileFromAccount(
    accountToFields(account?.record ?? {}, mapping?.account),
    contactsToTeam(contacts.map((c) => c.record), mapping?.contact),
  );
  const body = referralCreateFromOpportunity({ opportunityId: opportunity.id, fields, customerProfile, coSell: coSellDetailsFromRecord(opportunity.record) });
  const problems = preflightReferralCreate(body);
  if (problems.length > 0) {
    // Nothing is sent to Partner Center: the seller fixes the record and saves again.
    await writeError(ctx, opportunity, formatPreflightProblems(problems));
    return "skipped";
  }
  const created = await referrals.create(body);
  await noteOwnReferralChange(store, created);
  const key = opportunityLinkKey(opportunity.id);
  await store.saveLink({ key, opportunityId: opportunity.id, referralId: created.id, accountId });
  logger.info({ opportunityId: opportunity.id, referralId: created.id }, "referral created");
  const pcFields = referralToMappedFields(created);
  const entry = auditEntry(ctx, AUDIT_DIRECTIONS.toPartnerCenter, "created", `referral ${created.id} shared with Microsoft`);
  const shared = await commitSharedBase(store, key, { opportunity: fields, referral: pcFields, entry });
  await observeShare(store, key, { fields, row: opportunity, writtenAt: writeTimesOfFields(ctx, columnTimes) }, created, pcFields);
  await inviteMicrosoftAtShare(ctx, key, created);

  const patch = diffFields(fields, pcFields);
  const update = opportunityUpdateFromMerge(patch, pcFields, opportunity.record, mappingCtx);
  await crm.updateOpportunity(opportunity.id, opportunity.etag, {
    ...update.body,
    ...linkColumns(created, opportunity, ctx.deps.referralLink),
    ...syncedColumns(opportunity, [entry], ctx.now()),
  });
  await noteOwnCrmWrites(store, key, patch);
  await commitWriteBack(store, key, shared, pcFields, patch);
  return "synced";
}
