/**
 * The org's live metadata: the seed tables plus whatever ImportSolution added. Lookups by logical
 * name and by entity set name, and the checks every route needs ("is this a column of that table?").
 */
import { unknownSegment } from "./odata-error";
import type { AttributeMeta, TableMeta } from "./schema-types";
import { seedSchema } from "./seed-schema";

export class SchemaRegistry {
  private byLogicalName = new Map<string, TableMeta>();
  private byEntitySet = new Map<string, TableMeta>();

  constructor(tables: TableMeta[] = seedSchema()) {
    for (const table of tables) {
      this.byLogicalName.set(table.logicalName, table);
      this.byEntitySet.set(table.entitySetName, table);
    }
  }

  tables(): TableMeta[] {
    return [...this.byLogicalName.values()];
  }

  table(logicalName: string): TableMeta | undefined {
    return this.byLogicalName.get(logicalName);
  }

  /** The table behind an entity set segment; entity set names are case sensitive, as in Dataverse. */
  tableForSet(entitySetName: string): TableMeta {
    const table = this.byEntitySet.get(entitySetName);
    if (!table) throw unknownSegment(entitySetName);
    return table;
  }

  hasEntitySet(entitySetName: string): boolean {
    return this.byEntitySet.has(entitySetName);
  }

  /** Adds a table an installed solution brings (a custom table, or a standard one this org lacked). */
  addTable(table: TableMeta): void {
    if (this.byLogicalName.has(table.logicalName)) throw new Error(`Table ${table.logicalName} already exists`);
    this.byLogicalName.set(table.logicalName, table);
    this.byEntitySet.set(table.entitySetName, table);
  }

  /** Adds or replaces a column (solution import updates a column it already created). */
  upsertAttribute(logicalName: string, attribute: AttributeMeta): void {
    const table = this.byLogicalName.get(logicalName);
    if (!table) throw new Error(`Cannot add ${attribute.logicalName}: table ${logicalName} does not exist`);
    table.attributes.set(attribute.logicalName, attribute);
  }
}
