/**
 * The records `cosell sandbox` starts with, so both seller stories can be rehearsed in the form page
 * at once: a customer account (with country and a contact) and an opportunity on it with everything
 * Partner Center needs except the switch, and a referral a Microsoft seller has just sent. Written
 * through the sandboxes' public surfaces (the Web API, the Microsoft seller surface), as a person would.
 */
import {
  AccountColumns,
  ContactColumns,
  CurrencyColumns,
  HowCanMicrosoftHelp,
  OpportunityColumns as C,
  OpportunityStandardColumns as S,
  Tables,
} from "../../../entities";
import { SANDBOX_TOKEN, type SandboxEnvironment } from "../../../sandbox/environment/sandbox-environment";

export interface DemoRecords {
  accountId: string;
  /** Ready to share: the seller turns on "Sync with Partner Center" and saves. */
  shareableOpportunityId: string;
  shareableName: string;
  inboundReferralId: string;
  inboundName: string;
  /** The opportunity the backend made from Microsoft's referral (null if it has not arrived yet). */
  inboundOpportunityId: string | null;
  /** A marketplace lead (no inviter, no name: as Partner Center lists them) and its opportunity. */
  marketplaceLeadId: string;
  marketplaceLeadCustomer: string;
  marketplaceLeadOpportunityId: string | null;
}

