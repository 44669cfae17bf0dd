import { describe, expect, it } from "vitest";
import {
  customerProfileFromAccount,
  accountToFields,
  contactsToTeam,
  formatPreflightProblems,
  lookupValueKey,
  opportunityToMappedFields,
  preflightReferralCreate,
  referralCreateFromOpportunity,
} from "../../sync/engine";
import { AccountColumns, OpportunityColumns as OC, OpportunityStandardColumns as OS } from "../../entities";
import { CURRENCIES, OPPORTUNITY_ID, accountRecord, contactRecord, opportunityRecord } from "./engine-fixtures";

function createBody(opportunity: Record<string, unknown>, account: Record<string, unknown>, contacts = [contactRecord("c1", "anna@northwind.it")]) {
  return referralCreateFromOpportunity({
    opportunityId: OPPORTUNITY_ID,
    fields: opportunityToMappedFields(opportunityRecord(opportunity), { currencies: CURRENCIES }),
    customerProfile: customerProfileFromAccount(accountToFields(accountRecord(account)), contactsToTeam(contacts)),
  });
}

describe("pre-flight before creating a referral", () => {
  it("passes a complete co-sell opportunity", () => {
    expect(preflightReferralCreate(createBody({}, {}))).toEqual([]);
  });

  it("lists every missing item at once, in English and Italian", () => {
    const body = createBody(
      {
        [OS.estimatedValue]: 0,
        [lookupValueKey(OS.transactionCurrency)]: null,
        [OS.estimatedCloseDate]: null,
        [OC.products]: "SOL-15974-MQF\nAzure stuff",
      },
      { [AccountColumns.name]: null, [AccountColumns.country]: "Atlantis" },
      [],
    );
    const problems = preflightReferralCreate(body);
    expect(problems.map((p) => p.code)).toEqual([
      "customer-name",
      "customer-country",
      "deal-value",
      "currency",
      "close-date",
      "invalid-solution",
      "customer-contact",
    ]);
    const en = formatPreflightProblems(problems, 1033);
    expect(en).toMatch(/^Not shared with Partner Center yet\. Please add: /);
    expect(en).toContain('(the account says "Atlantis")');
    expect(en).toContain("not valid: AZURE STUFF");
    expect(en).toContain("because Microsoft's help is requested");
    expect(formatPreflightProblems(problems, 1040)).toMatch(/^Non ancora condiviso con Partner Center\. Aggiungi: .*valuta dell'opportunità/);
  });

  it("asks for at least one solution when Products is empty, and no contact when no help is asked", () => {
    const body = createBody({ [OC.products]: null, [OC.howCanMicrosoftHelp]: null }, {}, []);
    expect(preflightReferralCreate(body).map((p) => p.code)).toEqual(["solution"]);
  });

  it("returns an empty message when there is nothing to fix", () => {
    expect(formatPreflightProblems([])).toBe("");
  });
});
