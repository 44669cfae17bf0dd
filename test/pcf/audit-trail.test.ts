/** pcc_audit read as a timeline: newest first, and nothing the backend (or anyone) wrote is lost. */
import { expect, it } from "vitest";
import { parseAuditLine, parseAuditTrail } from "../../pcf/CoSellSection/mapping/audit-trail";
import { formatRelativeTime } from "../../pcf/CoSellSection/mapping/relative-time";

it("reads the backend's audit line format", () => {
  expect(parseAuditLine("2026-11-25T10:03:12Z | CRM → Partner Center | updated | deal value 10000 → 12000")).toEqual({
    kind: "change",
    at: new Date("2026-11-25T10:03:12Z"),
    direction: "CRM → Partner Center",
    action: "updated",
    detail: "deal value 10000 → 12000",
  });
});

it.each([
  "someone typed this by hand",
  "2026-13-45T99:99:99Z | CRM → Partner Center | updated | impossible date",
  "2026-11-25T10:03:12Z | only two parts",
  "2026-11-25T10:03:12Z |  | updated | no direction",
])("keeps a line it cannot read as text: %s", (line) => {
  expect(parseAuditLine(line)).toEqual({ kind: "text", text: line });
});

it("puts the newest change first and keeps an unreadable line after the change it followed", () => {
  const text = [
    "2026-11-25T09:00:00Z | Partner Center → CRM | created | referral",
    "2026-11-25T10:03:12Z | CRM → Partner Center | updated | deal value 10000 → 12000",
    "  note: value approved by finance",
    "",
    "2026-11-24T08:00:00Z | CRM → Partner Center | linked | opportunity",
  ].join("\n");
  expect(parseAuditTrail(text).map((e) => (e.kind === "change" ? e.detail : e.text))).toEqual([
    "deal value 10000 → 12000",
    "  note: value approved by finance",
    "referral",
    "opportunity",
  ]);
  expect(parseAuditTrail(null)).toEqual([]);
});

it.each([
  [10, "en-US", "now"],
  [3 * 60 + 50, "en-US", "3 minutes ago"],
  [3 * 60, "it-IT", "3 minuti fa"],
  [5 * 3600, "en-US", "5 hours ago"],
  [-30, "en-US", "now"],
])("says %i seconds ago in %s as %s", (seconds, locale, text) => {
  const now = new Date("2026-11-25T10:06:12Z");
  expect(formatRelativeTime(new Date(now.getTime() - seconds * 1000), now, locale)).toBe(text);
});
