/**
 * The neutral "mapped fields" record: what an opportunity and its referral have in common, in one
 * normalized shape. Both mapping directions produce it and the three-way merge compares it, so the
 * normalization here is what makes an echo of our own write compare equal (no ping-pong): text is
 * trimmed with \r\n folded to \n, empty text is null, dates are date-only, solution ids are sorted
 * and deduplicated, money is rounded to Dataverse's 4 decimals.
 */
import { z } from "zod";
import {
  ASSISTANCE_REQUEST_CODES,
  REFERRAL_STATUSES,
  REFERRAL_SUBSTATUSES,
  type AssistanceRequestCode,
  type ReferralStatus,
  type ReferralSubstatus,
} from "../partner-center/referral-types";

/** A help code that means something: Partner Center's `Unknown` is "none selected" and maps to null. */
export type HelpCode = Exclude<AssistanceRequestCode, "Unknown">;
export const HELP_CODES = ASSISTANCE_REQUEST_CODES.filter((c): c is HelpCode => c !== "Unknown");

export interface StatusPair {
  readonly status: ReferralStatus;
  readonly substatus: ReferralSubstatus;
}

export interface MappedFields {
  readonly name: string | null;
  readonly dealValue: number | null;
  /** ISO 4217, upper case. */
  readonly currency: string | null;
  /** YYYY-MM-DD: Dataverse keeps estimatedclosedate as a date, Partner Center as a UTC date-time. */
  readonly closingDate: string | null;
  readonly notes: string | null;
  readonly helpCode: HelpCode | null;
  /** Upper-cased, sorted, deduplicated; may hold ids of the wrong shape (pre-flight reports them). */
  readonly solutionIds: readonly string[];
  /** Consent to share with Microsoft sellers; once true it never goes back (merge enforces it). */
  readonly shareWithMicrosoftSellers: boolean;
  readonly status: StatusPair | null;
  readonly statusReason: string | null;
}

export type MappedFieldName = keyof MappedFields;

/** Field order used everywhere (merge output, audit lines), so results are deterministic. */
export const MAPPED_FIELD_NAMES = [
  "name",
  "dealValue",
  "currency",
  "closingDate",
  "notes",
  "helpCode",
  "solutionIds",
  "shareWithMicrosoftSellers",
  "status",
  "statusReason",
] as const satisfies readonly MappedFieldName[];

/** Plain-language field names for audit lines (the audit column is read by sellers). */
export const FIELD_LABELS: Readonly<Record<MappedFieldName, string>> = {
  name: "name",
  dealValue: "deal value",
  currency: "currency",
  closingDate: "close date",
  notes: "notes",
  helpCode: "how Microsoft can help",
  solutionIds: "solutions",
  shareWithMicrosoftSellers: "share with Microsoft sellers",
  status: "status",
  statusReason: "status reason",
};

/** Validates a stored base snapshot: the JSON in the store may predate a field we added later. */
export const MappedFieldsSchema = z.object({
  name: z.string().nullable().default(null),
  dealValue: z.number().nullable().default(null),
  currency: z.string().nullable().default(null),
  closingDate: z.string().nullable().default(null),
  notes: z.string().nullable().default(null),
  helpCode: z.enum(HELP_CODES as [HelpCode, ...HelpCode[]]).nullable().default(null),
  solutionIds: z.array(z.string()).default([]),
  shareWithMicrosoftSellers: z.boolean().default(false),
  status: z.object({ status: z.enum(REFERRAL_STATUSES), substatus: z.enum(REFERRAL_SUBSTATUSES) }).nullable().default(null),
  statusReason: z.string().nullable().default(null),
});

export const EMPTY_MAPPED_FIELDS: MappedFields = {
  name: null,
  dealValue: null,
  currency: null,
  closingDate: null,
  notes: null,
  helpCode: null,
  solutionIds: [],
  shareWithMicrosoftSellers: false,
  status: null,
  statusReason: null,
};

// ---------------------------------------------------------------------------------------------------
// Normalizers: every mapping module passes raw values through these.
// ---------------------------------------------------------------------------------------------------

export function normalizeText(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const text = value.replace(/\r\n?/g, "\n").trim();
  return text === "" ? null : text;
}

export function normalizeMoney(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return null;
  // Dataverse money keeps 4 decimals; rounding both sides the same way keeps 0.1 + 0.2 from looking
  // like a change.
  return Math.round(n * 10_000) / 10_000;
}

export function normalizeCurrency(value: unknown): string | null {
  const text = normalizeText(value);
  return text === null ? null : text.toUpperCase();
}

/** Accepts "2026-12-31" or any ISO date-time; a date-time is read in UTC, as Partner Center sends it. */
export function normalizeDate(value: unknown): string | null {
  const text = normalizeText(value);
  if (text === null) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10);
}

/** pcc_products holds one id per line; commas and semicolons are tolerated because sellers paste lists. */
export function parseSolutionLines(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return normalizeSolutionIds(value.split(/[\n\r,;]+/));
}

export function normalizeSolutionIds(ids: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const id of ids) {
    const clean = id.trim().toUpperCase();
    if (clean) set.add(clean);
  }
  return [...set].sort();
}

export function formatSolutionLines(ids: readonly string[]): string | null {
  return ids.length === 0 ? null : ids.join("\n");
}

/** Co-sell solution ids look like SOL-12345-ABC (reference 1.6: `SOL-xxxxx-XXX`). */
export const SOLUTION_ID_PATTERN = /^SOL-\d{5}-[A-Z0-9]{3}$/;

// ---------------------------------------------------------------------------------------------------
// Comparison and display
// ---------------------------------------------------------------------------------------------------

export function sameFieldValue<K extends MappedFieldName>(field: K, a: MappedFields[K], b: MappedFields[K]): boolean {
  if (field === "solutionIds") {
    const x = a as readonly string[];
    const y = b as readonly string[];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (field === "status") {
    const x = a as StatusPair | null;
    const y = b as StatusPair | null;
    if (x === null || y === null) return x === y;
    return x.status === y.status && x.substatus === y.substatus;
  }
  return a === b;
}

/** One value as an audit line shows it: single line, long notes shortened. */
export function formatFieldValue(field: MappedFieldName, value: MappedFields[MappedFieldName]): string {
  if (value === null) return "(empty)";
  if (field === "status") {
    const pair = value as StatusPair;
    return `${pair.status}/${pair.substatus}`;
  }
  if (field === "solutionIds") {
    const ids = value as readonly string[];
    return ids.length === 0 ? "(none)" : ids.join(", ");
  }
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = String(value).replace(/\s*\n\s*/g, " ");
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
