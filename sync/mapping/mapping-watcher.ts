/**
 * Keeps the mapping rows and the running mapping in step: reads the rows at start and every 3 s,
 * checks them against the org's metadata when they (or, once a minute, the metadata) may have
 * changed, writes each row's verdict back only when it changed, answers "test on an opportunity"
 * requests, and swaps the mapping the sync runs with. Never throws: a failed read is logged once and
 * the last valid mapping keeps running.
 */
import type { Logger } from "pino";
import { CoSellMappingColumns as C, CoSellMappingTable } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import type { SyncMapping } from "../engine";
import { MAPPABLE_FIELDS, mappableField, type MappableTable } from "./mappable-fields";
import { checkMappingRows, type OrgColumns } from "./mapping-checker";
import { defaultMappingRows, MAPPING_ROW_SELECT, readMappingRow, type MappingRow } from "./mapping-rows";
import { readOrgColumns } from "./org-columns";

/** How often the rows are read again: an admin's change runs within this (plus one check). */
export const MAPPING_REFRESH_MS = 3_000;
/** The org's metadata is read again at least this often, so a column created to fix a row is found. */
export const METADATA_MAX_AGE_MS = 60_000;

/** What the watcher needs of Dataverse, narrow so tests can count its writes. */
export interface MappingRowsAccess {
  readRows(): Promise<MappingRow[]>;
  createRow(values: Record<string, unknown>): Promise<void>;
  updateRow(id: string, values: Record<string, unknown>): Promise<void>;
  readOrgColumns(choiceColumns: Readonly<Record<MappableTable, readonly string[]>>): Promise<OrgColumns>;
}

export function dataverseMappingRows(dataverse: DataverseClient): MappingRowsAccess {
  return {
    async readRows() {
      const rows = await dataverse.query<Record<string, unknown>>(CoSellMappingTable, MAPPING_ROW_SELECT, { filter: "statecode eq 0", orderBy: "createdon asc" });
      return rows.map((row) => readMappingRow(row.id, row.values));
    },
    async createRow(values) {
      await dataverse.create(CoSellMappingTable, values);
    },
    async updateRow(id, values) {
      await dataverse.update(CoSellMappingTable, id, values);
    },
    readOrgColumns: (choiceColumns) => readOrgColumns(dataverse, choiceColumns),
  };
}

