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

/** The value a row is filed under in a column index (the query engine's comparable value). */
export type IndexKeyOf = (record: StoredRecord) => unknown;

/**
 * Ids of a table's rows by one column's comparable value, kept current on every write, so that an
 * equality filter reads the rows it names instead of scanning the table (SQL Server's indexes).
 * `definition` is what the keys were computed with: a different one rebuilds the index.
 */
interface ColumnIndex {
  definition: object;
  keyOf: IndexKeyOf;
  idsByKey: Map<unknown, Set<string>>;
  keyById: Map<string, unknown>;
}

function fileUnder(index: ColumnIndex, record: StoredRecord): void {
  const key = index.keyOf(record);
  let ids = index.idsByKey.get(key);
  if (!ids) {
    ids = new Set();
    index.idsByKey.set(key, ids);
  }
  ids.add(record.id);
  index.keyById.set(record.id, key);
}

function unfile(index: ColumnIndex, id: string): void {
  if (!index.keyById.has(id)) return;
  const key = index.keyById.get(id);
  index.keyById.delete(id);
  const ids = index.idsByKey.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.idsByKey.delete(key);
}

export class EntityStore {
  private rows = new Map<string, Map<string, StoredRecord>>();
  private changes: ChangeEntry[] = [];
  private version = 1000;
  private sequence = 0;
  /** Column indexes by table, then by column; built on first use (see rowsWhere). */
  private indexes = new Map<string, Map<string, ColumnIndex>>();

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

  /**
   * The rows of `table` whose `column` key (computed by `keyOf`) is one of `keys`, in insertion
   * order like list(). The index is built on the first call for a column and kept current by put
   * and remove; `definition` (the column's metadata) identifies how keys are computed.
   */
  rowsWhere(table: string, column: string, definition: object, keyOf: IndexKeyOf, keys: readonly unknown[]): StoredRecord[] {
    const index = this.columnIndex(table, column, definition, keyOf);
    const rows = this.tableRows(table);
    const found = new Map<string, StoredRecord>();
    for (const key of keys) {
      for (const id of index.idsByKey.get(key) ?? []) {
        const row = rows.get(id);
        if (row) found.set(id, row);
      }
    }
    return [...found.values()].sort((a, b) => a.sequence - b.sequence);
  }

  private columnIndex(table: string, column: string, definition: object, keyOf: IndexKeyOf): ColumnIndex {
    let tableIndexes = this.indexes.get(table);
    if (!tableIndexes) {
      tableIndexes = new Map();
      this.indexes.set(table, tableIndexes);
    }
    let index = tableIndexes.get(column);
    if (!index || index.definition !== definition) {
      index = { definition, keyOf, idsByKey: new Map(), keyById: new Map() };
      for (const record of this.tableRows(table).values()) fileUnder(index, record);
      tableIndexes.set(column, index);
    }
    return index;
  }

  /**
   * Writes a whole row (insert or replace) and returns it with its new version, which it also
   * stamps as the row's versionnumber (before indexing, so an index on it is current).
   */
  put(table: string, id: string, values: Record<string, unknown>): StoredRecord {
    const key = id.toLowerCase();
    const existing = this.tableRows(table).get(key);
    this.version += 1;
    values["versionnumber"] = this.version;
    const record: StoredRecord = { id: key, values, version: this.version, sequence: existing?.sequence ?? ++this.sequence };
    this.tableRows(table).set(key, record);
    for (const index of this.indexes.get(table)?.values() ?? []) {
      unfile(index, key);
      fileUnder(index, record);
    }
    this.changes.push({ version: this.version, table, id: key, kind: "upsert" });
    return record;
  }

  remove(table: string, id: string): boolean {
    const key = id.toLowerCase();
    const removed = this.tableRows(table).delete(key);
    if (removed) {
      for (const index of this.indexes.get(table)?.values() ?? []) unfile(index, key);
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
    // Rebuilt from the restored rows on their next use.
    this.indexes.clear();
  }
}
