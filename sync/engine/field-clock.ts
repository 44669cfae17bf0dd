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
import { OpportunityStandardColumns } from "../../entities";
import type { OpportunityMapping } from "./field-mapping.config";
import { MAPPED_FIELD_NAMES, sameFieldValue, type MappedFieldName, type MappedFields } from "./mapped-fields";

/** When one field got its current value, as narrowly as the reads (and webhooks) tell (ms since the epoch). */
export interface FieldChangeWindow {
  /** The value was not there yet at this time (null: it was there at our first read). */
  readonly after: number | null;
  /** The value was there by this time at the latest. */
  readonly by: number;
  /** The best single guess in between, for windows that overlap. */
  readonly at: number;
  /** The column's latest known write time (ObserveOptions.writtenAt) at the newest read: what a later write time must beat. */
  readonly lastWrite?: number;
  /** The column's latest known write at the read before the value appeared: a later write is this value's (lateWriteDates). */
  readonly knownBefore?: number;
  /** When that read's response arrived (our clock): a write after it is this value's, or a later one's. */
  readonly readBefore?: number;
}

export interface SideClock {
  /** The side's modification time at the newest read (ms since the epoch). */
  readonly modifiedAt: number;
  /** When the newest read's response arrived (our clock; ObserveOptions.readAt), if known. */
  readonly readAt?: number;
  readonly fields: MappedFields;
  readonly windows: Readonly<Record<MappedFieldName, FieldChangeWindow>>;
}

/** A value we wrote to a field ourselves, and when the write was acknowledged (ms since the epoch). */
export interface OwnWrite {
  readonly value: MappedFields[MappedFieldName];
  readonly at: number;
}

/** Our latest write of each field on one side. */
export type OwnWrites = Readonly<Partial<Record<MappedFieldName, OwnWrite>>>;

/** The clocks of both sides of one link, as the store keeps them. */
export interface LinkFieldClocks {
  readonly crm: SideClock | null;
  readonly partnerCenter: SideClock | null;
  /**
   * Our own writes of the opportunity. The webhooks of our writes are left out of the write times
   * (ObserveOptions.writtenAt: they would date a seller's later save whose webhook is still on its
   * way), so a value we wrote would have no known write at all; this says when it was written.
   */
  readonly crmOwnWrites?: OwnWrites;
}

/** `earlier` with `fields` noted as written by us at `at`. */
export function noteOwnWrites(earlier: OwnWrites | undefined, fields: Partial<MappedFields>, at: number): OwnWrites {
  const noted: Partial<Record<MappedFieldName, OwnWrite>> = { ...earlier };
  for (const field of MAPPED_FIELD_NAMES) {
    if (field in fields) noted[field] = { value: fields[field] as MappedFields[MappedFieldName], at };
  }
  return noted;
}

/**
 * How coarse a side's modification time is: Dataverse keeps whole seconds (an edit at 10.900 s reads
 * as 10 s), Partner Center milliseconds. A time `t` read from the side means "in [t, t + resolution)".
 */
export const CLOCK_RESOLUTION_MS = { crm: 1000, partnerCenter: 1 } as const;

export interface ObserveOptions {
  /** CLOCK_RESOLUTION_MS of the side (default 1 ms). */
  readonly resolutionMs?: number;
  /**
   * The exact time a field's column was last written, where a webhook said (Dataverse's
   * OperationCreatedOn): used for a field whose value changed in this read, if it fits the read.
   * Only writes known before the read was made: a later-known one may be missing from the read.
   */
  readonly writtenAt?: Readonly<Partial<Record<MappedFieldName, number>>>;
  /**
   * Our own writes of the fields (LinkFieldClocks.crmOwnWrites). A value read that is the one we
   * wrote counts our write as its column's latest known one: another's write time newer than it is
   * then the next value's, even within the read's second (writeDates).
   */
  readonly ownWrites?: OwnWrites;
  /**
   * When the side changed, as far as known (Partner Center's webhook events, without our own writes),
   * oldest first. The record's time is that of its last change only: when several changes fall in a
   * changed field's window, the field's is any of them, and the middle one is the best single guess.
   */
  readonly changeTimes?: readonly number[];
  /**
   * When the read's response arrived (ms since the epoch, our clock). Dataverse's modifiedon keeps
   * whole seconds; this says which writes of that second the read could not contain.
   */
  readonly readAt?: number;
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
    const written = options.writtenAt?.[field];
    if (previous && sameFieldValue(field, previous.fields[field], fields[field])) {
      const kept = previous.windows[field];
      windows[field] = lateWriteDates(written, kept, resolution) ? writtenWindow(written!) : { ...kept, ...latestOf(kept.lastWrite, written) };
      continue;
    }
    const before = previous?.windows[field];
    // What the read before knew, for a webhook that dates this value only later (lateWriteDates).
    const priorRead = {
      ...(before?.lastWrite === undefined ? {} : { knownBefore: before.lastWrite }),
      ...(previous?.readAt === undefined ? {} : { readBefore: previous.readAt }),
    };
    // The value we wrote ourselves: another's write known from before ours is not what gave it.
    const own = options.ownWrites?.[field];
    const ours = own !== undefined && own.at <= by && sameFieldValue(field, own.value as never, fields[field]) ? own.at : undefined;
    windows[field] = writeDates(written, before, previous, by) && (ours === undefined || written! > ours)
      ? writtenWindow(written!)
      : { after, by, at: middleChange(after, at, options.changeTimes) ?? at + (resolution - 1) / 2, ...latestOf(written, ours), ...priorRead };
  }
  return { modifiedAt: at, ...(options.readAt === undefined ? {} : { readAt: options.readAt }), fields, windows };
}