export interface MappingWatcherOptions {
  access: MappingRowsAccess;
  /** The mapping of MAPPING_FILE (else the default): what fields without a row, and the seeded rows, use. */
  fallback: SyncMapping;
  /** Set when MAPPING_FILE is configured: the file wins and the rows are not used (their verdict says so). */
  mappingFile?: string;
  logger: Pick<Logger, "info" | "warn">;
  /** Runs before a new mapping replaces the running one (a failure keeps the old one and retries at the next read). */
  beforeSwap?: (next: SyncMapping) => Promise<void>;
  /** Answers a test request: the preview text for the opportunity the admin named. */
  preview?: (reference: string, mapping: SyncMapping) => Promise<string>;
  refreshMs?: number;
  now?: () => Date;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class MappingWatcher {
  private mapping: SyncMapping;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<SyncMapping> | null = null;
  private listeners = new Set<(mapping: SyncMapping) => void>();
  private seeded = false;
  private checkedKey = "";
  private org: { columns: OrgColumns; readAt: number } | null = null;
  private reported = "";

  constructor(private readonly options: MappingWatcherOptions) {
    this.mapping = options.fallback;
  }

  current(): SyncMapping {
    return this.mapping;
  }

  /** The columns the mapping in force reads on a table (for the gateway's $select). */
  columnsOf(table: MappableTable): string[] {
    return Object.values(this.mapping[table]).filter((column): column is string => typeof column === "string");
  }

  onChange(listener: (mapping: SyncMapping) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  refresh(): Promise<SyncMapping> {
    this.refreshing ??= this.readOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? MAPPING_REFRESH_MS);
    this.timer.unref();
  }

  /** Stops polling; resolves once a read under way has finished (it may be writing a verdict). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async readOnce(): Promise<SyncMapping> {
    try {
      let rows = await this.options.access.readRows();
      if (rows.length === 0 && !this.seeded) rows = await this.seed();
      this.seeded = true;
      await this.check(rows);
      await this.answerTests(rows);
    } catch (error) {
      this.report(
        [`could not read or check the co-sell field mapping (${CoSellMappingTable.entitySetName}): ${errorText(error)}`],
        "the last valid mapping keeps running; check that the solution is imported and the service's role can read and write Co-sell field mappings",
      );
    }
    return this.mapping;
  }

  /** A solution cannot carry data rows: the shipped mapping is written into an empty table once. */
  private async seed(): Promise<MappingRow[]> {
    this.seeded = true;
    for (const values of defaultMappingRows(this.options.fallback)) await this.options.access.createRow(values);
    this.options.logger.info({ rows: MAPPABLE_FIELDS.length }, "co-sell field mapping table was empty: wrote the default mapping rows");
    return this.options.access.readRows();
  }

  private async check(rows: readonly MappingRow[]): Promise<void> {
    const key = JSON.stringify(rows.map((r) => [r.id, r.field, r.column, r.direction, r.valueMap]));
    const stale = !this.org || this.now().getTime() - this.org.readAt >= METADATA_MAX_AGE_MS;
    // The verdicts are up to date unless the rows changed, the metadata may have, or a verdict was edited.
    if (key === this.checkedKey && !stale && !rows.some((r) => r.verdict === null)) return;
    if (this.options.mappingFile) {
      const verdict = `not in use: the sync service's MAPPING_FILE (${this.options.mappingFile}) wins over these rows; remove MAPPING_FILE from the service's settings to run the mapping rows`;
      await this.writeVerdicts(rows, new Map(rows.map((r) => [r.id, verdict])));
      this.checkedKey = key;
      return;
    }
    if (key !== this.checkedKey || stale) {
      const choiceColumns: Record<MappableTable, string[]> = { opportunity: [], account: [], contact: [] };
      for (const row of rows) {
        const field = row.field ? mappableField(row.field) : undefined;
        if (field?.choice && row.column) choiceColumns[field.slot.table].push(row.column);
      }
      this.org = { columns: await this.options.access.readOrgColumns(choiceColumns), readAt: this.now().getTime() };
    }
    const result = checkMappingRows(rows, this.org!.columns, { fallback: this.options.fallback, previous: this.mapping });
    this.report(result.problems, "those rows keep their field's last valid mapping; the verdict on each row says what to fix");
    // The mapping runs first: a verdict that cannot be written (a role without write access) does not hold it back.
    if (JSON.stringify(result.mapping) !== JSON.stringify(this.mapping)) {
      await this.options.beforeSwap?.(result.mapping);
      this.mapping = result.mapping;
      this.options.logger.info({ mapping: result.mapping }, "co-sell field mapping changed");
      for (const listener of this.listeners) listener(this.mapping);
    }
    await this.writeVerdicts(rows, result.verdicts);
    this.checkedKey = key;
  }

  /** Writes a verdict only where it changed: no write (and no audit entry) on every poll. */
  private async writeVerdicts(rows: readonly MappingRow[], verdicts: ReadonlyMap<string, string>): Promise<void> {
    for (const row of rows) {
      const verdict = verdicts.get(row.id);
      if (verdict === undefined || verdict === row.verdict) continue;
      await this.options.access.updateRow(row.id, { [C.verdict]: verdict, [C.verdictOn]: this.now().toISOString() });
    }
  }

  /** A row whose "test on opportunity" is filled in: write the preview, then clear the request. */
  private async answerTests(rows: readonly MappingRow[]): Promise<void> {
    if (!this.options.preview) return;
    for (const row of rows) {
      if (row.testOpportunity === null) continue;
      let preview: string;
      try {
        preview = await this.options.preview(row.testOpportunity, this.mapping);
      } catch (error) {
        preview = error instanceof Error && error.name === "PreviewTargetError" ? error.message : `The test could not run: ${errorText(error)}. Try again; if it persists, read the sync service's log.`;
      }
      await this.options.access.updateRow(row.id, { [C.testPreview]: preview, [C.testedOn]: this.now().toISOString(), [C.testOpportunity]: null });
      this.options.logger.info({ row: row.id, opportunity: row.testOpportunity }, "co-sell field mapping tested on an opportunity (nothing sent)");
    }
  }

  private report(problems: readonly string[], consequence: string): void {
    const key = problems.join("\n");
    if (key === this.reported) return;
    this.reported = key;
    if (problems.length === 0) return;
    this.options.logger.warn({ problems }, `co-sell field mapping: ${problems.join("; ")}; ${consequence}`);
  }
}
