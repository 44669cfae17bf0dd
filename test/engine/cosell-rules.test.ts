/**
 * Partner Center's co-sell rules applied before a change is sent: the help asked of Microsoft is
 * read-only once chosen, a close as Declined/Lost/Error without a reason is stopped, marking Won within
 * 72 hours of creation is flagged, a create states all four consent flags, and the FY26 co-sell
 * details (marketplace intent; role, area and play of services co-sell) go out and come in.
 */
import { describe, expect, it } from "vitest";
import {
  CUSTOMER_MARKETPLACE_INTENT_OPTIONS,
  OpportunityColumns as OC,
  PARTNER_ROLE_OPTIONS,
  SOLUTION_AREA_OPTIONS,
  SOLUTION_PLAY_OPTIONS,
  type TaxonomyOption,
} from "../../entities";
import { ReferralSchema } from "../../sync/partner-center/referral-types";
import { recordedReferral } from "../fixtures/partner-center/recorded-referrals";
import {
  CONSENT_FLAGS,
  coSellDetailsFromRecord,
  coSellDetailsFromReferral,
  formatPreflightProblems,
  accountToFields,
  contactsToTeam,
  customerProfileFromAccount,
  mergeLink,
  microsoftInvitationFor,
  opportunityToMappedFields,
  preflightReferralCreate,
  referralCreateFromOpportunity,
  closeReasonMissing,
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
  it("a close as lost, declined or in error from Dynamics 365 without a reason is stopped with the seller's message, none made up", () => {
    for (const substatus of ["Lost", "Declined", "Error"] as const) {
      const problem = closeReasonMissing(merge({ status: { status: "Closed", substatus }, statusReason: null }));
      expect(problem?.[1033]).toMatch(/^Not closed in Partner Center: closing it as .* needs a reason\. Fill in "Status Reason" and save again\.$/);
      expect(problem?.[1040]).toMatch(/^Non chiuso in Partner Center: .*Compila "Motivo dello stato" e salva di nuovo\.$/);
    }
    expect(closeReasonMissing(merge({ status: { status: "Closed", substatus: "Lost" }, statusReason: "  " }))).not.toBeNull();
  });

  it("the seller's own reason lets the close go, and a close as Won needs none", () => {
    expect(closeReasonMissing(merge({ status: { status: "Closed", substatus: "Declined" }, statusReason: "No capacity this quarter" }))).toBeNull();
    expect(closeReasonMissing(merge({ status: { status: "Closed", substatus: "Won" } }))).toBeNull();
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

  it("Microsoft's invitation states all four too, where Partner Center's copy of ours leaves some out", () => {
    const ours = ReferralSchema.parse({ ...recordedReferral("won-percentage-stage.json"), status: "Active", substatus: "Accepted", consent: { consentToShareReferralWithMicrosoftSellers: true } });
    expect(microsoftInvitationFor(ours)?.consent).toEqual({
      consentToShareReferralWithMicrosoftSellers: true,
      consentToContact: false,
      consentToToShareInfoWithOthers: false,
      consentToMicrosoftToContactSpecificPartners: false,
    });
    expect(CONSENT_FLAGS).toHaveLength(4);
  });
});

describe("FY26 co-sell details", () => {
  const create = (record: Record<string, unknown>) => {
    const opportunity = opportunityRecord(record);
    return referralCreateFromOpportunity({
      opportunityId: OPPORTUNITY_ID,
      fields: opportunityToMappedFields(opportunity, { currencies: CURRENCIES }),
      customerProfile: customerProfileFromAccount(accountToFields(accountRecord({})), contactsToTeam([contactRecord("c1", "anna@northwind.it")])),
      coSell: coSellDetailsFromRecord(opportunity),
    });
  };
  const option = (options: readonly TaxonomyOption[], code: string) => options.find((o) => o.code === code)!.value;

  it("sends the marketplace intent the seller chose, and 'have not decided' when none", () => {
    const chosen = create({ [OC.customerMarketplaceIntent]: option(CUSTOMER_MARKETPLACE_INTENT_OPTIONS, "Yes") });
    expect(chosen.details.additionalRequirements).toEqual({ attributes: [{ id: "Yes", type: "CustomerMarketplaceIntent" }] });
    expect(create({}).details.additionalRequirements).toEqual({ attributes: [{ id: "HaveNotDecided", type: "CustomerMarketplaceIntent" }] });
  });

  it("a services co-sell deal sends role, area and play, and the pre-flight wants all three, the play within the area", () => {
    const complete = create({
      [OC.partnerRole]: option(PARTNER_ROLE_OPTIONS, "DeploymentServices"),
      [OC.solutionArea]: option(SOLUTION_AREA_OPTIONS, "CloudAndAIPlatforms"),
      [OC.solutionPlay]: option(SOLUTION_PLAY_OPTIONS, "MigrateAndModernizeYourEstate"),
    });
    // Where real referrals keep them (details.requirements.additionalRequirements), the marketplace intent where the create docs put it.
    expect(complete.details.requirements?.additionalRequirements).toEqual({ partnerRole: "DeploymentServices", solutionArea: "CloudAndAIPlatforms", solutionPlay: "MigrateAndModernizeYourEstate" });
    expect(complete.details.additionalRequirements).toEqual({ attributes: [{ id: "HaveNotDecided", type: "CustomerMarketplaceIntent" }] });
    expect(preflightReferralCreate(complete)).toEqual([]);

    const roleOnly = preflightReferralCreate(create({ [OC.partnerRole]: option(PARTNER_ROLE_OPTIONS, "DeploymentServices") }));
    expect(roleOnly.map((p) => p.code)).toEqual(["services-cosell"]);
    expect(formatPreflightProblems(roleOnly, 1033)).toContain("for services co-sell, Solution Area and Solution Play as well");
    expect(formatPreflightProblems(roleOnly, 1040)).toContain("per il co-sell di servizi, anche Area della soluzione e Play della soluzione");

    const wrongArea = preflightReferralCreate(create({
      [OC.partnerRole]: option(PARTNER_ROLE_OPTIONS, "DeploymentServices"),
      [OC.solutionArea]: option(SOLUTION_AREA_OPTIONS, "Security"),
      [OC.solutionPlay]: option(SOLUTION_PLAY_OPTIONS, "UnifyYourDataPlatform"),
    }));
    expect(formatPreflightProblems(wrongArea, 1033)).toContain('"Unify your data platform" belongs to another area than "Security"');
  });

  it("reads them from a real referral wherever they sit, whatever their form", () => {
    const fy26 = ReferralSchema.parse(recordedReferral("services-cosell-fy26.json"));
    expect(coSellDetailsFromReferral(fy26)).toEqual({ marketplaceIntent: "HaveNotDecided", partnerRole: "AdoptionAndChangeManagement", solutionArea: "AIBusinessSolutions", solutionPlay: "CopilotAndAgentsAtWork" });
    const invited = ReferralSchema.parse(recordedReferral("microsoft-invited-named-stage.json"));
    expect(coSellDetailsFromReferral(invited)).toEqual({ marketplaceIntent: "No", partnerRole: null, solutionArea: null, solutionPlay: null });
  });
});

describe("help needs the seller's consent to share", () => {
  it("choosing help on a linked deal that is not shared is refused until sharing is turned on", () => {
    const unshared = { ...active, helpCode: null, shareWithMicrosoftSellers: false };
    const refused = merge({ helpCode: "QuotesOrLicensing" }, {}, unshared);
    expect(refused.partnerCenterPatch).toEqual({});
    expect(refused.crmPatch).toEqual({ helpCode: null });
    expect(refused.audit[0]?.detail).toMatch(/turn on Share with Microsoft sellers to confirm/);
    const consented = merge({ helpCode: "QuotesOrLicensing", shareWithMicrosoftSellers: true }, {}, unshared);
    expect(consented.partnerCenterPatch).toEqual({ helpCode: "QuotesOrLicensing", shareWithMicrosoftSellers: true });
  });
});
