/**
 * When did each mapped field get its current value, on one side? Neither side says: Dataverse's
 * modifiedon and Partner Center's updatedDateTime are times of the whole record, so a referral
 * closed a second ago looks newer in every field than a seller's edit of its close date made in
 * between. Deciding a conflict by record times therefore loses the seller's edit.
 *
 * A field clock narrows it down from our own reads. Every read of a side is an observation: the
 * record's modification time and its mapped fields. A field whose value differs from the previous
 * observation changed after that observation's time and no later than this one's; a field with the
 * same value keeps the window it had. Every time in a side's clock is that service's own (Dataverse's
 * whole seconds, Partner Center's milliseconds): our clock orders only our own events, so it appears
 * nowhere here. Comparing the two sides allows for their clocks being apart (conflict-order.ts).
 */
import { OpportunityStandardColumns } from "../../entities";
import type { OpportunityMapping } from "./field-mapping.config";
import { MAPPED_FIELD_NAMES, sameFieldValue, type MappedFieldName, type MappedFields } from "./mapped-fields";

/** When one field got its current value, on its side's own clock (ms since the epoch). */
export interface FieldChangeWindow {
  /** The value was not there yet before this time (null: it was there at our first read). */
  readonly after: number | null;
  /** The value was there by this time at the latest. */
  readonly by: number;
  /** The best single guess, as the side reports times (Dataverse: the start of a whole second). */
  readonly at: number;
  /** The column's latest known write time (ObserveOptions.writtenAt) at the newest read: what a later write time must beat. */
  readonly lastWrite?: number;
}

export interface SideClock {
  /** The side's modification time at the newest read (ms since the epoch, the side's clock). */
  readonly modifiedAt: number;
  readonly fields: MappedFields;
  readonly windows: Readonly<Record<MappedFieldName, FieldChangeWindow>>;
}

/** A value we wrote to a field ourselves (no time: only the service's clock could date it, and its write answer does not). */
export interface OwnWrite {
  readonly value: MappedFields[MappedFieldName];
}

/** Our latest write of each field on one side. */
export type OwnWrites = Readonly<Partial<Record<MappedFieldName, OwnWrite>>>;

/** The clocks of both sides of one link, as the store keeps them. */
export interface LinkFieldClocks {
  readonly crm: SideClock | null;
  readonly partnerCenter: SideClock | null;
  /**
   * Our own writes of the opportunity. Their webhooks are left out of the write times, so a known
   * write time of the column is always another's: it never dates a value we wrote.
   */
  readonly crmOwnWrites?: OwnWrites;
}

/** `earlier` with `fields` noted as written by us. */
export function noteOwnWrites(earlier: OwnWrites | undefined, fields: Partial<MappedFields>): OwnWrites {
  const noted: Partial<Record<MappedFieldName, OwnWrite>> = { ...earlier };
  for (const field of MAPPED_FIELD_NAMES) {
    if (field in fields) noted[field] = { value: fields[field] as MappedFields[MappedFieldName] };
  }
  return noted;
}

/**
 * How coarse a side's times are: Dataverse keeps whole seconds (modifiedon and a webhook's
 * OperationCreatedOn alike: an edit at 10.900 s reads as 10 s), Partner Center milliseconds.
 * A time `t` read from the side means "in [t, t + resolution)".
 */
export const CLOCK_RESOLUTION_MS = { crm: 1000, partnerCenter: 1 } as const;

export interface ObserveOptions {
  /** CLOCK_RESOLUTION_MS of the side (default 1 ms). */
  readonly resolutionMs?: number;
  /**
   * The time a field's column was last written by someone else, where a webhook said (Dataverse's
   * OperationCreatedOn, whole seconds). Only writes known before the read was made.
   */
  readonly writtenAt?: Readonly<Partial<Record<MappedFieldName, number>>>;
  /** Our own writes of the fields (LinkFieldClocks.crmOwnWrites): a value that is ours is never dated by another's write. */
  readonly ownWrites?: OwnWrites;
  /**
   * When the side changed, as far as known (Partner Center's webhook events, without our own writes),
   * oldest first. When several changes fall in a changed field's window, the middle one is the best guess.
   */
  readonly changeTimes?: readonly number[];
}

