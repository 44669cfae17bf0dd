/**
 * The "changed in Partner Center too" notice: what the sync backend writes to pcc_conflictnotice
 * when a field was changed on both sides, and what the form section reads back to show the seller
 * the value that did not win. Shared ground: the backend writes it, the PCF section parses it.
 */

/** One field changed on both sides at once. */
export interface ConflictNoticeField {
  /** The field's name as the audit line spells it ("close date"). */
  readonly label: string;
  /** Which side's value both records now hold. */
  readonly kept: "crm" | "partnerCenter";
  /** The value that did not win, as shown to a person. */
  readonly otherValue: string;
  /** `order`: the later change won; `policy`: nobody could tell which came last, the conflict policy chose. */
  readonly settledBy: "order" | "policy";
}

export interface ConflictNotice {
  /** When the sync settled it (ISO 8601). */
  readonly at: string;
  readonly fields: readonly ConflictNoticeField[];
}

/** The column's text: JSON, so the section can lay it out in the seller's language. */
export function formatConflictNotice(notice: ConflictNotice): string {
  return JSON.stringify(notice);
}

/** The notice in a column's text; null when empty or not a notice (a hand edit, a newer format). */
export function parseConflictNotice(text: string | null | undefined): ConflictNotice | null {
  if (!text?.trim()) return null;
  try {
    const parsed = JSON.parse(text) as Partial<ConflictNotice>;
    if (typeof parsed.at !== "string" || !Array.isArray(parsed.fields)) return null;
    const fields = parsed.fields.filter(
      (f): f is ConflictNoticeField =>
        typeof f?.label === "string" && typeof f.otherValue === "string" && (f.kept === "crm" || f.kept === "partnerCenter") && (f.settledBy === "order" || f.settledBy === "policy"),
    );
    return fields.length > 0 ? { at: parsed.at, fields } : null;
  } catch {
    return null;
  }
}
