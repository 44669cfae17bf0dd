import { describe, expect, it } from "vitest";
import {
  CLOCK_RESOLUTION_MS,
  CLOCK_SKEW_ALLOWANCE_MS,
  DEFAULT_MAPPING,
  EMPTY_MAPPED_FIELDS,
  fieldWriteTimes,
  laterFieldChange,
  mergeLink,
  noteOwnWrites,
  observeSide,
  provenOrder,
  type MappedFields,
} from "../../sync/engine";
import { seededRandom } from "../support/seeded-random";

/** Dataverse times are whole seconds. */
const DATAVERSE = { resolutionMs: CLOCK_RESOLUTION_MS.crm };

const fields = (over: Partial<MappedFields>): MappedFields => ({ ...EMPTY_MAPPED_FIELDS, name: "Contoso", closingDate: "2027-03-23", ...over });
const open = { status: "Active", substatus: "Accepted" } as const;

describe("field clocks", () => {
  it("gives a changed field the window between the two reads and keeps an unchanged one's", () => {
    const first = observeSide(null, fields({}), "2026-11-25T10:00:00.000Z");
    const second = observeSide(first, fields({ closingDate: "2027-08-24" }), "2026-11-25T10:00:07.000Z");
    const at = (iso: string) => Date.parse(iso);
    expect(second?.windows.closingDate).toEqual({ after: at("2026-11-25T10:00:00.000Z"), by: at("2026-11-25T10:00:07.000Z"), at: at("2026-11-25T10:00:07.000Z") });
    expect(second?.windows.name).toEqual({ after: null, by: at("2026-11-25T10:00:00.000Z"), at: at("2026-11-25T10:00:00.000Z") });
    // A read older than the newest one (a listed copy, a slow response) changes nothing.
    expect(observeSide(second, fields({ closingDate: "2027-01-01" }), "2026-11-25T10:00:03.000Z")).toBe(second);
    // No modification time: nothing can be learnt from the read.
    expect(observeSide(second, fields({}), null)).toBe(second);
  });

  it("never orders two edits wrongly, whole seconds and the services' clocks up to ±2 s apart, and orders every pair further apart than 5 s", () => {
    const random = seededRandom(1515);
    let decided = 0;
    for (let i = 0; i < 20_000; i++) {
      const crmTrue = 1_764_000_000_000 + Math.floor(random() * 20_000);
      const pcTrue = 1_764_000_000_000 + Math.floor(random() * 20_000);
      if (crmTrue === pcTrue) continue;
      const crmOffset = Math.round((random() * 2 - 1) * CLOCK_SKEW_ALLOWANCE_MS);
      // As Dataverse reports it: its own clock, truncated to the second.
      const crmReported = Math.floor((crmTrue + crmOffset) / 1000) * 1000;
      const verdict = provenOrder(crmReported, pcTrue);
      const truth = crmTrue > pcTrue ? "crm" : "partnerCenter";
      if (verdict !== null) {
        decided++;
        expect(verdict, `CRM ${crmTrue} (${crmOffset} ms off), Partner Center ${pcTrue}`).toBe(truth);
      }
      if (Math.abs(crmTrue - pcTrue) > 1000 + 2 * CLOCK_SKEW_ALLOWANCE_MS) expect(verdict).toBe(truth);
    }
    expect(decided).toBeGreaterThan(10_000);
  });

  it("leaves a seller's edit and a Partner Center edit within the clocks' uncertainty to the policy: the CRM's value wins, audited as such", () => {
    // Partner Center's close date was read at :55; the seller edited it in :02 (Dataverse's second);
    // Partner Center's notes and close date changed at :02.327. Nobody can tell which came last.
    const pcBefore = observeSide(null, fields({ status: open }), "2026-11-25T10:00:55.588Z");
    const pcNow = observeSide(pcBefore, fields({ status: open, closingDate: "2027-05-05", notes: "Call back in May" }), "2026-11-25T10:01:02.327Z");
    const crmBefore = observeSide(null, fields({ status: open, closingDate: "2027-01-01" }), "2026-11-25T10:00:57Z", DATAVERSE);
    const crmNow = observeSide(crmBefore, fields({ status: open, closingDate: "2027-08-24" }), "2026-11-25T10:01:02Z", DATAVERSE);
    const clocks = { crm: crmNow, partnerCenter: pcNow };
    expect(laterFieldChange("closingDate", clocks, crmNow!.fields, pcNow!.fields)).toBeNull();
    const merge = mergeLink({
      base: fields({ status: open, closingDate: "2027-01-01" }),
      crm: crmNow!.fields,
      partnerCenter: pcNow!.fields,
      crmModifiedAt: "2026-11-25T10:01:02Z",
      partnerCenterModifiedAt: "2026-11-25T10:01:02.327Z",
      at: "2026-11-25T10:01:03Z",
      clocks,
    });
    expect(merge.partnerCenterPatch).toEqual({ closingDate: "2027-08-24" });
    expect(merge.crmPatch).toEqual({ notes: "Call back in May" });
    expect(merge.conflicts).toEqual([
      { field: "closingDate", winner: "crm", policy: "latest-wins", settledBy: "policy", overruled: { side: "partnerCenter", value: "2027-05-05" }, awaitsCrmWriteTime: true },
    ]);
    const line = merge.audit.find((a) => a.action === "conflict")?.detail;
    expect(line).toContain("kept CRM 2027-08-24");
    expect(line).toContain("settled by policy: the CRM's value wins");
  });

  it("orders edits the services' times put more than the uncertainty apart, with either clock 2 s off", () => {
    const t = (s: string) => Date.parse(`2026-11-25T10:00:${s}Z`);
    const base = fields({ dealValue: 100 });
    const pc = observeSide(observeSide(null, base, "2026-11-25T10:00:01.000Z"), fields({ dealValue: 300 }), "2026-11-25T10:00:15.500Z");
    for (const offset of [-2000, 0, 2000]) {
      // The seller's save at :10.300 (true time), its webhook in: Dataverse reports it in its own second.
      const second = (ms: number) => new Date(Math.floor((ms + offset) / 1000) * 1000).toISOString();
      const crmBefore = observeSide(null, base, second(t("00.500")), { ...DATAVERSE, writtenAt: { dealValue: Date.parse(second(t("00.500"))) } });
      const crm = observeSide(crmBefore, fields({ dealValue: 200 }), second(t("10.300")), { ...DATAVERSE, writtenAt: { dealValue: Date.parse(second(t("10.300"))) } });
      expect(crm?.windows.dealValue).toMatchObject({ at: Date.parse(second(t("10.300"))), by: Date.parse(second(t("10.300"))) + 999 });
      const clocks = { crm, partnerCenter: pc };
      // 5.2 s apart: Partner Center's edit is the later one whatever the offset.
      expect(laterFieldChange("dealValue", clocks, crm!.fields, pc!.fields), `offset ${offset}`).toBe("partnerCenter");
      const merge = mergeLink({ base, crm: crm!.fields, partnerCenter: pc!.fields, clocks, crmModifiedAt: null, partnerCenterModifiedAt: null, at: "2026-11-25T10:00:15Z" });
      expect(merge.crmPatch).toEqual({ dealValue: 300 });
      expect(merge.conflicts[0]).toMatchObject({ winner: "partnerCenter", settledBy: "order" });
      expect(merge.audit[0]!.detail).toContain("(Partner Center changed it last)");
    }
  });

  it("lets a fixed policy settle every conflict and says so", () => {
    const base = fields({ notes: "a" });
    const input = { base, crm: fields({ notes: "crm" }), partnerCenter: fields({ notes: "pc" }), crmModifiedAt: null, partnerCenterModifiedAt: null, at: "2026-11-25T10:00:15Z" };
    const pcWins = mergeLink({ ...input, policy: { default: "partner-center-wins", fields: {} } });
    expect(pcWins.crmPatch).toEqual({ notes: "pc" });
    expect(pcWins.conflicts[0]).toMatchObject({ settledBy: "policy", overruled: { side: "crm", value: "crm" } });
    expect(pcWins.audit[0]!.detail).toContain("(settled by policy partner-center-wins)");
    // Without any clock the order is unknown: the default policy keeps the CRM's value.
    const byDefault = mergeLink(input);
    expect(byDefault.partnerCenterPatch).toEqual({ notes: "crm" });
    expect(byDefault.conflicts[0]).toMatchObject({ winner: "crm", settledBy: "policy" });
  });

  it("dates a value by its webhook's whole second, never by the write of the value before it", () => {
    const t = (s: string) => Date.parse(`2026-11-25T10:00:${s}Z`);
    const writtenAt = fieldWriteTimes({ estimatedvalue: t("57.000"), statecode: t("58.000") }, DEFAULT_MAPPING.opportunity);
    expect(writtenAt).toEqual({ dealValue: t("57.000"), status: t("58.000") });
    // The previous read knew the column's write (:50), so a newer one dates the new value, to its second.
    const before = observeSide(null, fields({ dealValue: 1 }), "2026-11-25T10:00:50Z", { ...DATAVERSE, writtenAt: { dealValue: t("50.000") } });
    const dated = observeSide(before, fields({ dealValue: 2 }), "2026-11-25T10:01:05Z", { ...DATAVERSE, writtenAt: { dealValue: t("57.000") } });
    expect(dated?.windows.dealValue).toEqual({ after: t("57.000"), by: t("57.999"), at: t("57.000"), lastWrite: t("57.000") });
    // The same old write time (its successor's webhook was lost) dates nothing: the whole window is left.
    const undated = observeSide(before, fields({ dealValue: 2 }), "2026-11-25T10:01:05Z", { ...DATAVERSE, writtenAt: { dealValue: t("50.000") } });
    expect(undated?.windows.dealValue).toMatchObject({ after: t("50.000"), by: Date.parse("2026-11-25T10:01:05.999Z") });
    // A write in the previous read's own second, when that read knew no write of the column, may be the old value's.
    const blind = observeSide(null, fields({ dealValue: 1 }), "2026-11-25T10:00:50Z", DATAVERSE);
    expect(observeSide(blind, fields({ dealValue: 2 }), "2026-11-25T10:01:05Z", { ...DATAVERSE, writtenAt: { dealValue: t("50.000") } })?.windows.dealValue.by).toBe(
      Date.parse("2026-11-25T10:01:05.999Z"),
    );
    // A write time past what the read can contain belongs to a later write: not used.
    expect(observeSide(before, fields({ dealValue: 2 }), "2026-11-25T10:00:55Z", { ...DATAVERSE, writtenAt: { dealValue: t("57.000") } })?.windows.dealValue.by).toBe(t("55.999"));
    // A webhook that came only after the read that first showed the value dates it at the next read.
    const late = observeSide(undated, fields({ dealValue: 2 }), "2026-11-25T10:01:05Z", { ...DATAVERSE, writtenAt: { dealValue: t("59.000") } });
    expect(late?.windows.dealValue).toMatchObject({ after: t("59.000"), by: t("59.999") });
  });

  it("never dates a value we wrote ourselves by another's write time, and keeps no time of ours", () => {
    const t = (s: string) => Date.parse(`2026-11-25T10:11:${s}Z`);
    const ownWrites = noteOwnWrites(undefined, fields({ closingDate: "2027-06-30" }));
    expect(ownWrites.closingDate).toEqual({ value: "2027-06-30" });
    const r0 = observeSide(null, fields({ closingDate: "2027-01-01" }), "2026-11-25T10:11:10Z", { ...DATAVERSE, writtenAt: { closingDate: t("05.000") } });
    // The seller's write at :15 (its webhook late) was overwritten by ours: the value read is ours.
    const ours = observeSide(r0, fields({ closingDate: "2027-06-30" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, ownWrites, writtenAt: { closingDate: t("15.000") } });
    expect(ours?.windows.closingDate).toMatchObject({ after: t("10.000"), by: t("20.999"), at: t("20.000") });
    // A seller's value read in its place is dated as usual.
    const theirs = observeSide(r0, fields({ closingDate: "2027-05-01" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, ownWrites, writtenAt: { closingDate: t("15.000") } });
    expect(theirs?.windows.closingDate).toMatchObject({ after: t("15.000"), at: t("15.000") });
  });

  it("takes the middle one of Partner Center's changes between two reads as a changed field's time", () => {
    const t = (s: string) => Date.parse(`2026-11-25T10:27:${s}Z`);
    // Between our reads Partner Center changed the notes (:24.000), the close date (:28.000) and the
    // currency (:31.412, the record's time).
    const before = observeSide(null, fields({ closingDate: "2027-06-30" }), "2026-11-25T10:27:20.930Z");
    const changeTimes = [t("19.500"), t("20.930"), t("24.000"), t("28.000"), t("31.412"), t("33.000")];
    const pc = observeSide(before, fields({ closingDate: "2027-09-13", notes: "n" }), "2026-11-25T10:27:31.412Z", { changeTimes });
    expect(pc?.windows.closingDate).toEqual({ after: t("20.930"), by: t("31.412"), at: t("28.000") });
    // One other change besides the record's own: the record's time stays the guess.
    const two = observeSide(before, fields({ closingDate: "2027-09-13" }), "2026-11-25T10:27:31.412Z", { changeTimes: [t("28.000"), t("31.412")] });
    expect(two?.windows.closingDate.at).toBe(t("31.412"));
  });
});
