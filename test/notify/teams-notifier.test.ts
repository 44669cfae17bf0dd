/**
 * The Teams card of a new Microsoft referral, posted to a local receiver that checks it with the
 * Adaptive Cards SDK: what the card says, delivery retried on throttling and server errors, given up
 * (logged and counted) on a wrong URL or after the bounded attempts, and never posted twice.
 */
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isFromMicrosoftSeller, opportunityRecordUrl, referralCard } from "../../sync/notify/referral-card";
import { TeamsNotifier } from "../../sync/notify/teams-notifier";
import { SyncMetrics } from "../../sync/observability/metrics";
import { ReferralSchema, type Referral } from "../../sync/partner-center/referral-types";
import { openSqliteSyncStore, type SyncStore } from "../../sync/store";
import { checkTeamsMessage, startTeamsReceiver, type TeamsReceiver } from "../support/teams-receiver";

function microsoftReferral(overrides: Record<string, unknown> = {}): Referral {
  return ReferralSchema.parse({
    id: `ref-${Math.random().toString(36).slice(2, 10)}`,
    engagementId: "eng-1",
    name: "Contoso data platform",
    createdDateTime: "2026-12-01T09:00:00Z",
    updatedDateTime: "2026-12-01T09:00:00Z",
    status: "New",
    substatus: "Pending",
    type: "Shared",
    direction: "Incoming",
    qualification: "SalesQualified",
    customerProfile: { name: "Contoso Pharma GmbH", address: { country: "DE" } },
    consent: { consentToContact: true },
    details: { dealValue: 125000, currency: "EUR", closingDateTime: "2027-03-31T00:00:00Z", requirements: { products: [{ id: "Azure Synapse" }] } },
    team: [{ firstName: "Anna", lastName: "Schmidt", email: "anna.schmidt@microsoft.example" }],
    inviteContext: { invitedBy: { organizationId: "msft", organizationName: "Microsoft" }, assistanceRequestCode: "ProofOfConceptOrDemo", notes: "Customer wants a PoC before Q2." },
    target: [{ type: "BusinessProfileLocation", id: "partner-1" }],
    eTag: "\"1\"",
    ...overrides,
  });
}

const fast = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 2_000 };

describe("the referral card", () => {
  it("shows customer, value, close date, what Microsoft asks for and links to the opportunity, and the SDK finds nothing wrong", () => {
    const referral = microsoftReferral();
    const opportunityUrl = opportunityRecordUrl("https://contoso.crm4.dynamics.com", "0f8fad5b-d9cb-469f-a165-70867728950e");
    const { card, problems } = checkTeamsMessage(referralCard({ referral, opportunityUrl, referralUrl: "https://partner.microsoft.com/referrals/x" }));
    expect(problems).toEqual([]);
    const text = JSON.stringify(card);
    for (const expected of ["Contoso Pharma GmbH", "€125,000.00", "2027-03-31", "Proof of concept or demo", "Azure Synapse", "Anna Schmidt", "Customer wants a PoC before Q2."]) {
      expect(text).toContain(expected);
    }
    expect(opportunityUrl).toBe("https://contoso.crm4.dynamics.com/main.aspx?pagetype=entityrecord&etn=opportunity&id=0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(card.actions).toContainEqual(expect.objectContaining({ type: "Action.OpenUrl", url: opportunityUrl }));
  });

  it("a card the SDK would refuse is caught by the receiver's check (the check can fail)", () => {
    const message = referralCard({ referral: microsoftReferral(), opportunityUrl: "https://x.example/o", referralUrl: "https://x.example/r" });
    const content = message.attachments[0].content;
    const broken = { ...message, attachments: [{ ...message.attachments[0], content: { ...content, actions: [{ type: "Action.OpenUrl", title: "no url" }], body: [{ type: "Bogus" }] } }] };
    expect(checkTeamsMessage(broken).problems).toEqual([expect.stringContaining("Bogus"), expect.stringContaining("url")]);
  });

  it("is only for referrals a Microsoft seller sent: not marketplace leads, not our own deals", () => {
    expect(isFromMicrosoftSeller(microsoftReferral())).toBe(true);
    expect(isFromMicrosoftSeller(microsoftReferral({ inviteContext: { invitedBy: { organizationId: null } } }))).toBe(false);
    expect(isFromMicrosoftSeller(microsoftReferral({ direction: "Outgoing", inviteContext: null }))).toBe(false);
  });
});

describe("TeamsNotifier", () => {
  let receiver: TeamsReceiver;
  let store: SyncStore;
  let metrics: SyncMetrics;
  let webhookUrl: string | null;
  let notifier: TeamsNotifier;
  beforeAll(async () => {
    receiver = await startTeamsReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.received.length = 0;
    store = openSqliteSyncStore({ path: ":memory:" });
    metrics = new SyncMetrics();
    webhookUrl = receiver.url;
    notifier = new TeamsNotifier({
      store,
      webhookUrl: () => webhookUrl,
      opportunityUrl: (id) => opportunityRecordUrl("https://contoso.crm4.dynamics.com", id),
      referralUrl: (id) => `https://partner.microsoft.com/referrals/${id}`,
      logger: pino({ level: "silent" }),
      metrics,
      policy: fast,
    });
  });
  afterEach(async () => {
    await notifier.stop();
    await store.close();
  });

  const count = async (outcome: string) => (await metrics.teamsNotifications.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

  it("retries a throttled or failing webhook with backoff and posts the card once it answers", async () => {
    receiver.respondWith(429, 503);
    const referral = microsoftReferral();
    notifier.notify(referral, "opp-1");
    await notifier.idle();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.problems).toEqual([]);
    expect(await store.getReferralNotification(referral.id)).toMatchObject({ state: "sent", attempts: 3, opportunityId: "opp-1" });
    expect([await count("retry"), await count("sent"), await count("failed")]).toEqual([2, 1, 0]);
  });

  it("never posts the same referral twice, even when told again", async () => {
    const referral = microsoftReferral();
    notifier.notify(referral, "opp-1");
    notifier.notify(referral, "opp-1");
    await notifier.idle();
    notifier.notify(referral, "opp-1");
    await notifier.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it("gives up at once on a URL Teams refuses (404), logged and counted as failed; no URL sends nothing", async () => {
    receiver.respondWith(404);
    const referral = microsoftReferral();
    notifier.notify(referral, "opp-1");
    await notifier.idle();
    expect(receiver.received).toHaveLength(0);
    expect(await store.getReferralNotification(referral.id)).toMatchObject({ state: "failed", attempts: 1, lastError: expect.stringContaining("404") });
    expect(await count("failed")).toBe(1);

    webhookUrl = null;
    const other = microsoftReferral();
    notifier.notify(other, "opp-2");
    await notifier.idle();
    expect(await store.getReferralNotification(other.id)).toBeNull();
  });

  it("stops after the bounded attempts when the webhook keeps failing, without throwing", async () => {
    receiver.respondWith(500, 500, 500, 500);
    const referral = microsoftReferral();
    expect(() => notifier.notify(referral, "opp-1")).not.toThrow();
    await notifier.idle();
    expect(await store.getReferralNotification(referral.id)).toMatchObject({ state: "failed", attempts: 3 });
    expect(await count("retry")).toBe(2);
    receiver.respondWith();
  });
});
