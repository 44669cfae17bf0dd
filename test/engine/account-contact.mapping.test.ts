import { describe, expect, it } from "vitest";
import { AccountColumns, ContactColumns, Tables } from "../../entities";
import {
  accountCreateBody,
  accountToFields,
  contactCreateBody,
  contactsToTeam,
  customerProfileFromAccount,
  customerProfileToFields,
  matchTeamToContacts,
  toCountryCode,
} from "../../sync/engine";
import { ACCOUNT_ID, accountRecord, contactRecord, referral } from "./engine-fixtures";

describe("account ⇄ customer profile", () => {
  it("sends the account as customer profile with an ISO country, a size bucket and our id", () => {
    const profile = customerProfileFromAccount(accountToFields(accountRecord()), []);
    expect(profile).toEqual({
      name: "Northwind Traders SpA",
      address: { addressLine1: "Via Roma 1", city: "Milano", state: null, postalCode: "20121", country: "IT" },
      size: "51to250employees",
      ids: [{ profileType: "External", id: ACCOUNT_ID }],
      team: [],
    });
  });

  it("creates an account from an inbound customer profile", () => {
    expect(accountCreateBody(customerProfileToFields(referral().customerProfile))).toEqual({
      [AccountColumns.name]: "Northwind Traders S.p.A.",
      [AccountColumns.line1]: "Via Roma 1",
      [AccountColumns.city]: "Milano",
      [AccountColumns.postalCode]: "20121",
      [AccountColumns.country]: "IT",
      [AccountColumns.numberOfEmployees]: 51,
    });
  });

  it.each([
    ["it", "IT"],
    ["Italy", "IT"],
    ["Stati Uniti", "US"],
    ["United Kingdom", "GB"],
    ["UK", null],
    ["Narnia", null],
  ])("country %s → %s", (text, code) => {
    expect(toCountryCode(text)).toBe(code);
  });
});

describe("contacts ⇄ customer team", () => {
  it("pairs members with contacts by e-mail, creates the new ones once, skips members without e-mail", () => {
    const team = [
      { firstName: "Anna", lastName: "Bianchi", email: "ANNA.BIANCHI@northwind.it" },
      { firstName: "Luca", email: "luca@northwind.it" },
      { firstName: "Luca", email: "Luca@Northwind.it" },
      { firstName: "Nobody" },
    ];
    const result = matchTeamToContacts(team, [contactRecord("c-anna", "anna.bianchi@northwind.it")]);
    expect(result.matched).toEqual([{ member: team[0], contactId: "c-anna" }]);
    expect(result.toCreate).toEqual([team[1]]);
    expect(result.skipped).toEqual([team[3]]);
    expect(contactCreateBody({ email: "luca@northwind.it" }, ACCOUNT_ID)).toEqual({
      [ContactColumns.lastName]: "luca",
      [ContactColumns.email]: "luca@northwind.it",
      [`${ContactColumns.parentCustomer}_${Tables.account.logicalName}@odata.bind`]: `/${Tables.account.entitySetName}(${ACCOUNT_ID})`,
    });
  });

  it("sends one member per e-mail", () => {
    const team = contactsToTeam([contactRecord("1", "a@x.it"), contactRecord("2", "A@X.IT", "Other"), contactRecord("3", null, "Mario", "Rossi")]);
    expect(team.map((m) => m.email ?? m.lastName)).toEqual(["a@x.it", "Rossi"]);
  });
});
