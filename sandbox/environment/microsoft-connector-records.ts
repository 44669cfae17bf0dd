/**
 * The records an org running Microsoft's co-sell connector has, seeded through the public surfaces
 * (the Dataverse Web API, the Partner Center referrals API and webhook registration, the Microsoft
 * seller surface) as Microsoft's flows would have left them, so that `cosell switch-from-microsoft`
 * can be rehearsed and tested. Needs a Dataverse stand-in started with `microsoftConnector: true`.
 *
 *   in step      three opportunities linked to their referrals (one co-sell with help, solutions in
 *                "Microsoft Solutions" rows and a ✔ in its name; one independent deal; one Microsoft
 *                referral the partner accepted, with Microsoft's CRM id)
 *   differs      an opportunity whose deal value was changed in Dynamics 365 after the flows failed (✖)
 *   conflicts    a copy of an opportunity that carries the same referral id; an opportunity whose
 *                referral no longer exists in Partner Center
 *   lead         a lead for a Microsoft referral the partner has not accepted yet
 * and Partner Center's webhook registration pointing at the connector's webhook flow.
 */
import { randomUUID } from "node:crypto";
import { AccountColumns, CurrencyColumns, OpportunityStandardColumns as S, Tables } from "../../entities";
import type { CustomerProfile, Referral, ReferralCreate } from "../../sync/partner-center/referral-types";
import { SANDBOX_TOKEN, type SandboxEnvironment } from "./sandbox-environment";

export interface MicrosoftConnectorRecords {
  /** Opportunities whose pair is in step on both sides (the first sync after the switch writes nothing). */
  inStep: { opportunityId: string; referralId: string; name: string; microsoftCrmId?: string }[];
  /** The opportunity whose deal value differs from its referral's (Dynamics 365's is the newer). */
  differs: { opportunityId: string; referralId: string; dealValue: number };
  /** A copy of inStep[0]'s opportunity carrying the same referral id. */
  copyOpportunityId: string;
  /** An opportunity whose referral is gone. */
  goneOpportunityId: string;
  lead: { leadId: string; referralId: string };
  /** The flow URL Partner Center's registration points at. */
  flowUrl: string;
}

const MSFT = {
  sync: "msft_microsoftpartnercenterreferralsync",
  referralId: "msft_microsoftpartnercenterreferralidentifier",
  link: "msft_microsoftpartnercenterreferrallink",
  crmId: "msft_microsoftcrmidentifier",
  visible: "msft_microsoftpartnercenterreferralvisible",
  help: "msft_microsoftpartnercenterhelp",
  audit: "msft_microsoftpartnercenterreferralsyncaudit",
} as const;
const PROOF_OF_CONCEPT = 299600002;
/** Microsoft's "How can Microsoft help?" values by Partner Center's code (as the stand-in's install defines them). */
const MICROSOFT_HELP_VALUES: Record<string, number> = {
  WorkloadSpecificValueProposition: 299600000, CustomerTechnicalArchitecture: 299600001, ProofOfConceptOrDemo: PROOF_OF_CONCEPT,
  QuotesOrLicensing: 299600003, PostSalesCustomerSuccess: 299600004, GeneralOrOther: 299600005,
};

async function webApi(env: SandboxEnvironment, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${env.dataverse.apiUrl}/${path}`, {
    method,
    headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json", "OData-Version": "4.0", ...(method === "PATCH" ? { "If-Match": "*" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`Seeding Microsoft's connector records: ${method} ${path} → ${response.status} ${await response.text()}`);
  return response;
}

async function create(env: SandboxEnvironment, entitySet: string, body: Record<string, unknown>): Promise<string> {
  const id = /\(([0-9a-f-]{36})\)/i.exec((await webApi(env, "POST", entitySet, body)).headers.get("odata-entityid") ?? "")?.[1];
  if (!id) throw new Error(`Seeding Microsoft's connector records: no OData-EntityId from POST ${entitySet}`);
  return id;
}

