/**
 * When an opportunity field is re-pointed to another column, a pair's stored base still holds what
 * the old column carried: compared with the new column (often empty) it would read as the seller
 * clearing the field, and clear it in Partner Center. So, for a pair whose base predates the
 * re-pointing, the base takes the new column's value for that field: Partner Center's value then
 * fills the new column (or nothing happens when they agree). The time of each re-pointing is kept in
 * the store's watermarks, so a restart does not count the mapping as new again.
 */
import { MAPPED_FIELD_NAMES, type MappedFieldName, type MappedFields, type SyncMapping } from "../engine";
import type { SyncStore } from "../store";

const WATERMARK_PREFIX = "mapping-column:";

/** The base as merged: each field re-pointed after `savedAt` takes the opportunity's value. Pure. */
export function rebaseRepointedFields(
  base: MappedFields | null,
  savedAt: number,
  crm: MappedFields,
  repointedAt: (field: MappedFieldName) => number,
): MappedFields | null {
  if (!base) return base;
  let rebased: Record<string, unknown> | null = null;
  for (const field of MAPPED_FIELD_NAMES) {
    if (repointedAt(field) <= savedAt) continue;
    rebased ??= { ...base };
    rebased[field] = crm[field];
  }
  return (rebased as MappedFields | null) ?? base;
}

/** Remembers, per opportunity field, which column carries it and since when (ms; 0: since always). */
export class RepointedFields {
  private since = new Map<MappedFieldName, number>();

  constructor(private readonly store: Pick<SyncStore, "getWatermark" | "setWatermark">) {}

  repointedAt(field: MappedFieldName): number {
    return this.since.get(field) ?? 0;
  }

  /** Notes the mapping in force; a field whose column differs from the stored one was re-pointed `now`. */
  async observe(mapping: SyncMapping, now: number): Promise<void> {
    for (const field of MAPPED_FIELD_NAMES) {
      const column = mapping.opportunity[field];
      const stored = await this.store.getWatermark(`${WATERMARK_PREFIX}${field}`);
      const [storedColumn, storedAt] = stored ? [stored.slice(0, stored.lastIndexOf("@")), Number(stored.slice(stored.lastIndexOf("@") + 1))] : [null, 0];
      if (storedColumn === column) {
        this.since.set(field, Number.isFinite(storedAt) ? storedAt : 0);
        continue;
      }
      // First run ever: the column is where the field has always been (no base to correct).
      const at = storedColumn === null ? 0 : now;
      await this.store.setWatermark(`${WATERMARK_PREFIX}${field}`, `${column}@${at}`);
      this.since.set(field, at);
    }
  }
}
