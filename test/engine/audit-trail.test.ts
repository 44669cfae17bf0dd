import { describe, expect, it } from "vitest";
import { AUDIT_DIRECTIONS, formatAuditLine, parseAuditLine, prependAuditLines, type AuditEntry } from "../../sync/engine";

const entry = (n: number, detail = `deal value ${n} → ${n + 1}`): AuditEntry => ({
  at: new Date(Date.UTC(2026, 10, 25, 10, 3, 12) + n * 1000).toISOString(),
  direction: AUDIT_DIRECTIONS.toPartnerCenter,
  action: "updated",
  detail,
});

describe("audit lines", () => {
  it("formats the documented line, to the second", () => {
    expect(formatAuditLine({ ...entry(0), at: "2026-11-25T10:03:12.987Z", detail: "deal value 10000 → 12000" })).toBe(
      "2026-11-25T10:03:12Z | CRM → Partner Center | updated | deal value 10000 → 12000",
    );
  });

  it("keeps one entry on one line", () => {
    expect(formatAuditLine(entry(0, "notes a\r\nb"))).toMatch(/\| notes a b$/);
  });

  it("prepends newest first and keeps only the newest 200 lines", () => {
    let audit = "";
    for (let i = 0; i < 250; i++) audit = prependAuditLines(audit, [entry(i)]);
    const lines = audit.split("\n");
    expect(lines).toHaveLength(200);
    expect(lines[0]).toContain("deal value 249 → 250");
    expect(lines[199]).toContain("deal value 50 → 51");
  });

  it("drops whole old lines to stay within the column's maximum length", () => {
    const old = prependAuditLines("", [entry(1), entry(2)]);
    const text = prependAuditLines(old, [entry(3)], { maxLength: formatAuditLine(entry(3)).length * 2 + 1 });
    expect(text.split("\n")).toEqual([formatAuditLine(entry(3)), formatAuditLine(entry(1))]);
    expect(prependAuditLines(null, [entry(1)]).length).toBeLessThanOrEqual(100000);
  });

  it("reads back a line it wrote (detail with ' | ' included) and nothing else", () => {
    const entry: AuditEntry = { at: "2026-11-25T10:03:12Z", direction: AUDIT_DIRECTIONS.toCrm, action: "refused", detail: "notes a | b → c: the referral is Closed/Lost" };
    expect(parseAuditLine(formatAuditLine(entry))).toEqual(entry);
    expect(parseAuditLine("someone typed this")).toBeNull();
    expect(parseAuditLine("2026-11-25T10:03:12Z | sideways | updated | x")).toBeNull();
    expect(parseAuditLine("yesterday | CRM → Partner Center | updated | x")).toBeNull();
  });
});

