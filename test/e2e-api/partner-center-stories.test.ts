/**
 * Partner Center → CRM and the status stories, at the API level over real HTTP: a deal created in
 * Partner Center, an inbound Microsoft referral, accept, decline, won, lost, stop syncing, sync now.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccountColumns,
  ContactColumns,
  OpportunityState,
  ReferralDirection,
  ReferralStatus,
  SyncStatus,
  Tables,
} from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { isMicrosoftSide } from "../../sync/partner-center/referral-types";
import {
  C,
  S,
  callsOf,
  counters,
  createPartnerCenterDeal,
  createSharableOpportunity,
  getReferral,
  listReferrals,
  patchReferral,
  readOpportunity,
  resetCounters,
  sendMicrosoftReferral,
  setFaults,
  settle,
  updateOpportunity,
  waitFor,
  waitForSynced,
  webApi,
} from "./story-kit";

let env: SandboxEnvironment;
beforeAll(async () => {
  env = await startSandboxEnvironment({ maxAttempts: 2 });
});
afterAll(() => env?.close());

async function opportunityForReferral(referralId: string): Promise<Record<string, unknown>> {
  return waitFor(`opportunity for ${referralId}`, async () => {
    const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$filter=${C.referralIdentifier} eq '${referralId}'`);
    const rows = json.value as Record<string, unknown>[];
    return rows.length > 0 && rows[0]![C.syncStatus] === SyncStatus.Synced ? rows[0] : null;
  });
}

describe("Partner Center → CRM", () => {
  it("a deal created in Partner Center appears as an opportunity with its account and contacts, ✔ Synced", async () => {
    const deal = await createPartnerCenterDeal(env, {
      name: "Contoso analytics",
      type: "Independent",
      customerProfile: {
        name: "Contoso Pharma GmbH",
        address: { addressLine1: "Hauptstr. 1", city: "Berlin", postalCode: "10115", country: "DE" },
        team: [{ firstName: "Jonas", lastName: "Weber", email: "jonas.weber@contoso-pharma.example" }],
      },
      consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: { dealValue: 25000, currency: "EUR", closingDateTime: "2027-06-30T00:00:00Z", notes: "From the PC portal" },
    });
    const opportunity = await opportunityForReferral(deal.id);
    expect(opportunity[S.name]).toBe("Contoso analytics");
    expect(opportunity[S.estimatedValue]).toBe(25000);
    expect(opportunity[S.description]).toBe("From the PC portal");
    expect(opportunity[C.syncWithPartnerCenter]).toBe(true);
    expect(opportunity[C.referralDirection]).toBe(ReferralDirection.Outgoing);
    const accountId = opportunity[`_${S.parentAccount}_value`] as string;
    const account = (await webApi(env, "GET", `${Tables.account.entitySetName}(${accountId})`)).json;
    expect(account[AccountColumns.name]).toBe("Contoso Pharma GmbH");
    const contacts = (await webApi(env, "GET", `${Tables.contact.entitySetName}?$filter=${ContactColumns.email} eq 'jonas.weber@contoso-pharma.example'`)).json.value as unknown[];
    expect(contacts).toHaveLength(1);
    await waitFor("externalReferenceId", async () => (await getReferral(env, deal.id)).externalReferenceId === opportunity[S.id]);
  });

  it("a new customer's account and its team are created in one request (deep insert)", async () => {
    await settle(env);
    await resetCounters(env.dataverse.url);
    const deal = await createPartnerCenterDeal(env, {
      name: "Fabrikam rollout",
      type: "Independent",
      customerProfile: {
        name: "Fabrikam Deep Insert Ltd",
        address: { addressLine1: "1 High St", city: "Leeds", postalCode: "LS1 1AA", country: "GB" },
        team: [
          { firstName: "Olivia", lastName: "Hart", email: "olivia.hart@fabrikam-deep.example" },
          { firstName: "Noah", lastName: "Price", email: "noah.price@fabrikam-deep.example" },
        ],
      },
      consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: { dealValue: 12000, currency: "GBP", closingDateTime: "2027-05-31T00:00:00Z" },
    });
    const opportunity = await opportunityForReferral(deal.id);
    await settle(env);
    const calls = await counters(env.dataverse.url);
    expect(callsOf(calls, "POST", `/${Tables.account.entitySetName}`)).toBe(1);
    expect(callsOf(calls, "POST", `/${Tables.contact.entitySetName}`)).toBe(0);
    const accountId = opportunity[`_${S.parentAccount}_value`] as string;
    const contacts = (await webApi(env, "GET", `${Tables.contact.entitySetName}?$filter=_${ContactColumns.parentCustomer}_value eq ${accountId}`)).json.value as Record<string, unknown>[];
    expect(contacts.map((contact) => contact[ContactColumns.email]).sort()).toEqual(["noah.price@fabrikam-deep.example", "olivia.hart@fabrikam-deep.example"]);
  });

  it("two deals of the same new customer arriving together make one account, not two", async () => {
    const customer = { name: "Northwind Traders S.r.l.", address: { country: "IT", postalCode: "00184", city: "Roma" } };
    const deal = (name: string) =>
      createPartnerCenterDeal(env, {
        name, type: "Independent", customerProfile: customer,
        consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
        details: { dealValue: 5000, currency: "EUR", closingDateTime: "2027-05-31T00:00:00Z" },
      });
    const [a, b] = await Promise.all([deal("Northwind A"), deal("Northwind B")]);
    const first = await opportunityForReferral(a.id);
    const second = await opportunityForReferral(b.id);
    expect(first[`_${S.parentAccount}_value`]).toBe(second[`_${S.parentAccount}_value`]);
    const { json } = await webApi(env, "GET", `${Tables.account.entitySetName}?$filter=${AccountColumns.postalCode} eq '00184'`);
    expect(json.value).toHaveLength(1);
  });

  it("an edit made in Partner Center reaches the opportunity", async () => {
    const deal = await createPartnerCenterDeal(env, {
      name: "Edit me", type: "Independent",
      customerProfile: { name: "Edit Co", address: { country: "FR", postalCode: "75001" } },
      consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
      details: { dealValue: 1000, currency: "EUR", closingDateTime: "2027-01-31T00:00:00Z" },
    });
    const opportunity = await opportunityForReferral(deal.id);
    await settle(env);
    await patchReferral(env, deal.id, [{ op: "replace", path: "/details/dealValue", value: 1500 }]);
    await waitFor("new value", async () => (await readOpportunity(env, opportunity[S.id] as string))[S.estimatedValue] === 1500);
    const row = await readOpportunity(env, opportunity[S.id] as string);
    expect(String(row[C.audit]).split("\n")[0]).toMatch(/Partner Center → CRM \| updated \| deal value 1000 → 1500/);
  });

  it("an inbound Microsoft referral appears, is accepted from CRM, and Partner Center follows", async () => {
    const inbound = await sendMicrosoftReferral(env, { name: "Microsoft lead: Woodgrove" });
    const opportunity = await opportunityForReferral(inbound.id);
    expect(opportunity[C.referralDirection]).toBe(ReferralDirection.Incoming);
    expect(opportunity[C.referralStatus]).toBe(ReferralStatus.NewPending);
    await settle(env);
    await updateOpportunity(env, opportunity[S.id] as string, { [C.referralStatus]: ReferralStatus.ActiveAccepted });
    await waitFor("Active/Accepted", async () => {
      const referral = await getReferral(env, inbound.id);
      return referral.status === "Active" && referral.substatus === "Accepted";
    });
  });

  it("Microsoft's side of an engagement never becomes an opportunity of its own", async () => {
    const inbound = await sendMicrosoftReferral(env, { name: "Microsoft lead: Litware" });
    await opportunityForReferral(inbound.id);
    const { shareable } = { shareable: await createSharableOpportunity(env) };
    await waitForSynced(env, shareable.opportunityId);
    await settle(env);
    const engagements = [inbound.engagementId, (await getReferral(env, (await readOpportunity(env, shareable.opportunityId))[C.referralIdentifier] as string)).engagementId];
    for (const engagementId of engagements) {
      const all = await listReferrals(env, `engagementId eq '${engagementId}'`);
      const microsoftSide = all.filter((r) => isMicrosoftSide(r));
      expect(microsoftSide.length, `Microsoft side of ${engagementId}`).toBe(1);
      const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$filter=${C.referralIdentifier} eq '${microsoftSide[0]!.id}'`);
      expect(json.value).toEqual([]);
    }
  });

  it("an inbound referral declined with a reason closes as Declined with that reason", async () => {
    const inbound = await sendMicrosoftReferral(env, { name: "Microsoft lead: Tailspin" });
    const opportunity = await opportunityForReferral(inbound.id);
    await settle(env);
    await updateOpportunity(env, opportunity[S.id] as string, { [C.referralStatus]: ReferralStatus.ClosedDeclined, [C.statusReason]: "No capacity this quarter" });
    const referral = await waitFor("Closed/Declined", async () => {
      const r = await getReferral(env, inbound.id);
      return r.status === "Closed" && r.substatus === "Declined" ? r : null;
    });
    expect(referral.statusReason).toBe("No capacity this quarter");
  });

  it("a decline without a reason is not sent: the record asks for the reason, and the decline goes once it is given", async () => {
    const inbound = await sendMicrosoftReferral(env, { name: "Microsoft lead: Wingtip" });
    const opportunity = await opportunityForReferral(inbound.id);
    await settle(env);
    await updateOpportunity(env, opportunity[S.id] as string, { [C.referralStatus]: ReferralStatus.ClosedDeclined });
    const asked = await waitFor("the reason asked for", async () => {
      const row = await readOpportunity(env, opportunity[S.id] as string);
      return row[C.syncStatus] === SyncStatus.Error ? row : null;
    });
    expect(asked[C.syncError]).toBe('Not closed in Partner Center: closing it as declined needs a reason. Fill in "Status Reason" and save again.');
    await settle(env);
    expect((await getReferral(env, inbound.id)).status).not.toBe("Closed");
    await updateOpportunity(env, opportunity[S.id] as string, { [C.statusReason]: "Outside our region" });
    const referral = await waitFor("Closed/Declined", async () => {
      const r = await getReferral(env, inbound.id);
      return r.status === "Closed" && r.substatus === "Declined" ? r : null;
    });
    expect(referral.statusReason).toBe("Outside our region");
    await waitFor("synced again", async () => (await readOpportunity(env, opportunity[S.id] as string))[C.syncStatus] === SyncStatus.Synced);
  });
});

describe("status and control stories", () => {
  it("closing the opportunity as won closes the referral as Won", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await webApi(env, "POST", "WinOpportunity", {
      OpportunityClose: { subject: "Won", [`opportunityid@odata.bind`]: `/${Tables.opportunity.entitySetName}(${opportunityId})` },
      Status: 3,
    });
    await waitFor("Closed/Won", async () => {
      const r = await getReferral(env, synced[C.referralIdentifier] as string);
      return r.status === "Closed" && r.substatus === "Won";
    });
  });

  it("a referral lost in Partner Center closes the opportunity as lost", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await patchReferral(env, synced[C.referralIdentifier] as string, [
      { op: "replace", path: "/status", value: "Closed" },
      { op: "replace", path: "/substatus", value: "Lost" },
      { op: "add", path: "/statusReason", value: "Customer chose a competitor" },
    ]);
    const row = await waitFor("opportunity lost", async () => {
      const r = await readOpportunity(env, opportunityId);
      return r[S.stateCode] === OpportunityState.Lost ? r : null;
    });
    expect(row[C.referralStatus]).toBe(ReferralStatus.ClosedLost);
  });

  it("stop syncing: the switch off shows Not synced and later edits stay in CRM", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    await settle(env);
    await updateOpportunity(env, opportunityId, { [C.syncWithPartnerCenter]: false });
    await waitFor("Not synced", async () => (await readOpportunity(env, opportunityId))[C.syncStatus] === SyncStatus.NotSynced);
    await updateOpportunity(env, opportunityId, { [S.estimatedValue]: 99999 });
    await settle(env);
    expect((await getReferral(env, synced[C.referralIdentifier] as string)).details.dealValue).toBe(10000);
  });

  it("Partner Center failing shows Error with its reason; Sync now after the fault clears brings ✔ back", async () => {
    await setFaults(env.partnerCenter.url, { serverErrorRate: 1 });
    try {
      const { opportunityId } = await createSharableOpportunity(env);
      const failed = await waitFor(
        "Error",
        async () => {
          const r = await readOpportunity(env, opportunityId);
          return r[C.syncStatus] === SyncStatus.Error ? r : null;
        },
        30_000,
      );
      expect(String(failed[C.syncError])).toMatch(/Partner Center is not answering/);
      await setFaults(env.partnerCenter.url, {});
      await updateOpportunity(env, opportunityId, { [C.syncRequestedOn]: new Date().toISOString() });
      const synced = await waitForSynced(env, opportunityId);
      expect(synced[C.referralIdentifier]).toBeTruthy();
      expect(synced[C.syncError]).toBeNull();
    } finally {
      await setFaults(env.partnerCenter.url, {});
    }
  });
});
