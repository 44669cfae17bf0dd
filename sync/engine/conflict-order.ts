/**
 * Which of two edits of one field came last, from the times the two services themselves report: a
 * verdict only where those times prove it. Each side reports on its own clock (Dataverse in whole
 * seconds, Partner Center in milliseconds) and either clock may be apart from the other by up to
 * CLOCK_SKEW_ALLOWANCE_MS; two changes closer than that (plus the rounding) have no knowable order,
 * and the conflict policy settles them instead (three-way-merge.ts, README "Conflicts").
 */
import { CLOCK_RESOLUTION_MS, type FieldChangeWindow, type LinkFieldClocks } from "./field-clock";
import { sameFieldValue, type MappedFieldName, type MappedFields } from "./mapped-fields";

/**
 * How far apart Dataverse's and Partner Center's clocks may be. Both are NTP-kept cloud services;
 * 2 s is the allowance the connector is tested with (chaos runs with Dataverse's clock ±2 s off).
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 2000;

export type ClockVerdict = "crm" | "partnerCenter" | null;

/**
 * The order two reported times prove, or null (a tie): `crmAt` means [crmAt, crmAt + 1 s) on
 * Dataverse's clock, `partnerCenterAt` an instant on Partner Center's, the clocks up to `skewMs` apart.
 */
export function provenOrder(crmAt: number, partnerCenterAt: number, skewMs = CLOCK_SKEW_ALLOWANCE_MS): ClockVerdict {
  if (crmAt - (partnerCenterAt + CLOCK_RESOLUTION_MS.partnerCenter - 1) > skewMs) return "crm";
  if (partnerCenterAt - (crmAt + CLOCK_RESOLUTION_MS.crm - 1) > skewMs) return "partnerCenter";
  return null;
}

/**
 * Both sides' windows of `field`, when both clocks exist and hold the values the merge is looking at
 * (null otherwise: the clocks describe other values, and nothing is known of these).
 */
function windowsOf(field: MappedFieldName, clocks: LinkFieldClocks | undefined, crm: MappedFields, partnerCenter: MappedFields): { c: FieldChangeWindow; p: FieldChangeWindow } | null {
  const crmClock = clocks?.crm;
  const pcClock = clocks?.partnerCenter;
  if (!crmClock || !pcClock) return null;
  if (!sameFieldValue(field, crmClock.fields[field], crm[field]) || !sameFieldValue(field, pcClock.fields[field], partnerCenter[field])) return null;
  return { c: crmClock.windows[field], p: pcClock.windows[field] };
}

/** Windows that stay apart by more than the clocks' skew: one change surely came after the other. */
function surelyLater(c: FieldChangeWindow, p: FieldChangeWindow): ClockVerdict {
  if (c.after !== null && c.after - p.by > CLOCK_SKEW_ALLOWANCE_MS) return "crm";
  if (p.after !== null && p.after - c.by > CLOCK_SKEW_ALLOWANCE_MS) return "partnerCenter";
  return null;
}

/**
 * Which side gave `field` its current value last, as far as the services' times tell; null when a
 * clock is missing, does not hold the values merged, or the times are too close to order (a tie).
 */
export function laterFieldChange(field: MappedFieldName, clocks: LinkFieldClocks | undefined, crm: MappedFields, partnerCenter: MappedFields): ClockVerdict {
  const windows = windowsOf(field, clocks, crm, partnerCenter);
  if (!windows) return null;
  const { c, p } = windows;
  // Windows apart decide for sure; overlapping ones by their best guesses, as the services report them.
  return surelyLater(c, p) ?? provenOrder(c.at, p.at);
}

/**
 * Whether a verdict on `field` hangs on a guess that a Dataverse webhook still on its way would
 * settle: the opportunity's change is not dated by its write yet (no webhook: webhooks trail the
 * write by a moment) and its window does not stand apart from Partner Center's change.
 */
export function awaitsCrmWriteTime(field: MappedFieldName, clocks: LinkFieldClocks | undefined, crm: MappedFields, partnerCenter: MappedFields): boolean {
  const windows = windowsOf(field, clocks, crm, partnerCenter);
  if (!windows) return false;
  const { c, p } = windows;
  const dated = c.after !== null && c.by - c.after < CLOCK_RESOLUTION_MS.crm;
  return !dated && surelyLater(c, p) === null;
}