async function partnerCenter<T>(env: SandboxEnvironment, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${env.partnerCenter.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`Seeding Microsoft's connector records: ${method} ${path} → ${response.status} ${await response.text()}`);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const bind = (table: { entitySetName: string }, id: string) => `/${table.entitySetName}(${id})`;
const microsoftLink = (referralId: string) => `https://partner.microsoft.com/dashboard/v2/referrals/co-sell/${referralId}`;

interface Deal {
  name: string;
  value: number;
  closeDate: string;
  notes: string;
  help: string | null;
  solutions: string[];
  /** What Microsoft's setting appended to the name in Dynamics 365. */
  mark: "✔" | "✖";
}

/**
 * Seeds the records. Partner Center's registration is moved to the flow first, so the referrals the
 * flows "created" never reach our backend (it is not in charge yet).
 */
export async function seedMicrosoftConnectorRecords(env: SandboxEnvironment): Promise<MicrosoftConnectorRecords> {
  const flows = (await (await webApi(env, "GET", "workflows?$select=workflowid,name&$filter=category eq 5 and contains(name,'Webhook listener')")).json()) as { value: { workflowid: string }[] };
  const listener = flows.value[0]?.workflowid;
  if (!listener) throw new Error("Seeding Microsoft's connector records: start the Dataverse stand-in with microsoftConnector: true");
  const flowUrl = `${env.dataverse.url}/_sandbox/flows/workflows/${listener}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=sandbox`;
  const registration = { WebhookUrl: flowUrl, WebhookEvents: ["referral-created", "referral-updated"] };
  const current = await fetch(`${env.partnerCenter.url}/webhooks/v1/registration`, { headers: { Authorization: `Bearer ${SANDBOX_TOKEN}` } });
  await current.text();
  await partnerCenter(env, current.ok ? "PUT" : "POST", "/webhooks/v1/registration", registration);

  const currencies = (await (await webApi(env, "GET", `${Tables.transactionCurrency.entitySetName}?$filter=${CurrencyColumns.isoCode} eq 'USD'`)).json()) as { value: Record<string, string>[] };
  const usd = currencies.value[0]?.[Tables.transactionCurrency.primaryId];
  if (!usd) throw new Error("Seeding Microsoft's connector records: no USD currency");
  const closeDate = new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10);

  const solutionDetails = new Map<string, string>();
  for (const [id, name] of [["SOL-10001-AAA", "Contoso Cloud ERP"], ["SOL-10002-BBB", "Contoso Analytics"]] as const) {
    solutionDetails.set(id, await create(env, "msft_microsoftsolutiondetails", { msft_name: name, msft_solutionidentifier: id, msft_solutiontype: "Partner solution", msft_publishername: "Contoso Partner" }));
  }

  async function linkedDeal(deal: Deal, customer: { name: string; city: string; postalCode: string; state: string }): Promise<{ opportunityId: string; referral: Referral }> {
    const accountId = await create(env, Tables.account.entitySetName, {
      [AccountColumns.name]: customer.name, [AccountColumns.city]: customer.city, [AccountColumns.postalCode]: customer.postalCode,
      [AccountColumns.stateOrProvince]: customer.state, [AccountColumns.country]: "US",
    });
    const opportunityId = await create(env, Tables.opportunity.entitySetName, {
      [S.name]: deal.name, [S.estimatedValue]: deal.value, [S.estimatedCloseDate]: deal.closeDate, [S.description]: deal.notes,
      [`${S.transactionCurrency}@odata.bind`]: bind(Tables.transactionCurrency, usd!),
      [`${S.parentAccount}@odata.bind`]: bind(Tables.account, accountId),
      [`${S.customer}_${Tables.account.logicalName}@odata.bind`]: bind(Tables.account, accountId),
      [MSFT.sync]: true, [MSFT.visible]: deal.help !== null, ...(deal.help ? { [MSFT.help]: PROOF_OF_CONCEPT } : {}),
    });
    const customerProfile: CustomerProfile = {
      name: customer.name, address: { addressLine1: "1 Main St", city: customer.city, state: customer.state, postalCode: customer.postalCode, country: "US" },
      team: [{ firstName: "Pat", lastName: "Buyer", email: `pat@${customer.name.split(" ")[0]!.toLowerCase()}.example` }],
    } as CustomerProfile;
    const body = {
      name: deal.name, externalReferenceId: opportunityId, type: deal.help ? "Shared" : "Independent", customerProfile,
      consent: { consentToShareReferralWithMicrosoftSellers: deal.help !== null, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: {
        dealValue: deal.value, currency: "USD", closingDateTime: `${deal.closeDate}T00:00:00Z`, notes: deal.notes,
        requirements: { solutions: deal.solutions.map((id) => ({ id, type: "Name" })) },
        additionalRequirements: { attributes: [{ id: "HaveNotDecided", type: "CustomerMarketplaceIntent" }] },
      },
      inviteContext: { assistanceRequestCode: deal.help ?? "Unknown" },
    } as unknown as ReferralCreate;
    const referral = await partnerCenter<Referral>(env, "POST", "/v1.0/engagements/referrals", body);
    if (deal.help) {
      // The connector invites Microsoft on the same engagement, as a co-sell share does.
      await partnerCenter(env, "POST", "/v1.0/engagements/referrals", {
        ...body, externalReferenceId: undefined, engagementId: referral.engagementId, target: [{ type: "BusinessProfileLocation", id: "msft" }],
      });
    }
    for (const id of deal.solutions) {
      await create(env, "msft_microsoftsolutions", {
        msft_name: id,
        "msft_opportunity@odata.bind": bind(Tables.opportunity, opportunityId),
        "msft_solutiondetail@odata.bind": `/msft_microsoftsolutiondetails(${solutionDetails.get(id)!})`,
      });
    }
    await webApi(env, "PATCH", `${Tables.opportunity.entitySetName}(${opportunityId})`, {
      [S.name]: `${deal.name} ${deal.mark}`,
      [MSFT.referralId]: referral.id,
      [MSFT.link]: microsoftLink(referral.id),
      [MSFT.audit]: `${referral.createdDateTime ?? new Date().toISOString()} Referral created in Partner Center by the Partner Center Referrals Synchronization flows.`,
    });
    return { opportunityId, referral };
  }

  /** A Microsoft seller's referral the partner accepted: the flows made it an opportunity and noted Microsoft's CRM id. */
  async function acceptedMicrosoftReferral(): Promise<{ opportunityId: string; referralId: string; name: string; microsoftCrmId: string }> {
    const name = "Adventure Works modernization";
    const microsoftCrmId = "7-2WDJ8UQ4HX";
    const sent = await fetch(`${env.partnerCenter.url}/_sandbox/microsoft/referrals`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        name,
        customerProfile: { name: "Adventure Works Cycles", address: { addressLine1: "5 Bike Way", city: "Bothell", state: "WA", postalCode: "98011", country: "US" }, team: [{ firstName: "Kim", lastName: "Abercrombie", email: "kim@adventure-works.example" }] },
        details: { dealValue: 150000, currency: "USD", closingDateTime: `${closeDate}T00:00:00Z`, notes: "Move the ERP to Azure." },
      }),
    });
    if (!sent.ok) throw new Error(`Seeding Microsoft's connector records: the Microsoft seller surface answered ${sent.status} ${await sent.text()}`);
    const invitation = (await sent.json()) as Referral;
    const help = invitation.inviteContext?.assistanceRequestCode;
    const accountId = await create(env, Tables.account.entitySetName, { [AccountColumns.name]: "Adventure Works Cycles", [AccountColumns.city]: "Bothell", [AccountColumns.country]: "US" });
    const opportunityId = await create(env, Tables.opportunity.entitySetName, {
      [S.name]: `${name} ✔`, [S.estimatedValue]: 150000, [S.estimatedCloseDate]: closeDate, [S.description]: "Move the ERP to Azure.",
      [`${S.transactionCurrency}@odata.bind`]: bind(Tables.transactionCurrency, usd!),
      [`${S.parentAccount}@odata.bind`]: bind(Tables.account, accountId),
      [MSFT.sync]: true, [MSFT.visible]: invitation.consent.consentToShareReferralWithMicrosoftSellers === true,
      ...(help && help !== "Unknown" ? { [MSFT.help]: MICROSOFT_HELP_VALUES[help] } : {}),
      [MSFT.referralId]: invitation.id, [MSFT.link]: microsoftLink(invitation.id), [MSFT.crmId]: microsoftCrmId,
      [MSFT.audit]: `${invitation.createdDateTime ?? ""} Referral accepted in Dynamics 365.`,
    });
    await partnerCenter(env, "PATCH", `/v1.0/engagements/referrals/${invitation.id}`, [
      { op: "replace", path: "/status", value: "Active" },
      { op: "replace", path: "/substatus", value: "Accepted" },
      { op: "add", path: "/externalReferenceId", value: opportunityId },
    ], { "If-Match": invitation.eTag });
    await fetch(`${env.partnerCenter.url}/_sandbox/microsoft/engagements/${invitation.engagementId}`, {
      method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ externalReferenceId: microsoftCrmId }),
    });
    return { opportunityId, referralId: invitation.id, name, microsoftCrmId };
  }

  const contoso = await linkedDeal(
    { name: "Contoso ERP rollout", value: 180000, closeDate, notes: "Dynamics 365 Finance for 3 subsidiaries.", help: "ProofOfConceptOrDemo", solutions: ["SOL-10001-AAA", "SOL-10002-BBB"], mark: "✔" },
    { name: "Contoso Pharmaceuticals", city: "Boston", postalCode: "02110", state: "MA" },
  );
  const northwind = await linkedDeal(
    { name: "Northwind analytics platform", value: 64000, closeDate, notes: "Power BI Premium roll-out.", help: null, solutions: [], mark: "✔" },
    { name: "Northwind Traders", city: "Portland", postalCode: "97201", state: "OR" },
  );
  const fabrikam = await linkedDeal(
    { name: "Fabrikam data estate", value: 90000, closeDate, notes: "Azure SQL migration.", help: null, solutions: [], mark: "✖" },
    { name: "Fabrikam Inc", city: "Denver", postalCode: "80202", state: "CO" },
  );
  const adventureWorks = await acceptedMicrosoftReferral();
  // A seller raised the value after the flows stopped syncing this deal (hence the ✖).
  const raisedValue = 95000;
  await webApi(env, "PATCH", `${Tables.opportunity.entitySetName}(${fabrikam.opportunityId})`, { [S.estimatedValue]: raisedValue });

  // "Copy" of the Contoso opportunity: Dynamics 365 copies Microsoft's columns along.
  const copyOpportunityId = await create(env, Tables.opportunity.entitySetName, {
    [S.name]: "Contoso ERP rollout (copy) ✔", [S.estimatedValue]: 180000,
    [`${S.transactionCurrency}@odata.bind`]: bind(Tables.transactionCurrency, usd),
    [MSFT.sync]: true, [MSFT.referralId]: contoso.referral.id, [MSFT.link]: microsoftLink(contoso.referral.id),
  });
  const goneReferralId = randomUUID();
  const goneOpportunityId = await create(env, Tables.opportunity.entitySetName, {
    [S.name]: "Litware retired deal ✔", [S.estimatedValue]: 12000,
    [`${S.transactionCurrency}@odata.bind`]: bind(Tables.transactionCurrency, usd),
    [MSFT.sync]: true, [MSFT.referralId]: goneReferralId, [MSFT.link]: microsoftLink(goneReferralId),
  });

  const inbound = await fetch(`${env.partnerCenter.url}/_sandbox/microsoft/referrals`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      name: "Woodgrove AI pilot",
      customerProfile: { name: "Woodgrove Bank", address: { addressLine1: "1 Harbour Rd", city: "Seattle", state: "WA", postalCode: "98101", country: "US" }, team: [{ firstName: "Ava", lastName: "Chen", email: "ava.chen@woodgrove.example" }] },
      details: { dealValue: 40000, currency: "USD", closingDateTime: `${closeDate}T00:00:00Z`, notes: "Copilot pilot for 200 users." },
    }),
  });
  if (!inbound.ok) throw new Error(`Seeding Microsoft's connector records: the Microsoft seller surface answered ${inbound.status} ${await inbound.text()}`);
  const leadReferral = (await inbound.json()) as Referral;
  const leadId = await create(env, "leads", {
    subject: "Woodgrove AI pilot", firstname: "Ava", lastname: "Chen", companyname: "Woodgrove Bank", emailaddress1: "ava.chen@woodgrove.example",
    [MSFT.referralId]: leadReferral.id, [MSFT.link]: microsoftLink(leadReferral.id),
  });
  await partnerCenter(env, "PATCH", `/v1.0/engagements/referrals/${leadReferral.id}`, [{ op: "add", path: "/externalReferenceId", value: leadId }], { "If-Match": leadReferral.eTag });

  return {
    inStep: [
      { opportunityId: contoso.opportunityId, referralId: contoso.referral.id, name: "Contoso ERP rollout" },
      { opportunityId: northwind.opportunityId, referralId: northwind.referral.id, name: "Northwind analytics platform" },
      adventureWorks,
    ],
    differs: { opportunityId: fabrikam.opportunityId, referralId: fabrikam.referral.id, dealValue: raisedValue },
    copyOpportunityId,
    goneOpportunityId,
    lead: { leadId, referralId: leadReferral.id },
    flowUrl,
  };
}
