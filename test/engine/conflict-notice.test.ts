import { describe, expect, it } from "vitest";
import { OpportunityColumns as C, parseConflictNotice } from "../../entities";
import { EMPTY_MAPPED_FIELDS, conflictNoticeColumns, mergeLink, type MappedFields } from "../../sync/engine";

const fields = (over: Partial<MappedFields>): MappedFields => ({ ...EMPTY_MAPPED_FIELDS, name: "Contoso", ...over });

describe("conflict notice", () => {
  it("tells the seller which fields changed in Partner Center too, the value that did not win and who decided", () => {
    const merge = mergeLink({
      base: fields({ notes: "a", dealValue: 1 }),
      crm: fields({ notes: "Seller's notes", dealValue: 2 }),
      partnerCenter: fields({ notes: "Partner Center's notes", dealValue: 3 }),
      crmModifiedAt: null,
      partnerCenterModifiedAt: null,
      at: "2026-11-25T10:00:15.000Z",
      policy: { default: "latest-wins", fields: { dealValue: "partner-center-wins" } },
    });
    const columns = conflictNoticeColumns(merge.conflicts, "2026-11-25T10:00:15.000Z");
    expect(parseConflictNotice(columns[C.conflictNotice])).toEqual({
      at: "2026-11-25T10:00:15.000Z",
      fields: [
        { label: "deal value", kept: "partnerCenter", otherValue: "2", settledBy: "policy" },
        { label: "notes", kept: "crm", otherValue: "Partner Center's notes", settledBy: "policy" },
      ],
    });
    // A merge without conflicts leaves the last notice alone.
    expect(conflictNoticeColumns([], "2026-11-25T10:00:16.000Z")).toEqual({});
  });

  it("reads nothing from an empty column or text that is not a notice", () => {
    for (const text of [null, "", "  ", "not json", "{}", '{"at":"x","fields":[{"label":1}]}']) expect(parseConflictNotice(text)).toBeNull();
  });
});
