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

/** A row as it was before a write inside an open savepoint (undefined: it did not exist). */
interface UndoEntry {
  table: string;
  id: string;
  before: StoredRecord | undefined;
}

/** Where a change set began: rolling back to it undoes every write made since, and only those. */
export interface Savepoint {
  readonly undoLength: number;
  readonly changesLength: number;
}

export class EntityStore {
  private rows = new Map<string, Map<string, StoredRecord>>();
  private changes: ChangeEntry[] = [];
  private version = 1000;
  private sequence = 0;
  /**
   * Writes made while a savepoint is open, oldest first. An undo log rather than a copy of the store:
   * copying every row for each change set made each deep insert cost O(rows), which at 10,000
   * opportunities held the event loop for most of a backfill (and counted as execution time).
   */
  private undoLog: UndoEntry[] = [];
  private openSavepoints = 0;
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
    this.remember(table, key, existing);
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
    this.remember(table, key, this.tableRows(table).get(key));
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

  private remember(table: string, id: string, before: StoredRecord | undefined): void {
    if (this.openSavepoints > 0) this.undoLog.push({ table, id, before });
  }

  /** Opens a savepoint (a change set or a deep insert begins); end it with release or rollbackTo. */
  savepoint(): Savepoint {
    this.openSavepoints += 1;
    return { undoLength: this.undoLog.length, changesLength: this.changes.length };
  }

  /** The work since the savepoint stands. */
  release(_savepoint: Savepoint): void {
    // An enclosing savepoint may still roll back: its entries stay until the outermost one ends.
    this.openSavepoints = Math.max(0, this.openSavepoints - 1);
    if (this.openSavepoints === 0) this.undoLog = [];
  }

  /**
   * Puts every row written since the savepoint back as it was, newest write first, and forgets their
   * change-log entries (a rolled-back change set was never visible to change tracking). The version
   * counter is not wound back: like SQL Server's rowversion, a version once handed out is not reused.
   */
  rollbackTo(savepoint: Savepoint): void {
    for (let i = this.undoLog.length - 1; i >= savepoint.undoLength; i--) {
      const { table, id, before } = this.undoLog[i]!;
      const rows = this.tableRows(table);
      const indexes = this.indexes.get(table)?.values() ?? [];
      if (before) rows.set(id, before);
      else rows.delete(id);
      for (const index of indexes) {
        unfile(index, id);
        if (before) fileUnder(index, before);
      }
    }
    this.undoLog.length = savepoint.undoLength;
    this.changes.length = savepoint.changesLength;
    this.release(savepoint);
  }
}
