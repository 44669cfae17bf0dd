/**
 * The shapes the real Partner Center sends (test/fixtures/partner-center, real-world-contract.md):
 * the backend's client and the stand-in, each with its own schema, must both accept every recorded
 * referral, keep what they do not model, and give percentage and named sales stages one meaning.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { ReferralSchema, isMicrosoftSide, salesStageMeaning } from "../../sync/partner-center/referral-types";
import { referralDisplayName, referralToMappedFields } from "../../sync/engine/opportunity-referral.mapping";
import { RECORDED_REFERRAL_FILES, recordedReferral, seedRecordedReferral } from "../fixtures/partner-center/recorded-referrals";
import { clientFor } from "./partner-center-test-kit";

let sandbox: PartnerCenterSandbox;

beforeAll(async () => {
  sandbox = await startPartnerCenterSandbox({ pageSize: 2 });
});
afterAll(async () => sandbox.close());
beforeEach(() => sandbox.reset());

describe("recorded real-shaped referrals", () => {
  it.each(RECORDED_REFERRAL_FILES)("%s is read by the client and accepted by the stand-in, unknown fields kept", async (file) => {
    const recorded = recordedReferral(file);
    expect(ReferralSchema.safeParse(recorded).error).toBeUndefined();

    const seeded = await seedRecordedReferral(sandbox.url, recorded);
    expect(seeded.status, await seeded.clone().text()).toBe(201);
    // Everything Partner Center sent comes back, modelled or not (links and eTag are the stand-in's own).
    const served = (await (await fetch(`${sandbox.url}/v1.0/engagements/referrals/${String(recorded.id)}`, { headers: { authorization: "Bearer t" } })).json()) as Record<string, unknown>;
    const { links: _links, eTag: _eTag, ...rest } = recorded;
    expect(served).toMatchObject(rest);
    // The client keeps every field too; only dealValue is made a number.
    const read = (await clientFor(sandbox.url).get(String(recorded.id))) as Record<string, unknown>;
    expect(Object.keys(read).sort()).toEqual(Object.keys(served).sort());
    expect(read.details).toMatchObject({ ...(rest.details as object), ...(typeof (rest.details as { dealValue?: unknown }).dealValue === "string" ? { dealValue: Number((rest.details as { dealValue: string }).dealValue) } : {}) });
  });

  it("the stand-in refuses a referral outside the documented shape, naming the field", async () => {
    const response = await seedRecordedReferral(sandbox.url, { ...recordedReferral("won-percentage-stage.json"), substatus: "OnHold" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalidRequest", message: expect.stringContaining("substatus") } });
  });

  it("lists all of them over several pages, Microsoft's side told by its target", async () => {
    for (const file of RECORDED_REFERRAL_FILES) expect((await seedRecordedReferral(sandbox.url, recordedReferral(file))).status).toBe(201);
    const pages = [];
    for await (const page of clientFor(sandbox.url).pages()) pages.push(page);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.flatMap((page) => page.unreadable)).toEqual([]);
    // A plain list holds the partner's own referrals; Microsoft's side shows on its engagement only.
    const listed = pages.flatMap((page) => page.value);
    expect(listed).toHaveLength(RECORDED_REFERRAL_FILES.length - 1);
    expect(listed.some(isMicrosoftSide)).toBe(false);
    expect(isMicrosoftSide(ReferralSchema.parse(recordedReferral("microsoft-side-of-engagement.json")))).toBe(true);
    // Invited by Microsoft is not Microsoft's side: it is the partner's referral.
    expect(isMicrosoftSide(ReferralSchema.parse(recordedReferral("microsoft-invited-named-stage.json")))).toBe(false);
  });
});

describe("meaning of the real shapes", () => {
  it("sales stages as percentages and as names mean the same stage; an unknown one means nothing", () => {
    expect(["10", "20", "40", "60", "80", "100"].map(salesStageMeaning)).toEqual(["Qualify", "Qualify", "Develop", "Propose", "Close", "Close"]);
    expect(["Qualify", "develop", "Propose", "Close"].map(salesStageMeaning)).toEqual(["Qualify", "Develop", "Propose", "Close"]);
    expect(salesStageMeaning("55")).toBeNull();
    expect(salesStageMeaning(null)).toBeNull();
  });

  it("a nameless lead is named after its customer, so the opportunity has a sensible name and nothing is pushed back", () => {
    const lead = ReferralSchema.parse(recordedReferral("nameless-marketplace-lead.json"));
    expect(referralToMappedFields(lead).name).toBe("Tailspin Toys");
    expect(referralDisplayName({ id: "r-1", name: null, customerProfile: { name: "  " } })).toBe("Partner Center referral r-1");
  });

  it("a referral closed as Error maps to the Closed / Error status", () => {
    const closed = ReferralSchema.parse(recordedReferral("closed-as-error.json"));
    expect(referralToMappedFields(closed).status).toEqual({ status: "Closed", substatus: "Error" });
  });
});
