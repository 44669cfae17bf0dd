/** Realistic records for engine tests: an opportunity as the Web API returns it and its referral. */
import {
  AccountColumns,
  ContactColumns,
  HowCanMicrosoftHelp,
  OpportunityColumns as OC,
  OpportunityStandardColumns as OS,
  OpportunityState,
  ReferralDirection,
  ReferralStatus,
  SyncStatus,
  Tables,
} from "../../entities";
import { lookupValueKey, type CurrencyRef, type DataverseRecord } from "../../sync/engine";
import { ReferralSchema, type Referral } from "../../sync/partner-center/referral-types";

export const EUR_ID = "4f3c1a2e-1111-4000-8000-00000000e0e0";
export const USD_ID = "4f3c1a2e-2222-4000-8000-00000000d0d0";
export const CURRENCIES: CurrencyRef[] = [
  { id: EUR_ID, isoCode: "EUR" },
  { id: USD_ID, isoCode: "usd" },
];
export const OPPORTUNITY_ID = "0b6f3c1e-5a7d-4e8f-9a10-2b3c4d5e6f70";
export const REFERRAL_ID = "7a1e0c52-0000-4000-8000-000000000001";
export const ACCOUNT_ID = "a1c0ffee-0000-4000-8000-0000000000a1";

export function opportunityRecord(overrides: Record<string, unknown> = {}): DataverseRecord {
  return {
    [OS.id]: OPPORTUNITY_ID,
    [OS.name]: "Northwind – data platform modernisation",
    [OS.estimatedValue]: 120000,
    [lookupValueKey(OS.transactionCurrency)]: EUR_ID,
    [OS.estimatedCloseDate]: "2026-12-31",
    [OS.description]: "Migrate the on-prem warehouse to Fabric.\r\nPhase 1: assessment.",
    [OS.stateCode]: OpportunityState.Open,
    [OS.modifiedOn]: "2026-11-25T10:03:12Z",
    [OC.syncWithPartnerCenter]: true,
    [OC.howCanMicrosoftHelp]: HowCanMicrosoftHelp.ProofOfConceptOrDemo,
    [OC.products]: "SOL-15974-MQF\n sol-20001-abc \nSOL-15974-MQF\n",
    [OC.shareWithMicrosoftSellers]: true,
    [OC.referralStatus]: ReferralStatus.ActiveAccepted,
    [OC.statusReason]: null,
    ...overrides,
  };
}

/** Where the section's "open in Partner Center" link points, as the service's config builds it. */
export const referralLink = (id: string) => `https://partner.microsoft.com/referrals/${id}`;

/** The co-sell columns of an opportunity shared as REFERRAL_ID and last synced without error. */
export function linkedAndSyncedColumns(): Record<string, unknown> {
  return {
    [OC.referralIdentifier]: REFERRAL_ID,
    [OC.referralLink]: referralLink(REFERRAL_ID),
    [OC.referralDirection]: ReferralDirection.Outgoing,
    [OC.syncStatus]: SyncStatus.Synced,
    [OC.syncError]: null,
    [OC.lastSyncedOn]: "2026-11-30T12:00:00Z",
  };
}

export function referral(overrides: Partial<Referral> = {}): Referral {
  return ReferralSchema.parse({
    id: REFERRAL_ID,
    engagementId: "7a1e0c52-0000-4000-8000-0000000000e1",
    name: "Northwind – data platform modernisation",
    externalReferenceId: OPPORTUNITY_ID,
    createdDateTime: "2026-11-20T08:00:00.1234567Z",
    updatedDateTime: "2026-11-25T09:00:00Z",
    status: "Active",
    substatus: "Accepted",
    statusReason: null,
    type: "Independent",
    direction: "Outgoing",
    qualification: "None",
    customerProfile: {
      name: "Northwind Traders S.p.A.",
      address: { addressLine1: "Via Roma 1", city: "Milano", postalCode: "20121", country: "IT" },
      size: "51to250employees",
      team: [{ firstName: "Anna", lastName: "Bianchi", email: "Anna.Bianchi@northwind.it", phoneNumber: "+39 02 1234567" }],
    },
    consent: { consentToShareReferralWithMicrosoftSellers: true },
    details: {
      dealValue: "120000",
      currency: "EUR",
      closingDateTime: "2026-12-31T00:00:00Z",
      notes: "Migrate the on-prem warehouse to Fabric.\nPhase 1: assessment.",
      requirements: {
        solutions: [
          { id: "SOL-20001-ABC", name: "Contoso Data Accelerator", type: "Name" },
          { id: "SOL-15974-MQF", type: "Name" },
        ],
      },
    },
    inviteContext: { assistanceRequestCode: "ProofOfConceptOrDemo" },
    eTag: '"0x1"',
    ...overrides,
  });
}

export function accountRecord(overrides: Record<string, unknown> = {}): DataverseRecord {
  return {
    [Tables.account.primaryId]: ACCOUNT_ID,
    [AccountColumns.name]: "Northwind Traders SpA",
    [AccountColumns.line1]: "Via Roma 1",
    [AccountColumns.city]: "Milano",
    [AccountColumns.postalCode]: "20121",
    [AccountColumns.country]: "Italia",
    [AccountColumns.websiteUrl]: "https://www.northwind.it",
    [AccountColumns.numberOfEmployees]: 180,
    ...overrides,
  };
}

export function contactRecord(id: string, email: string | null, first = "Anna", last = "Bianchi"): DataverseRecord {
  return {
    [Tables.contact.primaryId]: id,
    [ContactColumns.firstName]: first,
    [ContactColumns.lastName]: last,
    [ContactColumns.email]: email,
    [ContactColumns.phone]: "+39 02 1234567",
  };
}
