import { describe, expect, it } from "vitest";
import { DataverseError } from "../../sync/dataverse/dataverse-error";
import { PartnerCenterError } from "../../sync/partner-center/partner-center-error";
import { describeSyncError } from "../../sync/worker/sync-error-message";

describe("the reason a seller reads in Sync Error", () => {
  it("keeps Partner Center's own words and drops the request line", () => {
    const error = new PartnerCenterError("PATCH /v1.0/engagements/referrals/abc failed with HTTP 400: A co-sell referral needs a customer contact", {
      status: 400, code: "invalidRequest", retryable: false,
    });
    expect(describeSyncError(error)).toBe("Partner Center refused the change: A co-sell referral needs a customer contact");
  });

  it("says what to do for outages, throttling and sign-in problems", () => {
    expect(describeSyncError(new PartnerCenterError("x", { status: 503, code: "serviceUnavailable", retryable: true }))).toMatch(/not answering right now \(503\)\. Use Sync now/);
    expect(describeSyncError(new PartnerCenterError("x", { status: 429, code: "tooManyRequests", retryable: true }))).toMatch(/slow down/);
    expect(describeSyncError(new PartnerCenterError("x", { status: 401, code: "unauthorized", retryable: false }))).toMatch(/cosell login/);
    expect(describeSyncError(new DataverseError("PATCH /api/data/v9.2/opportunities(1) → 400 0x80040203: bad value", { status: 400 }))).toBe(
      "Dataverse refused the change: bad value",
    );
  });
});
