/** How the switch recognizes Microsoft's connector in an org whose names it cannot know for sure. */
import { describe, expect, it } from "vitest";
import { stripCheckMark } from "../../sync/switch/adoption";
import { columnsByRole, type AttributeInfo } from "../../sync/switch/microsoft-connector-discovery";
import { microsoftFlowOf } from "../../sync/switch/switch-plan";

const column = (logicalName: string, type: string, label: string): AttributeInfo => ({ logicalName, type, label, targets: [] });

describe("Microsoft's columns by role", () => {
  it("takes the names seen in a real org when the org has them with the expected type", () => {
    const found = columnsByRole(
      [column("msft_microsoftpartnercenterreferralidentifier", "String", "Referral Identifier"), column("msft_microsoftpartnercenterreferralsync", "Boolean", "Sync With Partner Center")],
      "msft",
      ["referralId", "sync"],
    );
    expect(found).toEqual({ referralId: "msft_microsoftpartnercenterreferralidentifier", sync: "msft_microsoftpartnercenterreferralsync" });
  });

  it("finds a column under another name by its label, only with the publisher's prefix and the right type", () => {
    const found = columnsByRole(
      [
        column("msft_pcreferralid", "String", "Referral Identifier"),
        column("new_referralid", "String", "Referral Identifier"),
        column("msft_helpneeded", "Picklist", "How can Microsoft help?"),
        column("msft_syncflag", "String", "Sync With Partner Center"),
      ],
      "msft",
      ["referralId", "help", "sync"],
    );
    expect(found).toEqual({ referralId: "msft_pcreferralid", help: "msft_helpneeded" });
  });

  it("leaves a role out when two columns could play it", () => {
    const found = columnsByRole([column("msft_a", "String", "Referral Id"), column("msft_b", "String", "Referral Identifier")], "msft", ["referralId"]);
    expect(found).toEqual({});
  });
});

describe("names and webhook URLs", () => {
  it("strips the ✔ or ✖ Microsoft's setting appended, and nothing else", () => {
    expect(stripCheckMark("Contoso ERP rollout ✔")).toBe("Contoso ERP rollout");
    expect(stripCheckMark("Fabrikam data estate ✖")).toBe("Fabrikam data estate");
    expect(stripCheckMark("Fabrikam data estate")).toBeNull();
    expect(stripCheckMark("✔")).toBeNull();
  });

  it("calls a webhook URL Microsoft's only when it triggers one of the connector's flows", () => {
    const flows = [{ id: "0d0d50ab-85c8-4c5e-9a1b-2f3e4d5c6b7a", name: "Partner Center Referrals - Webhook listener", on: true }];
    const trigger = (id: string) => `https://prod-27.westeurope.logic.azure.com:443/workflows/${id}/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x`;
    expect(microsoftFlowOf(trigger("0D0D50AB85C84C5E9A1B2F3E4D5C6B7A"), flows)).toBe(flows[0]);
    expect(microsoftFlowOf(trigger("{0d0d50ab-85c8-4c5e-9a1b-2f3e4d5c6b7a}"), flows)).toBe(flows[0]);
    // Another tool's Logic App or Power Automate flow is not Microsoft's connector.
    expect(microsoftFlowOf(trigger("9f1c2a7be0d34c51b8a6e2d4f7c3a915"), flows)).toBeNull();
    expect(microsoftFlowOf("https://cipp.contoso.com/api/PublicWebhooks", flows)).toBeNull();
    expect(microsoftFlowOf("not a url", flows)).toBeNull();
  });
});
