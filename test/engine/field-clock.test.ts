import { describe, expect, it } from "vitest";
import { CLOCK_RESOLUTION_MS, DEFAULT_MAPPING, EMPTY_MAPPED_FIELDS, fieldWriteTimes, laterFieldChange, mergeLink, noteOwnWrites, observeSide, type MappedFields } from "../../sync/engine";

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

  it("keeps a seller's close-date edit over an older Partner Center value even though the referral changed again after it", () => {
    // Partner Center's close date was set (and read) at :55; the seller edited it at :02; the notes
    // were edited in Partner Center at :02.327. By record times Partner Center is newer in every field.
    const pcBefore = observeSide(null, fields({ status: open }), "2026-11-25T10:00:55.588Z");
    const pcNow = observeSide(pcBefore, fields({ status: open, notes: "Call back in May" }), "2026-11-25T10:01:02.327Z");
    const crmBefore = observeSide(null, fields({ status: open, closingDate: "2027-01-01" }), "2026-11-25T10:00:57Z", DATAVERSE);
    const crmNow = observeSide(crmBefore, fields({ status: open, closingDate: "2027-08-24" }), "2026-11-25T10:01:02Z", DATAVERSE);
    const clocks = { crm: crmNow, partnerCenter: pcNow };
    expect(laterFieldChange("closingDate", clocks, crmNow!.fields, pcNow!.fields)).toBe("crm");

    const input = {
      base: fields({ status: open, closingDate: "2027-01-01" }),
      crm: crmNow!.fields,
      partnerCenter: pcNow!.fields,
      crmModifiedAt: "2026-11-25T10:01:02Z",
      partnerCenterModifiedAt: "2026-11-25T10:01:02.327Z",
      at: "2026-11-25T10:01:03Z",
    };
    const merge = mergeLink({ ...input, clocks });
    expect(merge.partnerCenterPatch).toMatchObject({ closingDate: "2027-08-24" });
    expect(merge.crmPatch).toEqual({ notes: "Call back in May" });
    expect(merge.audit.find((a) => a.action === "conflict")?.detail).toContain("kept CRM 2027-08-24");
    // Without the clocks the record times decide, and Partner Center's older value wins.
    const byRecord = mergeLink(input);
    expect(byRecord.crmPatch.closingDate).toBe("2027-03-23");
  });

  it("reads Dataverse's whole-second times as the middle of their second when the windows overlap", () => {
    const crm = observeSide(observeSide(null, fields({}), "2026-11-25T10:00:00Z", DATAVERSE), fields({ name: "A" }), "2026-11-25T10:00:05Z", DATAVERSE);
    // Dataverse's :05 means anywhere in [:05, :06): taken as :05.5, later than Partner Center's :05.009 …
    const pc = observeSide(observeSide(null, fields({}), "2026-11-25T10:00:04.500Z"), fields({ name: "B" }), "2026-11-25T10:00:05.009Z");
    expect(laterFieldChange("name", { crm, partnerCenter: pc }, crm!.fields, pc!.fields)).toBe("crm");
    // … and earlier than :05.900.
    const pcLater = observeSide(observeSide(null, fields({}), "2026-11-25T10:00:04.500Z"), fields({ name: "B" }), "2026-11-25T10:00:05.900Z");
    expect(laterFieldChange("name", { crm, partnerCenter: pcLater }, crm!.fields, pcLater!.fields)).toBe("partnerCenter");
    // The clocks must describe the values being merged, or they say nothing.
    expect(laterFieldChange("name", { crm, partnerCenter: pc }, fields({ name: "C" }), pc!.fields)).toBeNull();
    expect(laterFieldChange("name", { crm: null, partnerCenter: pc }, crm!.fields, pc!.fields)).toBeNull();
  });

  it("takes a Dataverse write's own time (from its webhook) over the whole-second modifiedon", () => {
    const writtenAt = fieldWriteTimes({ estimatedvalue: Date.parse("2026-11-25T10:00:57.919Z"), statecode: Date.parse("2026-11-25T10:00:57.925Z") }, DEFAULT_MAPPING.opportunity);
    expect(writtenAt).toEqual({ dealValue: Date.parse("2026-11-25T10:00:57.919Z"), status: Date.parse("2026-11-25T10:00:57.925Z") });
    // The previous read knew the column's write (20036 at :57.100), so a newer one dates the new value.
    const before = observeSide(null, fields({ dealValue: 20036 }), "2026-11-25T10:00:57Z", { ...DATAVERSE, writtenAt: { dealValue: Date.parse("2026-11-25T10:00:57.100Z") } });
    const crm = observeSide(before, fields({ dealValue: 62623 }), "2026-11-25T10:00:57Z", { ...DATAVERSE, writtenAt });
    expect(crm?.windows.dealValue).toMatchObject({ after: Date.parse("2026-11-25T10:00:57.918Z"), by: Date.parse("2026-11-25T10:00:57.919Z"), at: Date.parse("2026-11-25T10:00:57.919Z") });
    // Partner Center's edit at :57.787 is then surely the older one; by modifiedon alone it looked newer than :57.5.
    const pc = observeSide(observeSide(null, fields({ dealValue: 20036 }), "2026-11-25T10:00:57.100Z"), fields({ dealValue: 38901 }), "2026-11-25T10:00:57.787Z");
    expect(laterFieldChange("dealValue", { crm, partnerCenter: pc }, crm!.fields, pc!.fields)).toBe("crm");
    const withoutWebhook = observeSide(before, fields({ dealValue: 62623 }), "2026-11-25T10:00:57Z", { ...DATAVERSE, writtenAt: { dealValue: Date.parse("2026-11-25T10:00:57.100Z") } });
    expect(laterFieldChange("dealValue", { crm: withoutWebhook, partnerCenter: pc }, crm!.fields, pc!.fields)).toBe("partnerCenter");
    // The write time of the previous value (its newer webhook was lost) does not date the new one.
    const previousWrite = observeSide(
      observeSide(null, fields({ dealValue: 20036 }), "2026-11-25T10:00:57Z", { ...DATAVERSE, writtenAt: { dealValue: Date.parse("2026-11-25T10:00:57.402Z") } }),
      fields({ dealValue: 62623 }),
      "2026-11-25T10:01:01Z",
      { ...DATAVERSE, writtenAt: { dealValue: Date.parse("2026-11-25T10:00:57.402Z") } },
    );
    expect(previousWrite?.windows.dealValue).toMatchObject({ after: Date.parse("2026-11-25T10:00:57Z"), by: Date.parse("2026-11-25T10:01:01.999Z") });
    // A write time past what the read can contain belongs to a later write: not used.
    const later = observeSide(before, fields({ dealValue: 62623 }), "2026-11-25T10:00:57Z", { ...DATAVERSE, writtenAt: { dealValue: Date.parse("2026-11-25T10:00:59Z") } });
    expect(later?.windows.dealValue.by).toBe(Date.parse("2026-11-25T10:00:57.999Z"));
  });

  it("dates a value by a write whose webhook came only after the read that first showed it", () => {
    const t = (s: string) => Date.parse(`2026-11-25T07:40:${s}Z`);
    // Read at :33 (46702, written at :30.200); the seller saves 10433 at :34.151 and we read it at :34
    // before its webhook arrives; Partner Center's edit of the deal value follows at :34.239.
    const r0 = observeSide(null, fields({ dealValue: 46702 }), "2026-11-25T07:40:33Z", { ...DATAVERSE, writtenAt: { dealValue: t("30.200") } });
    const r1 = observeSide(r0, fields({ dealValue: 10433 }), "2026-11-25T07:40:34Z", { ...DATAVERSE, writtenAt: { dealValue: t("30.200") } });
    expect(r1?.windows.dealValue).toMatchObject({ after: t("33.000"), by: t("34.999") });
    const pc = observeSide(observeSide(null, fields({ dealValue: 46702 }), "2026-11-25T07:40:34.020Z"), fields({ dealValue: 65240 }), "2026-11-25T07:40:34.239Z");
    // By the second alone (:34.5) the seller's looks later; once the webhook is in, the next read dates it.
    expect(laterFieldChange("dealValue", { crm: r1, partnerCenter: pc }, r1!.fields, pc!.fields)).toBe("crm");
    const r2 = observeSide(r1, fields({ dealValue: 10433 }), "2026-11-25T07:40:34Z", { ...DATAVERSE, writtenAt: { dealValue: t("34.151") } });
    expect(r2?.windows.dealValue).toMatchObject({ after: t("34.150"), by: t("34.151"), at: t("34.151") });
    expect(laterFieldChange("dealValue", { crm: r2, partnerCenter: pc }, r2!.fields, pc!.fields)).toBe("partnerCenter");
    // Until the webhook is in, the merge says its verdict is such a guess (the handler then waits for it).
    const merge = (crm: NonNullable<typeof r1>) =>
      mergeLink({ base: r0!.fields, crm: crm.fields, partnerCenter: pc!.fields, clocks: { crm, partnerCenter: pc }, crmModifiedAt: null, partnerCenterModifiedAt: null, at: "2026-11-25T07:40:35Z" });
    expect(merge(r1!).conflicts).toEqual([{ field: "dealValue", winner: "crm", policy: "latest-wins", awaitsCrmWriteTime: true }]);
    expect(merge(r2!).conflicts).toEqual([{ field: "dealValue", winner: "partnerCenter", policy: "latest-wins" }]);
    // A write within the second the window starts in may be the older value's when the :33 read did not
    // know the column's writes: not used then.
    const unknownBefore = observeSide(observeSide(null, fields({ dealValue: 46702 }), "2026-11-25T07:40:33Z", DATAVERSE), fields({ dealValue: 10433 }), "2026-11-25T07:40:34Z", DATAVERSE);
    const sameSecond = observeSide(unknownBefore, fields({ dealValue: 10433 }), "2026-11-25T07:40:34Z", { ...DATAVERSE, writtenAt: { dealValue: t("33.400") } });
    expect(sameSecond?.windows.dealValue).toMatchObject({ after: t("33.000"), by: t("34.999") });
    // It knew them (46702 at :30.200): a newer write in that second, after the read, is the new value's.
    const knownSecond = observeSide(r1, fields({ dealValue: 10433 }), "2026-11-25T07:40:34Z", { ...DATAVERSE, writtenAt: { dealValue: t("33.841") } });
    expect(knownSecond?.windows.dealValue).toMatchObject({ after: t("33.840"), by: t("33.841") });
  });

  it("dates a seller's save in the second of our own write of the field by its webhook", () => {
    const t = (s: string) => Date.parse(`2026-11-25T10:11:${s}Z`);
    // Our import wrote the close date 2027-06-30 (acknowledged at :20.142; our writes' webhooks are
    // not kept as write times). The seller saves 2027-11-19 at :20.207 (its webhook is in before the
    // read); Partner Center's edit of the close date follows at :20.236. Every read says :20.
    const ownWrites = noteOwnWrites(undefined, fields({ closingDate: "2027-06-30" }), t("20.142"));
    const r1 = observeSide(null, fields({ closingDate: "2027-06-30" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, ownWrites });
    const r2 = observeSide(r1, fields({ closingDate: "2027-11-19" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, ownWrites, writtenAt: { closingDate: t("20.207") } });
    expect(r2?.windows.closingDate).toMatchObject({ by: t("20.207"), at: t("20.207") });
    const pc = observeSide(observeSide(null, fields({ closingDate: "2027-06-30" }), "2026-11-25T10:11:20.182Z"), fields({ closingDate: "2027-08-20" }), "2026-11-25T10:11:20.236Z");
    expect(laterFieldChange("closingDate", { crm: r2, partnerCenter: pc }, r2!.fields, pc!.fields)).toBe("partnerCenter");
    // Without our write's time the :20.207 might have been the write of 2027-06-30: the seller's
    // save is only "in :20", taken as :20.5, and wins against Partner Center's later edit.
    const unknown = observeSide(observeSide(null, fields({ closingDate: "2027-06-30" }), "2026-11-25T10:11:20Z", DATAVERSE), fields({ closingDate: "2027-11-19" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, writtenAt: { closingDate: t("20.207") } });
    expect(laterFieldChange("closingDate", { crm: unknown, partnerCenter: pc }, unknown!.fields, pc!.fields)).toBe("crm");
    // A write of another's that our write overwrote (its webhook came late) dates nothing after it.
    const overwritten = observeSide(r1, fields({ closingDate: "2027-11-19" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, ownWrites, writtenAt: { closingDate: t("20.100") } });
    expect(overwritten?.windows.closingDate).toMatchObject({ after: t("20.000"), by: t("20.999"), knownBefore: t("20.142") });
    // The seller's own webhook (:20.300), once in, does date it.
    const late = observeSide(overwritten, fields({ closingDate: "2027-11-19" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, ownWrites, writtenAt: { closingDate: t("20.300") } });
    expect(late?.windows.closingDate).toMatchObject({ by: t("20.300"), at: t("20.300") });
    // Our write counts only for the value we wrote: a seller's value read in its place keeps the old rule.
    const notOurs = observeSide(null, fields({ closingDate: "2027-05-01" }), "2026-11-25T10:11:20Z", { ...DATAVERSE, ownWrites });
    expect(notOurs?.windows.closingDate.lastWrite).toBeUndefined();
  });

  it("takes the middle one of Partner Center's changes between two reads as a changed field's time", () => {
    const t = (s: string) => Date.parse(`2026-11-25T10:27:${s}Z`);
    // Between our reads (:30.930 and :31.412) Partner Center changed the notes (:31.028), the close
    // date (:31.291) and the currency (:31.412, the record's time); the seller's close date is from :31.335.
    const before = observeSide(null, fields({ closingDate: "2027-06-30" }), "2026-11-25T10:27:30.930Z");
    const changeTimes = [t("29.500"), t("30.930"), t("31.028"), t("31.291"), t("31.412"), t("33.000")];
    const pc = observeSide(before, fields({ closingDate: "2027-09-13", notes: "n" }), "2026-11-25T10:27:31.412Z", { changeTimes });
    expect(pc?.windows.closingDate).toEqual({ after: t("30.930"), by: t("31.412"), at: t("31.291") });
    const crmBefore = observeSide(null, fields({ closingDate: "2027-06-30" }), "2026-11-25T10:27:30Z", { ...DATAVERSE, writtenAt: { closingDate: t("29.000") } });
    const crm = observeSide(crmBefore, fields({ closingDate: "2027-03-19" }), "2026-11-25T10:27:31Z", { ...DATAVERSE, writtenAt: { closingDate: t("31.335") } });
    // Two of the three changes came before the seller's save: it is taken for the later one.
    expect(laterFieldChange("closingDate", { crm, partnerCenter: pc }, crm!.fields, pc!.fields)).toBe("crm");
    // Known only by the record's time, Partner Center's change looked later.
    const recordTimeOnly = observeSide(before, fields({ closingDate: "2027-09-13", notes: "n" }), "2026-11-25T10:27:31.412Z");
    expect(laterFieldChange("closingDate", { crm, partnerCenter: recordTimeOnly }, crm!.fields, pc!.fields)).toBe("partnerCenter");
    // One other change besides the record's own: the record's time stays the guess.
    const two = observeSide(before, fields({ closingDate: "2027-09-13" }), "2026-11-25T10:27:31.412Z", { changeTimes: [t("31.028"), t("31.412")] });
    expect(two?.windows.closingDate.at).toBe(t("31.412"));
  });

  it("dates a value by a write made after the previous read's response, even within that read's second", () => {
    const t = (s: string) => Date.parse(`2026-11-25T10:47:${s}Z`);
    // Our read's response came at :43.300 (modifiedon :43; no write time known for the name then);
    // the seller renames the deal at :43.883; Partner Center renames it at :43.939.
    const r1 = observeSide(null, fields({ name: "Old" }), "2026-11-25T10:47:43Z", { ...DATAVERSE, readAt: t("43.300") });
    const pc = observeSide(observeSide(null, fields({ name: "Old" }), "2026-11-25T10:47:43.352Z"), fields({ name: "Partner Center's" }), "2026-11-25T10:47:43.939Z");
    const r2 = observeSide(r1, fields({ name: "Seller's" }), "2026-11-25T10:47:44Z", { ...DATAVERSE, readAt: t("44.500"), writtenAt: { name: t("43.883") } });
    expect(r2?.windows.name).toMatchObject({ by: t("43.883"), at: t("43.883") });
    expect(laterFieldChange("name", { crm: r2, partnerCenter: pc }, r2!.fields, pc!.fields)).toBe("partnerCenter");
    // Without the read's time the :43.883 might have been the write of "Old": the whole second is left.
    const unknownRead = observeSide(observeSide(null, fields({ name: "Old" }), "2026-11-25T10:47:43Z", DATAVERSE), fields({ name: "Seller's" }), "2026-11-25T10:47:44Z", { ...DATAVERSE, writtenAt: { name: t("43.883") } });
    expect(laterFieldChange("name", { crm: unknownRead, partnerCenter: pc }, unknownRead!.fields, pc!.fields)).toBe("crm");
    // A write from before the response (:43.100) may be the old value's: not used.
    const beforeRead = observeSide(r1, fields({ name: "Seller's" }), "2026-11-25T10:47:44Z", { ...DATAVERSE, writtenAt: { name: t("43.100") } });
    expect(beforeRead?.windows.name).toMatchObject({ after: t("43.000"), by: t("44.999") });
    // The webhook came only after the read that showed the new name: the next read dates it.
    const late = observeSide(beforeRead, fields({ name: "Seller's" }), "2026-11-25T10:47:44Z", { ...DATAVERSE, writtenAt: { name: t("43.883") } });
    expect(late?.windows.name).toMatchObject({ by: t("43.883"), at: t("43.883") });
  });
});
