/**
 * Partner Center's co-sell rules applied before a change is sent: the help asked of Microsoft is
 * read-only once chosen, a close as Declined/Lost/Error always carries a reason, marking Won within
 * 72 hours of creation is flagged, and a create states all four consent flags.
 */
import { describe, expect, it } from "vitest";
import {
  CONSENT_FLAGS,
  accountToFields,
  contactsToTeam,
  customerProfileFromAccount,
  mergeLink,
  opportunityToMappedFields,
  preflightReferralCreate,
  referralCreateFromOpportunity,
  withCloseReason,
  wonTooSoonWarning,
  type MappedFields,
} from "../../sync/engine";
import { CURRENCIES, OPPORTUNITY_ID, accountRecord, contactRecord, opportunityRecord } from "./engine-fixtures";

const base: MappedFields = opportunityToMappedFields(opportunityRecord(), { currencies: CURRENCIES });
const AT = "2026-11-25T10:03:12.345Z";
const active = { ...base, status: { status: "Active", substatus: "Accepted" } } as MappedFields;

function merge(crm: Partial<MappedFields>, pc: Partial<MappedFields> = {}, start: MappedFields = active) {
  return mergeLink({ base: start, crm: { ...start, ...crm }, partnerCenter: { ...start, ...pc }, crmModifiedAt: "2026-11-25T10:00:00Z", partnerCenterModifiedAt: "2026-11-25T09:00:00Z", at: AT });
}

describe("Microsoft help is read-only once chosen", () => {
  it("a seller's change or removal of the help is refused and the opportunity set back", () => {
    expect(base.helpCode).toBe("ProofOfConceptOrDemo");
    for (const wanted of ["QuotesOrLicensing", null] as const) {
      const result = merge({ helpCode: wanted });
      expect(result.partnerCenterPatch).toEqual({});
      expect(result.crmPatch).toEqual({ helpCode: "ProofOfConceptOrDemo" });
      expect(result.audit[0]?.detail).toMatch(/cannot be changed or withdrawn in Partner Center once chosen/);
    }
  });

  it("choosing help where none was chosen still goes through", () => {
    const none = { ...active, helpCode: null };
    expect(merge({ helpCode: "QuotesOrLicensing" }, {}, none).partnerCenterPatch).toEqual({ helpCode: "QuotesOrLicensing" });
  });
});

describe("a reason to close as Declined, Lost or Error", () => {
  it("a close as lost from Dynamics 365 without a reason is sent with one, and the opportunity shows it", () => {
    const result = withCloseReason(merge({ status: { status: "Closed", substatus: "Lost" }, statusReason: null }));
    expect(result.partnerCenterPatch).toMatchObject({ status: { status: "Closed", substatus: "Lost" }, statusReason: "Closed as lost in Dynamics 365" });
    expect(result.crmPatch).toEqual({ statusReason: "Closed as lost in Dynamics 365" });
    expect(result.base.statusReason).toBe("Closed as lost in Dynamics 365");
  });

  it("the seller's own reason is kept, and a close as Won needs none", () => {
    const own = withCloseReason(merge({ status: { status: "Closed", substatus: "Declined" }, statusReason: "No capacity this quarter" }));
    expect(own.partnerCenterPatch.statusReason).toBe("No capacity this quarter");
    const won = merge({ status: { status: "Closed", substatus: "Won" } });
    expect(withCloseReason(won)).toBe(won);
  });
});

describe("marking Won within 72 hours of creation", () => {
  const won = merge({ status: { status: "Closed", substatus: "Won" } });

  it("is flagged with the referral's age", () => {
    expect(wonTooSoonWarning(won, "2026-11-23T12:00:00Z", AT)?.detail).toMatch(/^warning: marked Won 46 h after the referral was created; Partner Center may reject/);
  });

  it("is not flagged after 72 hours, nor for another change", () => {
    expect(wonTooSoonWarning(won, "2026-11-22T10:00:00Z", AT)).toBeNull();
    expect(wonTooSoonWarning(merge({ dealValue: 5 }), "2026-11-25T09:00:00Z", AT)).toBeNull();
  });
});

describe("consent flags on create", () => {
  const body = () =>
    referralCreateFromOpportunity({
      opportunityId: OPPORTUNITY_ID,
      fields: base,
      customerProfile: customerProfileFromAccount(accountToFields(accountRecord({})), contactsToTeam([contactRecord("c1", "anna@northwind.it")])),
    });

  it("states all four, claiming no customer consent Dynamics 365 does not record", () => {
    expect(body().consent).toEqual({
      consentToShareReferralWithMicrosoftSellers: true,
      consentToContact: false,
      consentToToShareInfoWithOthers: false,
      consentToMicrosoftToContactSpecificPartners: false,
    });
    expect(preflightReferralCreate(body())).toEqual([]);
  });

  it("the pre-flight stops a create that leaves one undecided, naming it", () => {
    const incomplete = body();
    delete (incomplete.consent as Record<string, unknown>)[CONSENT_FLAGS[1]];
    const problems = preflightReferralCreate(incomplete);
    expect(problems.map((p) => p.code)).toEqual(["consent"]);
    expect(problems[0]?.message[1033]).toContain("consentToContact");
    expect(problems[0]?.message[1040]).toContain("consentToContact");
  });
});
