/**
 * Audit lines for the opportunity's pcc_audit column (docs/DESIGN.md 5):
 *   2026-11-25T10:03:12Z | CRM → Partner Center | updated | deal value 10000 → 12000
 * newest first, capped to the newest lines that fit both the line cap (~200) and the column's
 * maximum length, so a busy record never fails its PATCH because the audit grew too long. The store
 * keeps the full log; this column is the readable tail.
 */
import { OpportunityColumns, opportunityColumn } from "../../entities";

export const AUDIT_DIRECTIONS = {
  toPartnerCenter: "CRM → Partner Center",
  toCrm: "Partner Center → CRM",
} as const;
export type AuditDirection = (typeof AUDIT_DIRECTIONS)[keyof typeof AUDIT_DIRECTIONS];

export type AuditAction = "created" | "updated" | "conflict" | "refused" | "linked" | "closed" | "error";

export interface AuditEntry {
  /** ISO date-time; shown to the second, in UTC. */
  readonly at: string;
  readonly direction: AuditDirection;
  readonly action: AuditAction;
  readonly detail: string;
}

export const AUDIT_MAX_LINES = 200;

function auditColumnMaxLength(): number {
  const column = opportunityColumn(OpportunityColumns.audit);
  return column.type === "memo" || column.type === "text" ? column.maxLength : 100_000;
}

/** 2026-11-25T10:03:12Z: no milliseconds, they only add noise for a reader. */
export function formatAuditTime(at: string | Date): string {
  const date = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date: ${String(at)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function formatAuditLine(entry: AuditEntry): string {
  // One entry must stay one line, or the line cap and "newest first" stop meaning anything.
  const detail = entry.detail.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return `${formatAuditTime(entry.at)} | ${entry.direction} | ${entry.action} | ${detail}`;
}

export interface AuditCap {
  readonly maxLines?: number;
  readonly maxLength?: number;
}

/**
 * The new column value: `entries` (in the order given: put the newest first) above the existing
 * text, trimmed from the bottom to the cap. Whole lines are dropped, never cut in half.
 */
export function prependAuditLines(existing: string | null | undefined, entries: readonly AuditEntry[], cap: AuditCap = {}): string {
  const maxLines = cap.maxLines ?? AUDIT_MAX_LINES;
  const maxLength = cap.maxLength ?? auditColumnMaxLength();
  const old = (existing ?? "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const lines = [...entries.map(formatAuditLine), ...old].slice(0, maxLines);
  let length = lines.reduce((n, l) => n + l.length, 0) + Math.max(0, lines.length - 1);
  while (lines.length > 0 && length > maxLength) {
    const dropped = lines.pop() as string;
    length -= dropped.length + (lines.length > 0 ? 1 : 0);
  }
  return lines.join("\n");
}

const AUDIT_ACTIONS: readonly AuditAction[] = ["created", "updated", "conflict", "refused", "linked", "closed", "error"];
const DIRECTIONS: readonly string[] = Object.values(AUDIT_DIRECTIONS);

/** One pcc_audit line read back (formatAuditLine's inverse); null for a line we did not write. */
export function parseAuditLine(line: string): AuditEntry | null {
  const parts = line.split(" | ");
  if (parts.length < 4) return null;
  const [at, direction, action] = parts as [string, string, string];
  if (Number.isNaN(Date.parse(at)) || !DIRECTIONS.includes(direction) || !AUDIT_ACTIONS.includes(action as AuditAction)) return null;
  return { at, direction: direction as AuditDirection, action: action as AuditAction, detail: parts.slice(3).join(" | ") };
}

