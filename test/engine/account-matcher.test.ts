import { describe, expect, it } from "vitest";
import { AccountColumns, Tables } from "../../entities";
import {
  accountToFields,
  customerProfileToFields,
  matchAccount,
  normalizeCompanyName,
  type AccountCandidate,
} from "../../sync/engine";
import { ACCOUNT_ID, accountRecord, referral } from "./engine-fixtures";

const customer = customerProfileToFields(referral().customerProfile);
const emails = ["anna.bianchi@northwind.it"];

function candidate(id: string, overrides: Record<string, unknown> = {}, createdOn?: string): AccountCandidate {
  const fields = accountToFields(accountRecord({ [Tables.account.primaryId]: id, ...overrides }));
  return { ...fields, id, createdOn };
}

describe("company name normalization", () => {
  it.each([
    ["Northwind Traders S.p.A.", "northwind traders"],
    ["NORTHWIND TRADERS SPA", "northwind traders"],
    ["Contoso, Ltd.", "contoso"],
    ["Contoso Inc", "contoso"],
    ["Fabrikam GmbH & Co. KG", "fabrikam"],
    ["Müller S.r.l.", "muller"],
    ["Smith & Sons", "smith and sons"],
  ])("%s → %s", (name, expected) => {
    expect(normalizeCompanyName(name)).toBe(expected);
  });
});

describe("account matching", () => {
  it("prefers the linked account over everything else", () => {
    const other = candidate("b-other");
    const linked = candidate("c-linked", { [AccountColumns.name]: "Renamed" });
    expect(matchAccount({ linkedAccountId: "C-LINKED", customer, contactEmails: emails }, [other, linked])).toMatchObject({
      kind: "matched",
      accountId: "c-linked",
      rule: "linked",
    });
  });

  it("matches our own account id sent as the External id", () => {
    const mine = candidate("a-mine", { [AccountColumns.name]: "Something else", [AccountColumns.postalCode]: "00100" });
    const result = matchAccount({ customer: { ...customer, externalId: "a-mine" }, contactEmails: [] }, [candidate("z"), mine]);
    expect(result).toMatchObject({ accountId: "a-mine", rule: "external-id" });
  });

  it("matches by normalized name + postal code + country, even with a country written out in Italian", () => {
    const result = matchAccount({ customer, contactEmails: [] }, [candidate(ACCOUNT_ID)]);
    expect(result).toMatchObject({ kind: "matched", accountId: ACCOUNT_ID, rule: "name-postal-country" });
  });

  it("does not match the same name in another postal code, but then tries the e-mail domain", () => {
    const elsewhere = candidate("roma", { [AccountColumns.postalCode]: "00184" });
    expect(matchAccount({ customer, contactEmails: emails }, [elsewhere])).toMatchObject({ rule: "email-domain", accountId: "roma" });
    expect(matchAccount({ customer, contactEmails: [] }, [elsewhere])).toEqual({ kind: "create" });
  });

  it("ignores web-mail domains", () => {
    const gmailSite = candidate("g", { [AccountColumns.name]: "x", [AccountColumns.websiteUrl]: "gmail.com" });
    expect(matchAccount({ customer, contactEmails: ["anna@gmail.com"] }, [gmailSite])).toEqual({ kind: "create" });
  });

  it("never creates a second account: duplicates resolve to the oldest, and a created account is found next time", () => {
    const newer = candidate("b", {}, "2026-05-01T00:00:00Z");
    const older = candidate("a", {}, "2025-01-01T00:00:00Z");
    expect(matchAccount({ customer, contactEmails: emails }, [newer, older])).toMatchObject({ accountId: "a", ambiguous: ["b"] });

    // First referral for the customer: nothing matches, so the caller creates the account...
    expect(matchAccount({ customer, contactEmails: emails }, [])).toEqual({ kind: "create" });
    // ...and the second referral for the same customer (different punctuation) finds it.
    const created = { ...customer, id: "new-1" } as AccountCandidate;
    const again = customerProfileToFields({ ...referral().customerProfile, name: "Northwind Traders, SpA" });
    expect(matchAccount({ customer: again, contactEmails: [] }, [created])).toMatchObject({ accountId: "new-1" });
  });
});