/**
 * The middle one of the side's changes in the window (after, at]: the record's own time `at` is one
 * of them. With an even count the later middle one, so that two changes keep the record time's verdict.
 * Undefined without a lower bound or known change times.
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

/** The window of a value dated by its own write (a webhook's time): exactly then. */
function writtenWindow(written: number): FieldChangeWindow {
  return { after: written - 1, by: written, at: written, lastWrite: written };
}

/**
 * Whether the column's latest known write is the one that gave the field the value just read. Not
 * if it is past the read, or not newer than a write known at the previous read; and within the
 * previous read's second only if that read knew the column's writes too (a webhook lost while we
 * were down leaves the previous value's write as the latest known one).
 */
function writeDates(written: number | undefined, before: FieldChangeWindow | undefined, previous: SideClock | null, by: number): boolean {
  if (written === undefined || written > by) return false;
  if (!previous || !before) return true;
  if (before.lastWrite !== undefined && written <= before.lastWrite) return false;
  if (written > before.by) return true;
  if (previous.readAt !== undefined && written > previous.readAt) return true;
  return before.lastWrite !== undefined && written >= previous.modifiedAt;
}

/**
 * Whether a write time learnt only now dates a field that kept its value: its webhook came after the
 * read that first showed the value (a delayed or redelivered webhook), so that read could not date it.
 * It must be newer than any write known then and inside the field's window; within the second the
 * window starts in only if the read before knew the column's writes (as in writeDates: otherwise it
 * may be the write of the older value, which that read showed).
 */
function lateWriteDates(written: number | undefined, window: FieldChangeWindow, resolution: number): boolean {
  if (written === undefined || window.after === null || written > window.by) return false;
  if (window.lastWrite !== undefined && written <= window.lastWrite) return false;
  if (written >= window.after + resolution) return true;
  if (window.readBefore !== undefined && written > window.readBefore) return true;
  return window.knownBefore !== undefined && written > window.knownBefore && written >= window.after;
}

export type ClockVerdict = "crm" | "partnerCenter" | null;

/**
 * Both sides' windows of `field`, when both clocks exist and hold the values the merge is looking at
 * (null otherwise: the clocks describe other values, and only the record times are left).
 */
function windowsOf(field: MappedFieldName, clocks: LinkFieldClocks | undefined, crm: MappedFields, partnerCenter: MappedFields): { c: FieldChangeWindow; p: FieldChangeWindow } | null {
  const crmClock = clocks?.crm;
  const pcClock = clocks?.partnerCenter;
  if (!crmClock || !pcClock) return null;
  if (!sameFieldValue(field, crmClock.fields[field], crm[field]) || !sameFieldValue(field, pcClock.fields[field], partnerCenter[field])) return null;
  return { c: crmClock.windows[field], p: pcClock.windows[field] };
}

/** Windows that do not overlap: one change surely came after the other. */
function surelyLater(c: FieldChangeWindow, p: FieldChangeWindow): ClockVerdict {
  if (c.after !== null && c.after >= p.by) return "crm";
  if (p.after !== null && p.after >= c.by) return "partnerCenter";
  return null;
}

/**
 * Which side gave `field` its current value last, by the clocks; null when a clock is missing or
 * does not hold the values the merge is looking at (then the record times decide, as before).
 */
export function laterFieldChange(field: MappedFieldName, clocks: LinkFieldClocks | undefined, crm: MappedFields, partnerCenter: MappedFields): ClockVerdict {
  const windows = windowsOf(field, clocks, crm, partnerCenter);
  if (!windows) return null;
  const { c, p } = windows;
  const sure = surelyLater(c, p);
  if (sure) return sure;
  // Overlapping: the best guesses decide (Dataverse's :25 is taken as :25.5); a tie stays undecided.
  if (c.at > p.at) return "crm";
  if (p.at > c.at) return "partnerCenter";
  return null;
}

/**
 * Whether a latest-wins verdict on `field` is a guess that a Dataverse webhook still on its way would
 * settle: the opportunity's change is known only to its second (no write time yet: webhooks trail the
 * write by a moment) and that second overlaps Partner Center's change.
 */
export function awaitsCrmWriteTime(field: MappedFieldName, clocks: LinkFieldClocks | undefined, crm: MappedFields, partnerCenter: MappedFields): boolean {
  const windows = windowsOf(field, clocks, crm, partnerCenter);
  if (!windows) return false;
  const { c, p } = windows;
  const dated = c.after !== null && c.by - c.after <= 1;
  return !dated && surelyLater(c, p) === null;
}

/**
 * Per mapped field, the latest write time of the opportunity columns behind it (`columnTimes` by
 * logical name, from the webhooks). The status also moves with the record's state (Win/Lose).
 */
/** The opportunity columns whose writes date a mapped field (a close dates the status too). */
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

