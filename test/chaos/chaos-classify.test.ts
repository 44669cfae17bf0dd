/** How the chaos run tells a knowable lost update from a conflict the policy settled (chaos-kit.ts). */
import { describe, expect, it } from "vitest";
import { classifyOverruled, type Pair } from "../bench/chaos-kit";

const t = (s: string) => Date.parse(`2026-11-25T10:00:${s}Z`);

function pair(journal: Pair["journal"]): Pair {
  return { label: "crm-1", origin: "crm", opportunityId: "o", referralId: "r", lastWrite: new Map(), journal, frozen: null, busy: false, incoming: false, accepted: false };
}

describe("chaos: an overruled last write", () => {
  it("is the policy's when the services' reported times cannot order it against the CRM write that was kept", () => {
    // The seller's save reported in :10 (Dataverse's second), Partner Center's edit at :12.500: a tie.
    const p = pair([
      { at: "", side: "crm", field: "notes", value: "Seller", reportedAt: t("10.000") },
      { at: "", side: "pc", field: "notes", value: "Partner Center", reportedAt: t("12.500") },
    ]);
    expect(classifyOverruled(p, "notes", "Seller", "Seller")).toMatchObject({ kind: "policy" });
  });

  it("is a knowable lost update when the reported times prove the last write the later one", () => {
    const p = pair([
      { at: "", side: "crm", field: "notes", value: "Seller", reportedAt: t("10.000") },
      { at: "", side: "pc", field: "notes", value: "Partner Center", reportedAt: t("13.100") },
    ]);
    expect(classifyOverruled(p, "notes", "Seller", "Seller")).toMatchObject({ kind: "knowable" });
  });

  it("is a knowable lost update when a tie went to Partner Center, the sides differ, or an older write of the same side won", () => {
    const tie = pair([
      { at: "", side: "pc", field: "notes", value: "Partner Center", reportedAt: t("10.500") },
      { at: "", side: "crm", field: "notes", value: "Seller", reportedAt: t("11.000") },
    ]);
    expect(classifyOverruled(tie, "notes", "Partner Center", "Partner Center")).toMatchObject({ kind: "knowable" });
    expect(classifyOverruled(tie, "notes", "Seller", "Partner Center")).toMatchObject({ kind: "knowable", why: "the sides differ" });
    const sameSide = pair([
      { at: "", side: "crm", field: "notes", value: "Old", reportedAt: t("10.000") },
      { at: "", side: "crm", field: "notes", value: "New", reportedAt: t("10.000") },
    ]);
    expect(classifyOverruled(sameSide, "notes", "Old", "Old")).toMatchObject({ kind: "knowable" });
  });
});
