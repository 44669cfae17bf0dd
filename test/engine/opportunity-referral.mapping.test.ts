import { describe, expect, it } from "vitest";
import {
  HowCanMicrosoftHelp,
  OpportunityColumns as OC,
  OpportunityStandardColumns as OS,
  OpportunityState,
  OpportunityStatusCode,
  ReferralStatus,
  Tables,
} from "../../entities";
import {
  formatPreflightProblems,
  preflightReferralCreate,
  MappingError,
  applyPatchToReferral,
  lookupValueKey,
  mergeLink,
  opportunityCreateFromReferral,
  opportunityToMappedFields,
  opportunityUpdateFromMerge,
  referralCreateFromOpportunity,
  microsoftInvitationFor,
  referralPatchOperations,
  referralToMappedFields,
  resolveMapping,
} from "../../sync/engine";
import { ReferralCreateSchema } from "../../sync/partner-center/referral-types";
import { CURRENCIES, EUR_ID, OPPORTUNITY_ID, opportunityRecord, referral, USD_ID } from "./engine-fixtures";

const ctx = { currencies: CURRENCIES };

describe("opportunity ⇄ referral mapping", () => {
  it("maps an opportunity to the neutral fields", () => {
    expect(opportunityToMappedFields(opportunityRecord(), ctx)).toEqual({
      name: "Northwind – data platform modernisation",
      dealValue: 120000,
      currency: "EUR",
      closingDate: "2026-12-31",
      notes: "Migrate the on-prem warehouse to Fabric.\nPhase 1: assessment.",
      helpCode: "ProofOfConceptOrDemo",
      solutionIds: ["SOL-15974-MQF", "SOL-20001-ABC"],
      shareWithMicrosoftSellers: true,
      status: { status: "Active", substatus: "Accepted" },
      statusReason: null,
    });
  });

  it("maps the matching referral to exactly the same fields, so a synced pair shows no difference", () => {
    expect(referralToMappedFields(referral())).toEqual(opportunityToMappedFields(opportunityRecord(), ctx));
  });

  it("reads a closed opportunity's state over a stale status choice", () => {
    const won = opportunityRecord({ [OS.stateCode]: OpportunityState.Won });
    expect(opportunityToMappedFields(won, ctx).status).toEqual({ status: "Closed", substatus: "Won" });
    const declined = opportunityRecord({ [OS.stateCode]: OpportunityState.Lost, [OC.referralStatus]: ReferralStatus.ClosedDeclined });
    expect(opportunityToMappedFields(declined, ctx).status).toEqual({ status: "Closed", substatus: "Declined" });
  });

  it("reads Partner Center's Unknown help code and missing pieces as empty", () => {
    const fields = referralToMappedFields(
      referral({ inviteContext: { assistanceRequestCode: "Unknown" }, details: { dealValue: null }, status: "None", substatus: "None" }),
    );
    expect(fields).toMatchObject({ helpCode: null, dealValue: null, solutionIds: [], status: null });
  });

  it("refuses a currency the org does not have instead of guessing", () => {
    expect(() => opportunityToMappedFields(opportunityRecord({ [lookupValueKey(OS.transactionCurrency)]: "nope" }), ctx)).toThrow(MappingError);
  });

  it("follows an admin override that re-points the deal value column", () => {
    const mapping = resolveMapping({ opportunity: { dealValue: "new_dealvalue" } });
    const fields = opportunityToMappedFields(opportunityRecord({ new_dealvalue: 99000 }), { mapping, currencies: CURRENCIES });
    expect(fields.dealValue).toBe(99000);
  });

  it("writes Partner Center changes to Dataverse columns, binding the currency and closing through the action", () => {
    const current = opportunityRecord();
    const crm = opportunityToMappedFields(current, ctx);
    const pc = { ...crm, dealValue: 150000, currency: "USD", status: { status: "Closed", substatus: "Lost" } as const, statusReason: "customer chose another vendor" };
    const result = mergeLink({ base: crm, crm, partnerCenter: pc, crmModifiedAt: null, partnerCenterModifiedAt: null, at: "2026-11-25T10:03:12Z" });
    const update = opportunityUpdateFromMerge(result.crmPatch, result.base, current, ctx);
    expect(update.body).toEqual({
      [OS.estimatedValue]: 150000,
      [`${OS.transactionCurrency}@odata.bind`]: `/${Tables.transactionCurrency.entitySetName}(${USD_ID})`,
      [OC.referralStatus]: ReferralStatus.ClosedLost,
      [OC.statusReason]: "customer chose another vendor",
    });
    expect(update.close).toEqual({ outcome: "lost", statusCode: OpportunityStatusCode.OutSold });
    expect(result.partnerCenterPatch).toEqual({});
  });

  it("fixes the stale status choice after a seller closed the opportunity as won", () => {
    const current = opportunityRecord({ [OS.stateCode]: OpportunityState.Won });
    const crm = opportunityToMappedFields(current, ctx);
    const update = opportunityUpdateFromMerge({}, crm, current, ctx);
    expect(update).toEqual({ body: { [OC.referralStatus]: ReferralStatus.ClosedWon }, close: null });
  });

  it("builds JSON Patch operations, adding members Partner Center left out", () => {
    const current = referral({ inviteContext: null, details: { dealValue: 1000, currency: "EUR" } });
    const ops = referralPatchOperations(
      { dealValue: 12000, closingDate: "2027-01-15", helpCode: "QuotesOrLicensing", solutionIds: ["SOL-11111-AAA"], notes: null },
      current,
    );
    expect(ops).toEqual([
      { op: "replace", path: "/details/dealValue", value: 12000 },
      { op: "add", path: "/details/closingDateTime", value: "2027-01-15T00:00:00Z" },
      { op: "add", path: "/details/notes", value: null },
      // inviteContext is there but null: the member exists, so it is replaced as a whole.
      { op: "replace", path: "/inviteContext", value: { assistanceRequestCode: "QuotesOrLicensing" } },
      { op: "add", path: "/details/requirements", value: { solutions: [{ id: "SOL-11111-AAA", type: "Name" }] } },
    ]);
  });

  it("keeps what Partner Center knows about solutions already on the referral", () => {
    const updated = applyPatchToReferral(referral(), { solutionIds: ["SOL-20001-ABC", "SOL-30003-XYZ"], status: { status: "Closed", substatus: "Won" } });
    expect(updated.details.requirements?.solutions).toEqual([
      { id: "SOL-20001-ABC", name: "Contoso Data Accelerator", type: "Name" },
      { id: "SOL-30003-XYZ", type: "Name" },
    ]);
    expect([updated.status, updated.substatus]).toEqual(["Closed", "Won"]);
    expect(referralToMappedFields(updated).solutionIds).toEqual(["SOL-20001-ABC", "SOL-30003-XYZ"]);
  });

  it("creates a referral body Partner Center's schema accepts, a Shared co-sell deal when help is asked and sharing consented", () => {
    const fields = { ...opportunityToMappedFields(opportunityRecord(), ctx), shareWithMicrosoftSellers: true };
    const body = referralCreateFromOpportunity({
      opportunityId: OPPORTUNITY_ID,
      fields,
      customerProfile: { name: "Northwind Traders SpA", address: { country: "IT" } },
    });
    expect(ReferralCreateSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      externalReferenceId: OPPORTUNITY_ID,
      consent: { consentToShareReferralWithMicrosoftSellers: true },
      details: { dealValue: 120000, currency: "EUR", closingDateTime: "2026-12-31T00:00:00Z" },
      inviteContext: { assistanceRequestCode: "ProofOfConceptOrDemo" },
      type: "Shared",
    });
    // Our own side never names Microsoft as its target: that is the invitation, a second referral.
    expect(body).not.toHaveProperty("target");
    expect(body.details.requirements?.solutions?.map((s) => s.id)).toEqual(fields.solutionIds);
    const ours = referral({ type: "Shared", engagementId: "eng-1", inviteContext: { assistanceRequestCode: "ProofOfConceptOrDemo" } });
    const invitation = microsoftInvitationFor(ours);
    expect(invitation).toMatchObject({ engagementId: "eng-1", type: "Shared", target: [{ type: "BusinessProfileLocation", id: "msft" }] });
    expect(ReferralCreateSchema.safeParse(invitation).success).toBe(true);
    expect(microsoftInvitationFor(referral({ type: "Independent" }))).toBeNull();
  });

  it("help without the seller's consent to share does not turn sharing on by itself: the pre-flight asks for it (en + it)", () => {
    const fields = { ...opportunityToMappedFields(opportunityRecord(), ctx), shareWithMicrosoftSellers: false };
    const body = referralCreateFromOpportunity({
      opportunityId: OPPORTUNITY_ID,
      fields,
      customerProfile: { name: "Northwind Traders SpA", address: { country: "IT" }, team: [{ firstName: "Anna", email: "anna@northwind.it" }] },
    });
    expect(body.consent.consentToShareReferralWithMicrosoftSellers).toBe(false);
    const problems = preflightReferralCreate(body);
    expect(problems.map((p) => p.code)).toEqual(["share-consent"]);
    expect(formatPreflightProblems(problems, 1033)).toContain('"Share with Microsoft sellers" turned on, because asking Microsoft for help shares the deal');
    expect(formatPreflightProblems(problems, 1040)).toContain('"Condividi con i venditori Microsoft" attivato');
  });

  it("creates an opportunity for an inbound referral, linked and switched on, won through the action", () => {
    const inbound = referral({ direction: "Incoming", status: "Closed", substatus: "Won" });
    const create = opportunityCreateFromReferral({ referral: inbound, accountId: "acc-1", referralLink: "https://partner.microsoft.com/x" }, ctx);
    expect(create.body).toMatchObject({
      [OS.name]: "Northwind – data platform modernisation",
      [OS.estimatedValue]: 120000,
      [`${OS.transactionCurrency}@odata.bind`]: `/${Tables.transactionCurrency.entitySetName}(${EUR_ID})`,
      [OC.howCanMicrosoftHelp]: HowCanMicrosoftHelp.ProofOfConceptOrDemo,
      [OC.products]: "SOL-15974-MQF\nSOL-20001-ABC",
      [OC.syncWithPartnerCenter]: true,
      [OC.referralIdentifier]: inbound.id,
      [OC.referralStatus]: ReferralStatus.ClosedWon,
      [`${OS.parentAccount}@odata.bind`]: `/${Tables.account.entitySetName}(acc-1)`,
    });
    expect(create.close).toEqual({ outcome: "won", statusCode: OpportunityStatusCode.Won });
  });
});