/** The clock after one more read of the side. A read older than the clock's newest changes nothing. */
export function observeSide(previous: SideClock | null, fields: MappedFields, modifiedAt: string | null | undefined, options: ObserveOptions = {}): SideClock | null {
  const at = modifiedAt ? Date.parse(modifiedAt) : Number.NaN;
  if (Number.isNaN(at)) return previous;
  if (previous && at < previous.modifiedAt) return previous;
  const resolution = options.resolutionMs ?? 1;
  const after = previous ? previous.modifiedAt : null;
  const by = at + resolution - 1;
  const windows = {} as Record<MappedFieldName, FieldChangeWindow>;
  for (const field of MAPPED_FIELD_NAMES) {
    const own = options.ownWrites?.[field];
    const ours = own !== undefined && sameFieldValue(field, own.value as never, fields[field]);
    const written = ours ? undefined : options.writtenAt?.[field];
    if (previous && sameFieldValue(field, previous.fields[field], fields[field])) {
      const kept = previous.windows[field];
      windows[field] = lateWriteDates(written, kept) ? writtenWindow(written!, resolution) : { ...kept, ...latestOf(kept.lastWrite, written) };
      continue;
    }
    const before = previous?.windows[field];
    windows[field] = writeDates(written, before?.lastWrite, after, by)
      ? writtenWindow(written!, resolution)
      : { after, by, at: middleChange(after, at, options.changeTimes) ?? at, ...latestOf(before?.lastWrite, written) };
  }
  return { modifiedAt: at, fields, windows };
}

/**
 * The middle one of the side's changes in the window (after, at]: the record's own time `at` is one
 * of them. With an even count the later middle one. Undefined without a lower bound or known change times.
 */
function middleChange(after: number | null, at: number, changeTimes: readonly number[] | undefined): number | undefined {
  if (after === null || !changeTimes) return undefined;
  const inWindow = [...new Set([...changeTimes.filter((t) => t > after && t < at), at])].sort((a, b) => a - b);
  return inWindow[Math.floor(inWindow.length / 2)];
}

/** `{ lastWrite }`: the latest of the known write times, if any. */
function latestOf(...times: (number | undefined)[]): { lastWrite?: number } {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length > 0 ? { lastWrite: Math.max(...known) } : {};
}

/** The window of a value dated by its own write (a webhook's time, to the side's resolution). */
function writtenWindow(written: number, resolution: number): FieldChangeWindow {
  return { after: written, by: written + resolution - 1, at: written, lastWrite: written };
}

/**
 * Whether the column's latest known write is the one that gave the field the value just read: not
 * past the read, newer than any write known at the previous read, and not before that read's time
 * (a write within it was the old value's). Within the previous read's very second only if that read
 * knew the column's writes: else a webhook lost or late for the old value would date the new one.
 */
function writeDates(written: number | undefined, knownBefore: number | undefined, after: number | null, by: number): boolean {
  if (written === undefined || written > by) return false;
  if (after === null) return true;
  if (knownBefore !== undefined && written <= knownBefore) return false;
  return knownBefore !== undefined ? written >= after : written > after;
}

/**
 * Whether a write time learnt only now dates a field that kept its value (its webhook came after the
 * read that first showed the value): newer than any write known then, and inside the field's window
 * after its first second (a write within that second may be the older value's).
 */
function lateWriteDates(written: number | undefined, window: FieldChangeWindow): boolean {
  if (written === undefined || window.after === null || written > window.by || written <= window.after) return false;
  return window.lastWrite === undefined || written > window.lastWrite;
}

/**
 * Per mapped field, the latest write time of the opportunity columns behind it (`columnTimes` by
 * logical name, from the webhooks). The status also moves with the record's state (Win/Lose).
 */
function columnsDating(field: MappedFieldName, mapping: OpportunityMapping): string[] {
  const columns = [mapping[field], ...(field === "status" ? [OpportunityStandardColumns.stateCode, OpportunityStandardColumns.statusCode] : [])];
  return columns.map((column) => column.toLowerCase());
}

/** Every column whose write time the clocks can use: a webhook's other columns need not be kept. */
export function clockedColumns(mapping: OpportunityMapping): ReadonlySet<string> {
  return new Set(MAPPED_FIELD_NAMES.flatMap((field) => columnsDating(field, mapping)));
}

export function fieldWriteTimes(columnTimes: Readonly<Record<string, number>>, mapping: OpportunityMapping): Partial<Record<MappedFieldName, number>> {
  const times: Partial<Record<MappedFieldName, number>> = {};
  for (const field of MAPPED_FIELD_NAMES) {
    const known = columnsDating(field, mapping).map((column) => columnTimes[column]).filter((t): t is number => t !== undefined);
    if (known.length > 0) times[field] = Math.max(...known);
  }
  return times;
}
