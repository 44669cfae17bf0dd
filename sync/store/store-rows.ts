/**
 * Rows as both engines store them, and how they read back: the SQLite and PostgreSQL stores share
 * column names and JSON text, so one set of readers keeps them from drifting apart.
 */
import type { LinkFieldClocks, OwnWrite, OwnWrites, SideClock } from "../engine/field-clock";
import { MAPPED_FIELD_NAMES, MappedFieldsSchema, type MappedFields } from "../engine/mapped-fields";
import type { Job, JobState, LinkRecord } from "./sync-store";

/** Reasons kept per job; a busy record would otherwise grow an unbounded list of identical hints. */
export const MAX_REASONS = 20;

export interface JobRow {
  id: number;
  link_key: string;
  opportunity_id: string | null;
  referral_id: string | null;
  reasons_json: string;
  state: JobState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface LinkRow {
  link_key: string;
  opportunity_id: string | null;
  referral_id: string | null;
  account_id: string | null;
  microsoft_invited_at: number | null;
  created_at: number;
  updated_at: number;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    linkKey: row.link_key,
    opportunityId: row.opportunity_id,
    referralId: row.referral_id,
    reasons: JSON.parse(row.reasons_json) as string[],
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toLink(row: LinkRow): LinkRecord {
  return {
    key: row.link_key,
    opportunityId: row.opportunity_id,
    referralId: row.referral_id,
    accountId: row.account_id,
    microsoftInvitedAt: row.microsoft_invited_at ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function mergeReasons(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].slice(-MAX_REASONS);
}

/**
 * Field clocks only sharpen conflict decisions: an unreadable row (a newer version's shape, a torn
 * write) is dropped and the clocks start again from the next read, instead of failing the sync.
 */
export function readFieldClocks(json: string): LinkFieldClocks | null {
  try {
    const parsed = JSON.parse(json) as LinkFieldClocks;
    const side = (clock: SideClock | null | undefined): SideClock | null =>
      clock && typeof clock.modifiedAt === "number" && typeof clock.windows?.name?.at === "number" && MappedFieldsSchema.safeParse(clock.fields).success ? clock : null;
    const own = readOwnWrites(parsed.crmOwnWrites);
    return { crm: side(parsed.crm), partnerCenter: side(parsed.partnerCenter), ...(own ? { crmOwnWrites: own } : {}) };
  } catch {
    return null;
  }
}

/** Our own writes only sharpen the clocks: an entry without a time is dropped. */
function readOwnWrites(value: unknown): OwnWrites | null {
  if (!value || typeof value !== "object") return null;
  const entries = Object.entries(value as Record<string, Partial<OwnWrite>>).filter(
    ([field, write]) => (MAPPED_FIELD_NAMES as readonly string[]).includes(field) && typeof write?.at === "number" && "value" in write,
  );
  return entries.length > 0 ? (Object.fromEntries(entries) as OwnWrites) : null;
}

/** A pending push only sharpens the next merge: unreadable means none. */
export function readPendingPush(json: string | null): Partial<MappedFields> | null {
  if (!json) return null;
  try {
    const raw = JSON.parse(json) as Record<string, unknown>;
    const parsed = MappedFieldsSchema.partial().safeParse(raw);
    if (!parsed.success) return null;
    // Only the fields that were pushed (the schema fills the others in).
    return Object.fromEntries(Object.entries(parsed.data).filter(([field]) => field in raw)) as Partial<MappedFields>;
  } catch {
    return null;
  }
}
