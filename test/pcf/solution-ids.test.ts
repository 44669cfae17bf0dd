/** The co-sell solution id rules the tag input applies while the seller types. */
import { describe, expect, it } from "vitest";
import {
  addSolutionIds,
  checkDraft,
  diagnoseSolutionId,
  parseSolutionIds,
  serializeSolutionIds,
} from "../../pcf/CoSellSection/mapping/solution-ids";

describe("diagnoseSolutionId", () => {
  it.each(["SOL-12345-ABC", "sol-00000-a1z", " SOL-99999-999 "])("accepts %s", (id) => {
    expect(diagnoseSolutionId(id)).toBeNull();
  });

  it.each([
    ["XOL-12345-ABC", "prefix"],
    ["SOL12345-ABC", "prefix"],
    ["SOL-12a45-ABC", "digits"],
    ["SOL-123456-ABC", "digits"],
    ["SOL-12345_ABC", "suffix"],
    ["SOL-12345-AB!", "suffix"],
    ["SOL-12345-ABCD", "tooLong"],
  ])("names what is wrong with %s: %s", (id, problem) => {
    expect(diagnoseSolutionId(id)).toBe(problem);
  });

  it.each(["S", "SOL-", "SOL-123", "SOL-12345", "SOL-12345-AB"])("calls the correct beginning %s incomplete", (id) => {
    expect(diagnoseSolutionId(id)).toBe("incomplete");
  });
});

describe("checkDraft (as you type)", () => {
  it("says nothing while the id being typed is a correct beginning", () => {
    expect(checkDraft([], "SOL-12")).toBeNull();
  });

  it("reports a wrong character as soon as it is typed", () => {
    expect(checkDraft([], "SOL-12x")).toEqual({ problem: "digits", id: "SOL-12X" });
  });

  it("reports an id already in the list", () => {
    expect(checkDraft(["SOL-12345-ABC"], "sol-12345-abc")).toEqual({ problem: "duplicate", id: "SOL-12345-ABC" });
  });

  it("reports an unfinished id that is followed by another one in a paste", () => {
    expect(checkDraft([], "SOL-123 SOL-54321-XYZ")).toEqual({ problem: "incomplete", id: "SOL-123" });
  });
});

describe("addSolutionIds", () => {
  it("adds a typed id in upper case", () => {
    expect(addSolutionIds(["SOL-12345-ABC"], "sol-54321-xyz", 2000)).toEqual({ ok: true, ids: ["SOL-12345-ABC", "SOL-54321-XYZ"] });
  });

  it("adds every id of a paste, or none when one is bad", () => {
    expect(addSolutionIds([], "SOL-11111-AAA, SOL-22222-BBB\nSOL-33333-CCC", 2000)).toEqual({
      ok: true, ids: ["SOL-11111-AAA", "SOL-22222-BBB", "SOL-33333-CCC"],
    });
    expect(addSolutionIds([], "SOL-11111-AAA SOL-2", 2000)).toEqual({ ok: false, problem: "incomplete", id: "SOL-2" });
  });

  it("refuses a duplicate, also within one paste", () => {
    expect(addSolutionIds([], "SOL-11111-AAA sol-11111-aaa", 2000)).toEqual({ ok: false, problem: "duplicate", id: "SOL-11111-AAA" });
  });

  it("refuses an id that would not fit the column", () => {
    expect(addSolutionIds(["SOL-11111-AAA"], "SOL-22222-BBB", 20)).toEqual({ ok: false, problem: "noRoom", id: "SOL-22222-BBB" });
  });
});

it("round-trips the column text, ignoring blank lines and Windows line ends", () => {
  expect(parseSolutionIds("SOL-11111-AAA\r\n\r\n  SOL-22222-BBB  \n")).toEqual(["SOL-11111-AAA", "SOL-22222-BBB"]);
  expect(serializeSolutionIds(["SOL-11111-AAA", "SOL-22222-BBB"])).toBe("SOL-11111-AAA\nSOL-22222-BBB");
  expect(parseSolutionIds(null)).toEqual([]);
});
