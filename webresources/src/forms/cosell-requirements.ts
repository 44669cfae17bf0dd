/**
 * What Partner Center requires before it accepts a co-sell referral (docs/DESIGN.md section 5), checked
 * on the form so the seller hears about every gap at once, in plain words, before anything is
 * sent. The sync engine checks the same list on the server; this is the early, friendly copy.
 */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { ReferralDirection } from "../../../entities/option-sets";
import { AccountColumns, OpportunityStandardColumns, Tables } from "../../../entities/standard-tables";
import { AccountLookupError, describeError } from "../errors";
import type { ClientHost } from "../host/client-host";
import type { Messages } from "../messages/messages";
import { readBoolean, readDate, readLookup, readNumber, readOption, readText, type FormContext } from "./form-values";

/** A Partner Center co-sell solution id, e.g. SOL-12345-ABC. */
export const SOLUTION_ID_PATTERN = /^SOL-\d{5}-[A-Z]{3}$/;

export interface SolutionIds {
  valid: string[];
  invalid: string[];
}

/** Products holds one solution id per line; blank lines are ignored. */
export function parseSolutionIds(products: string): SolutionIds {
  const lines = products.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  return {
    valid: lines.filter((line) => SOLUTION_ID_PATTERN.test(line)),
    invalid: lines.filter((line) => !SOLUTION_ID_PATTERN.test(line)),
  };
}

/** The customer account: the parent account, else the customer when the customer is an account. */
export function customerAccount(form: FormContext): Xrm.LookupValue | null {
  const parent = readLookup(form, OpportunityStandardColumns.parentAccount);
  if (parent) return parent;
  const customer = readLookup(form, OpportunityStandardColumns.customer);
  return customer?.entityType === Tables.account.logicalName ? customer : null;
}

/** The customer contact: the parent contact, else the customer when the customer is a contact. */
export function customerContact(form: FormContext): Xrm.LookupValue | null {
  const parent = readLookup(form, OpportunityStandardColumns.parentContact);
  if (parent) return parent;
  const customer = readLookup(form, OpportunityStandardColumns.customer);
  return customer?.entityType === Tables.contact.logicalName ? customer : null;
}

async function accountCountry(host: ClientHost, accountId: string): Promise<string> {
  try {
    const account = await host.xrm.WebApi.retrieveRecord(
      Tables.account.logicalName, accountId.replace(/[{}]/g, ""), `?$select=${AccountColumns.country}`,
    );
    const country: unknown = account[AccountColumns.country];
    return typeof country === "string" ? country.trim() : "";
  } catch (error) {
    throw new AccountLookupError(accountId, error);
  }
}

/**
 * A referral Microsoft sent us already exists in Partner Center: nothing is created for it, so what a
 * new referral needs (the partner's solution ids, a close date, ...) must not block its edits.
 */
export function isIncomingReferral(form: FormContext): boolean {
  return readOption(form, OpportunityColumns.referralDirection) === ReferralDirection.Incoming && readText(form, OpportunityColumns.referralIdentifier) !== "";
}

/** Every missing or invalid item, as sentences in the user's language; empty when all is well. */
export async function findCoSellProblems(host: ClientHost, form: FormContext, messages: Messages): Promise<string[]> {
  if (isIncomingReferral(form)) return [];
  const problems: string[] = [];

  const account = customerAccount(form);
  if (!account) {
    problems.push(messages.missingAccount);
  } else {
    try {
      if (!(await accountCountry(host, account.id))) problems.push(messages.accountWithoutCountry(account.name ?? ""));
    } catch (error) {
      problems.push(messages.accountNotReadable(describeError(error)));
    }
  }

  const dealValue = readNumber(form, OpportunityStandardColumns.estimatedValue);
  if (dealValue === null) problems.push(messages.missingDealValue);
  else if (!(dealValue > 0)) problems.push(messages.invalidDealValue);

  if (!readLookup(form, OpportunityStandardColumns.transactionCurrency)) problems.push(messages.missingCurrency);
  if (!readDate(form, OpportunityStandardColumns.estimatedCloseDate)) problems.push(messages.missingCloseDate);

  const solutions = parseSolutionIds(readText(form, OpportunityColumns.products));
  if (solutions.invalid.length > 0) problems.push(messages.invalidSolutionIds(solutions.invalid));
  if (solutions.valid.length === 0) problems.push(messages.missingSolution);

  const helpRequested = readOption(form, OpportunityColumns.howCanMicrosoftHelp) !== null;
  if (helpRequested && !customerContact(form)) problems.push(messages.missingContact);
  if (helpRequested && !readBoolean(form, OpportunityColumns.shareWithMicrosoftSellers)) problems.push(messages.missingShareConsent);

  return problems;
}