async function webApi(env: SandboxEnvironment, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${env.dataverse.apiUrl}/${path}`, {
    method,
    headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json", "OData-Version": "4.0" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`Seeding the demo records: ${method} ${path} → ${response.status} ${await response.text()}`);
  return response;
}

async function create(env: SandboxEnvironment, entitySet: string, body: Record<string, unknown>): Promise<string> {
  const entityId = (await webApi(env, "POST", entitySet, body)).headers.get("odata-entityid") ?? "";
  const id = /\(([0-9a-f-]{36})\)/i.exec(entityId)?.[1];
  if (!id) throw new Error(`Seeding the demo records: no OData-EntityId from POST ${entitySet}`);
  return id;
}

const bind = (table: { entitySetName: string }, id: string) => `/${table.entitySetName}(${id})`;

export async function seedDemoRecords(env: SandboxEnvironment, options: { waitForInboundMs?: number } = {}): Promise<DemoRecords> {
  const currencies = (await (await webApi(env, "GET", `${Tables.transactionCurrency.entitySetName}?$filter=${CurrencyColumns.isoCode} eq 'EUR'`)).json()) as { value: Record<string, string>[] };
  const euro = currencies.value[0]?.[Tables.transactionCurrency.primaryId];
  if (!euro) throw new Error("Seeding the demo records: the Dataverse sandbox has no EUR currency");

  const accountId = await create(env, Tables.account.entitySetName, {
    [AccountColumns.name]: "Fabrikam S.p.A.",
    [AccountColumns.line1]: "Via Dante 12",
    [AccountColumns.city]: "Milano",
    [AccountColumns.postalCode]: "20121",
    [AccountColumns.country]: "IT",
    [AccountColumns.websiteUrl]: "https://fabrikam.example",
  });
  const contactId = await create(env, Tables.contact.entitySetName, {
    [ContactColumns.firstName]: "Giulia",
    [ContactColumns.lastName]: "Rossi",
    [ContactColumns.email]: "giulia.rossi@fabrikam.example",
    [`${ContactColumns.parentCustomer}_${Tables.account.logicalName}@odata.bind`]: bind(Tables.account, accountId),
  });
  const shareableName = "Fabrikam cloud migration";
  const closeDate = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  const shareableOpportunityId = await create(env, Tables.opportunity.entitySetName, {
    [S.name]: shareableName,
    [S.estimatedValue]: 120000,
    [S.estimatedCloseDate]: closeDate,
    [S.description]: "Move 40 VMs and the SQL estate to Azure.",
    [`${S.transactionCurrency}@odata.bind`]: bind(Tables.transactionCurrency, euro),
    [`${S.parentAccount}@odata.bind`]: bind(Tables.account, accountId),
    // Asking Microsoft for help needs a customer contact on the record (the form checks it on save).
    [`${S.parentContact}@odata.bind`]: bind(Tables.contact, contactId),
    [`${S.customer}_${Tables.account.logicalName}@odata.bind`]: bind(Tables.account, accountId),
    [C.howCanMicrosoftHelp]: HowCanMicrosoftHelp.ProofOfConceptOrDemo,
    [C.products]: "SOL-12345-ABC",
    // Off on purpose: turning it on and saving is the first story to rehearse.
    [C.syncWithPartnerCenter]: false,
  });

  const inboundName = "Woodgrove Bank data platform";
  const sent = await fetch(`${env.partnerCenter.url}/_sandbox/microsoft/referrals`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      name: inboundName,
      customerProfile: {
        name: "Woodgrove Bank",
        address: { addressLine1: "1 Harbour Rd", city: "Seattle", state: "WA", postalCode: "98101", country: "US" },
        team: [{ firstName: "Ava", lastName: "Chen", email: "ava.chen@woodgrove.example" }],
      },
      details: { dealValue: 250000, currency: "USD", closingDateTime: `${closeDate}T00:00:00Z`, notes: "Customer wants a proof of concept on Fabric." },
    }),
  });
  if (!sent.ok) throw new Error(`Seeding the demo records: the Microsoft seller surface answered ${sent.status} ${await sent.text()}`);
  const inboundReferralId = ((await sent.json()) as { id: string }).id;

  const marketplaceLeadCustomer = "Tailspin Toys";
  const lead = await fetch(`${env.partnerCenter.url}/_sandbox/partner-center/referrals`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(marketplaceLead(marketplaceLeadCustomer)),
  });
  if (!lead.ok) throw new Error(`Seeding the demo records: the Partner Center sandbox refused the marketplace lead: ${lead.status} ${await lead.text()}`);
  const marketplaceLeadId = ((await lead.json()) as { id: string }).id;

  // The referrals reach the backend by webhook, as from the real Partner Center; wait a moment for
  // their opportunities so the printed links work at once.
  const deadline = Date.now() + (options.waitForInboundMs ?? 10_000);
  const inboundOpportunityId = await opportunityOnceImported(env, inboundReferralId, deadline);
  const marketplaceLeadOpportunityId = await opportunityOnceImported(env, marketplaceLeadId, deadline);
  return {
    accountId, shareableOpportunityId, shareableName, inboundReferralId, inboundName, inboundOpportunityId,
    marketplaceLeadId, marketplaceLeadCustomer, marketplaceLeadOpportunityId,
  };
}

async function opportunityOnceImported(env: SandboxEnvironment, referralId: string, deadline: number): Promise<string | null> {
  for (;;) {
    const found = (await (await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$select=${Tables.opportunity.primaryId}&$filter=${C.referralIdentifier} eq '${referralId}'`)).json()) as { value: Record<string, string>[] };
    const id = found.value[0]?.[Tables.opportunity.primaryId] ?? null;
    if (id || Date.now() >= deadline) return id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A lead from the partner's marketplace listing, in the shape Partner Center lists them: no name, no
 * inviter (`invitedBy.organizationId` null), marketing-qualified, waiting for an answer.
 */
function marketplaceLead(customer: string): Record<string, unknown> {
  const now = new Date();
  return {
    name: null,
    createdDateTime: now.toISOString(),
    updatedDateTime: now.toISOString(),
    expirationDateTime: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
    status: "New",
    substatus: "Pending",
    type: "Independent",
    direction: "Incoming",
    qualification: "MarketingQualified",
    referralSource: "Marketplace",
    customerProfile: {
      name: customer,
      address: { city: "Austin", state: "TX", postalCode: "78701", country: "US" },
      team: [{ firstName: "Diego", lastName: "Ramos", email: "diego.ramos@tailspin.example" }],
    },
    consent: { consentToContact: true },
    details: { notes: "Asked for a demo from your Azure Marketplace listing.", customerRequestedContact: true },
    inviteContext: { invitedBy: { organizationId: null, organizationName: null } },
  };
}
