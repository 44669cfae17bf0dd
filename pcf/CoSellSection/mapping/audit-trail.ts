/**
 * Reads pcc_audit into timeline entries. The backend writes one line per change, newest first:
 *   2026-11-25T10:03:12Z | CRM → Partner Center | updated | deal value 10000 → 12000
 * Lines in any other shape (hand edits, an older format, a cut-off line at the length cap) are
 * kept and shown as they are, never dropped: the audit trail must not hide anything.
 */

export type AuditEntry =
  | { kind: "change"; at: Date; direction: string; action: string; detail: string }
  | { kind: "text"; text: string };

const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*(.*)$/;

export function parseAuditLine(line: string): AuditEntry {
  const match = LINE.exec(line);
  const at = match ? new Date(match[1] ?? "") : null;
  if (!match || !at || Number.isNaN(at.getTime()) || !match[2] || !match[3]) return { kind: "text", text: line };
  return { kind: "change", at, direction: match[2], action: match[3], detail: (match[4] ?? "").trim() };
}

/**
 * Entries newest first. The column is already written newest first, but a manual edit or a merge
 * can break that; sorting by time fixes it. An unreadable line stays right after the entry it
 * followed, since it most likely belongs to it.
 */
export function parseAuditTrail(text: string | null | undefined): AuditEntry[] {
  if (!text) return [];
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  let lastTime = Number.POSITIVE_INFINITY;
  const keyed = lines.map((line, index) => {
    const entry = parseAuditLine(line);
    if (entry.kind === "change") lastTime = entry.at.getTime();
    return { entry, time: lastTime, index };
  });
  keyed.sort((a, b) => b.time - a.time || a.index - b.index);
  return keyed.map((k) => k.entry);
}
