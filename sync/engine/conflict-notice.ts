/**
 * The opportunity column that tells the seller a field was changed in Partner Center too, with the
 * value that did not win (entities/conflict-notice.ts). Written with the merge's own opportunity
 * update; a merge without conflicts leaves the last notice where it is, for the seller to read.
 */
import { OpportunityColumns, formatConflictNotice } from "../../entities";
import { FIELD_LABELS } from "./mapped-fields";
import type { MergeConflict } from "./three-way-merge";

/** `{ pcc_conflictnotice: … }` for a merge's conflicts; empty when there were none. */
export function conflictNoticeColumns(conflicts: readonly MergeConflict[], at: string): Record<string, string> {
  if (conflicts.length === 0) return {};
  const fields = conflicts.map((c) => ({ label: FIELD_LABELS[c.field], kept: c.winner, otherValue: c.overruled.value, settledBy: c.settledBy }));
  return { [OpportunityColumns.conflictNotice]: formatConflictNotice({ at, fields }) };
}
