/**
 * The watcher over an in-memory table: seeds an empty table once, writes a verdict only when it
 * changes, keeps the last valid mapping through a failed read, and with MAPPING_FILE set marks every
 * row "not in use" and runs the file's mapping.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { CoSellMappingColumns as M } from "../../entities";
import { DEFAULT_MAPPING, type SyncMapping } from "../../sync/engine";
import { columnOf, MAPPABLE_FIELDS } from "../../sync/mapping/mappable-fields";
import type { OrgColumn, OrgColumns } from "../../sync/mapping/mapping-checker";
import { readMappingRow, type MappingRow } from "../../sync/mapping/mapping-rows";
import { MappingWatcher, type MappingRowsAccess } from "../../sync/mapping/mapping-watcher";

function memoryTable() {
  const rows = new Map<string, Record<string, unknown>>();
  const writes: { id: string; values: Record<string, unknown> }[] = [];
  let failReads = false;
  let next = 0;
  // The shipped columns with the first type each field takes (and a choice's own options), plus a spare memo.
  const org = { opportunity: new Map(), account: new Map(), contact: new Map() } as Record<keyof OrgColumns, Map<string, OrgColumn>>;
  for (const field of MAPPABLE_FIELDS) {
    const column = columnOf(DEFAULT_MAPPING, field.slot);
    if (column) org[field.slot.table].set(column, { type: field.types[0]!, ...(field.choice ? { options: Object.values(field.choice.defaultOptions) } : {}) });
  }
  org.opportunity.set("customerneed", { type: "Memo" });
  const access: MappingRowsAccess = {
    async readRows(): Promise<MappingRow[]> {
      if (failReads) throw new Error("503 Service Unavailable");
      return [...rows].map(([id, values]) => readMappingRow(id, values));
    },
    async createRow(values) {
      rows.set(`row-${next++}`, { ...values });
    },
    async updateRow(id, values) {
      writes.push({ id, values });
      rows.set(id, { ...rows.get(id), ...values });
    },
    readOrgColumns: async () => org,
  };
  return { rows, writes, access, failReads: (on: boolean) => void (failReads = on) };
}

const logger = pino({ level: "silent" });
const rowOf = (table: ReturnType<typeof memoryTable>, field: string) => [...table.rows].find(([, v]) => v[M.partnerCenterField] === field)!;

describe("MappingWatcher", () => {
  it("seeds the shipped rows once, calls them OK once, and writes nothing more while nothing changes", async () => {
    const table = memoryTable();
    const watcher = new MappingWatcher({ access: table.access, fallback: DEFAULT_MAPPING, logger });
    await watcher.refresh();
    expect(table.rows.size).toBe(MAPPABLE_FIELDS.length);
    expect(table.writes).toHaveLength(MAPPABLE_FIELDS.length);
    expect([...table.rows.values()].every((v) => String(v[M.verdict]).startsWith("OK"))).toBe(true);
    await watcher.refresh();
    await watcher.refresh();
    expect(table.writes).toHaveLength(MAPPABLE_FIELDS.length);
    // An admin who deletes every row gets the file's (here the shipped) mapping, not new rows.
    table.rows.clear();
    await watcher.refresh();
    expect(table.rows.size).toBe(0);
    expect(watcher.current()).toEqual(DEFAULT_MAPPING);
  });

  it("a fixed row changes the mapping and its verdict; a failed read keeps the mapping; a bad row keeps the last valid column", async () => {
    const table = memoryTable();
    const changes: SyncMapping[] = [];
    const watcher = new MappingWatcher({ access: table.access, fallback: DEFAULT_MAPPING, logger });
    watcher.onChange((mapping) => changes.push(mapping));
    await watcher.refresh();
    const [notesId, notes] = rowOf(table, "notes");
    table.rows.set(notesId, { ...notes, [M.dataverseColumn]: "customerneed" });
    await watcher.refresh();
    expect(watcher.current().opportunity.notes).toBe("customerneed");
    expect(watcher.columnsOf("opportunity")).toContain("customerneed");
    expect(changes).toHaveLength(1);
    expect(table.rows.get(notesId)![M.verdict]).toBe("OK: notes ↔ opportunity.customerneed, both ways");

    table.failReads(true);
    await expect(watcher.refresh()).resolves.toBe(watcher.current());
    expect(watcher.current().opportunity.notes).toBe("customerneed");
    table.failReads(false);

    table.rows.set(notesId, { ...table.rows.get(notesId), [M.dataverseColumn]: "new_region" });
    await watcher.refresh();
    expect(watcher.current().opportunity.notes).toBe("customerneed");
    expect(table.rows.get(notesId)![M.verdict]).toMatch(/^column new_region does not exist on opportunity; until it is fixed notes keeps syncing through opportunity\.customerneed/);
  });

  it("answers a test request with the preview and clears the request; a wrong name gets what to type", async () => {
    const table = memoryTable();
    const watcher = new MappingWatcher({
      access: table.access, fallback: DEFAULT_MAPPING, logger,
      preview: async (reference, mapping) => {
        if (reference !== "Fabrikam") throw Object.assign(new Error(`No opportunity is named "${reference}"`), { name: "PreviewTargetError" });
        return `preview of ${reference} with notes in ${mapping.opportunity.notes}`;
      },
    });
    await watcher.refresh();
    const [id, row] = rowOf(table, "dealValue");
    table.rows.set(id, { ...row, [M.testOpportunity]: "Fabrikam" });
    await watcher.refresh();
    expect(table.rows.get(id)).toMatchObject({ [M.testPreview]: "preview of Fabrikam with notes in description", [M.testOpportunity]: null, [M.testedOn]: expect.any(String) });
    table.rows.set(id, { ...table.rows.get(id), [M.testOpportunity]: "Contoso" });
    await watcher.refresh();
    expect(table.rows.get(id)![M.testPreview]).toBe('No opportunity is named "Contoso"');
  });

  it("with MAPPING_FILE set: the file's mapping runs and every row says it is not in use", async () => {
    const table = memoryTable();
    const file: SyncMapping = { ...DEFAULT_MAPPING, opportunity: { ...DEFAULT_MAPPING.opportunity, notes: "customerneed" } };
    const watcher = new MappingWatcher({ access: table.access, fallback: file, mappingFile: "/etc/cosell/mapping.json", logger });
    await watcher.refresh();
    expect(rowOf(table, "notes")[1][M.dataverseColumn]).toBe("customerneed");
    const [id, notes] = rowOf(table, "notes");
    table.rows.set(id, { ...notes, [M.dataverseColumn]: "description" });
    await watcher.refresh();
    expect(watcher.current()).toBe(file);
    expect([...table.rows.values()].map((v) => v[M.verdict])).toEqual(
      [...table.rows.values()].map(() => "not in use: the sync service's MAPPING_FILE (/etc/cosell/mapping.json) wins over these rows; remove MAPPING_FILE from the service's settings to run the mapping rows"),
    );
  });
});
