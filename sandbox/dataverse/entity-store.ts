/**
 * In-memory rows of every table, with Dataverse's row versioning: one org-wide, ever-increasing
 * version number stamped on each write (versionnumber, the source of @odata.etag), and a change log
 * per version so that change tracking can answer "what changed or was deleted since token N".
 */

/** A stored lookup value: the target row and its table. */
export interface LookupValue {
  id: string;
  logicalName: string;
}

export interface StoredRecord {
  id: string;
  /** Column values by logical name (lookups as LookupValue, dates as ISO strings). */
  values: Record<string, unknown>;
  version: number;
  /** Insertion order, the default order of unsorted queries. */
  sequence: number;
}

interface ChangeEntry {
  version: number;
  table: string;
  id: string;
  kind: "upsert" | "delete";
}

export const isLookupValue = (value: unknown): value is LookupValue =>
  typeof value === "object" && value !== null && "logicalName" in value && "id" in value;

export class EntityStore {
  private rows = new Map<string, Map<string, StoredRecord>>();
  private changes: ChangeEntry[] = [];
  private version = 1000;
  private sequence = 0;

  get currentVersion(): number {
    return this.version;
  }

  private tableRows(table: string): Map<string, StoredRecord> {
    let rows = this.rows.get(table);
    if (!rows) {
      rows = new Map();
      this.rows.set(table, rows);
    }
    return rows;
  }

  get(table: string, id: string): StoredRecord | undefined {
    return this.tableRows(table).get(id.toLowerCase());
  }

  list(table: string): StoredRecord[] {
    return [...this.tableRows(table).values()];
  }

  /** Writes a whole row (insert or replace) and returns it with its new version. */
  put(table: string, id: string, values: Record<string, unknown>): StoredRecord {
    const key = id.toLowerCase();
    const existing = this.tableRows(table).get(key);
    this.version += 1;
    const record: StoredRecord = { id: key, values, version: this.version, sequence: existing?.sequence ?? ++this.sequence };
    this.tableRows(table).set(key, record);
    this.changes.push({ version: this.version, table, id: key, kind: "upsert" });
    return record;
  }

  remove(table: string, id: string): boolean {
    const key = id.toLowerCase();
    const removed = this.tableRows(table).delete(key);
    if (removed) {
      this.version += 1;
      this.changes.push({ version: this.version, table, id: key, kind: "delete" });
    }
    return removed;
  }

  /** Rows of a table changed after `sinceVersion`: still existing ones and deleted ids. */
  changesSince(table: string, sinceVersion: number): { changed: StoredRecord[]; deletedIds: string[] } {
    const latest = new Map<string, ChangeEntry>();
    for (const change of this.changes) {
      if (change.table === table && change.version > sinceVersion) latest.set(change.id, change);
    }
    const changed: StoredRecord[] = [];
    const deletedIds: string[] = [];
    for (const [id, change] of latest) {
      const row = this.get(table, id);
      if (change.kind === "delete" || !row) deletedIds.push(id);
      else changed.push(row);
    }
    changed.sort((a, b) => a.version - b.version);
    return { changed, deletedIds };
  }

  /** A deep copy, so a $batch change set can be rolled back when one of its requests fails. */
  snapshot(): unknown {
    return structuredClone({ rows: this.rows, changes: this.changes, version: this.version, sequence: this.sequence });
  }

  restore(snapshot: unknown): void {
    const state = structuredClone(snapshot) as { rows: Map<string, Map<string, StoredRecord>>; changes: ChangeEntry[]; version: number; sequence: number };
    this.rows = state.rows;
    this.changes = state.changes;
    this.version = state.version;
    this.sequence = state.sequence;
  }
}
