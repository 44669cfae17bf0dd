/**
 * When did each mapped field get its current value, on one side? Neither side says: Dataverse's
 * modifiedon and Partner Center's updatedDateTime are times of the whole record, so a referral
 * closed a second ago looks newer in every field than a seller's edit of its close date made in
 * between. Deciding a conflict by record times therefore loses the seller's edit.
 *
 * A field clock narrows it down from our own reads. Every read of a side is an observation: the
 * record's modification time and its mapped fields. A field whose value differs from the previous
 * observation changed after that observation's time and no later than this one's; a field with the
 * same value keeps the window it had. Two windows that do not overlap decide a conflict for sure;
 * overlapping ones fall back to when each value was first seen, which is never later than the record
 * time the merge used before.
 */
import { MAPPED_FIELD_NAMES, sameFieldValue, type MappedFieldName, type MappedFields } from "./mapped-fields";

/** The time window in which one field got its current value (ms since the epoch). */
export interface FieldChangeWindow {
  /** The value was not there at this time (null: it was there at our first read). */
  readonly after: number | null;
  /** The side's modification time at the first read that showed the value. */
  readonly by: number;
}

export interface SideClock {
  /** The side's modification time at the newest read (ms since the epoch). */
  readonly modifiedAt: number;
  readonly fields: MappedFields;
  readonly windows: Readonly<Record<MappedFieldName, FieldChangeWindow>>;
}

/** The clocks of both sides of one link, as the store keeps them. */
export interface LinkFieldClocks {
  readonly crm: SideClock | null;
  readonly partnerCenter: SideClock | null;
}

/**
 * How coarse a side's modification time is: Dataverse keeps whole seconds (an edit at 10.900 s reads
 * as 10 s), Partner Center milliseconds. A time `t` read from the side means "in [t, t + resolution)".
 */
export const CLOCK_RESOLUTION_MS = { crm: 1000, partnerCenter: 1 } as const;

/** The clock after one more read of the side. A read older than the clock's newest changes nothing. */
export function observeSide(previous: SideClock | null, fields: MappedFields, modifiedAt: string | null | undefined): SideClock | null {
  const at = modifiedAt ? Date.parse(modifiedAt) : Number.NaN;
  if (Number.isNaN(at)) return previous;
  if (previous && at < previous.modifiedAt) return previous;
  const windows = {} as Record<MappedFieldName, FieldChangeWindow>;
  for (const field of MAPPED_FIELD_NAMES) {
    const kept = previous && sameFieldValue(field, previous.fields[field], fields[field]) ? previous.windows[field] : undefined;
    windows[field] = kept ?? { after: previous ? previous.modifiedAt : null, by: at };
  }
  return { modifiedAt: at, fields, windows };
}

export type ClockVerdict = "crm" | "partnerCenter" | null;

/**
 * Which side gave `field` its current value last, by the clocks; null when a clock is missing or
 * does not hold the values the merge is looking at (then the record times decide, as before).
 */
export function laterFieldChange(field: MappedFieldName, clocks: LinkFieldClocks | undefined, crm: MappedFields, partnerCenter: MappedFields): ClockVerdict {
  const crmClock = clocks?.crm;
  const pcClock = clocks?.partnerCenter;
  if (!crmClock || !pcClock) return null;
  if (!sameFieldValue(field, crmClock.fields[field], crm[field]) || !sameFieldValue(field, pcClock.fields[field], partnerCenter[field])) return null;
  const c = crmClock.windows[field];
  const p = pcClock.windows[field];
  // Windows that do not overlap: one change surely came after the other.
  if (c.after !== null && c.after >= p.by + CLOCK_RESOLUTION_MS.partnerCenter - 1) return "crm";
  if (p.after !== null && p.after >= c.by + CLOCK_RESOLUTION_MS.crm - 1) return "partnerCenter";
  // Overlapping: the value first seen later is taken as the later change, each time read as the
  // middle of what it can mean (Dataverse's :25 is anywhere in [:25, :26)); a tie stays undecided.
  const crmAt = c.by + CLOCK_RESOLUTION_MS.crm / 2;
  const pcAt = p.by + CLOCK_RESOLUTION_MS.partnerCenter / 2;
  if (crmAt > pcAt) return "crm";
  if (pcAt > crmAt) return "partnerCenter";
  return null;
}
