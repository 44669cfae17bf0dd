/** How the switch recognizes Microsoft's connector in an org whose names it cannot know for sure. */
import { describe, expect, it } from "vitest";
import { stripCheckMark } from "../../sync/switch/adoption";
import { columnsByRole, type AttributeInfo } from "../../sync/switch/microsoft-connector-discovery";
import { isFlowUrl } from "../../sync/switch/switch-plan";

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

  it("tells a cloud flow's trigger URL from another tool's webhook", () => {
    expect(isFlowUrl("https://prod-27.westeurope.logic.azure.com:443/workflows/0d0d50ab85c8/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x")).toBe(true);
    expect(isFlowUrl("https://cipp.contoso.com/api/PublicWebhooks")).toBe(false);
    expect(isFlowUrl("not a url")).toBe(false);
  });
});
