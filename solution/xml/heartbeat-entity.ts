/**
 * The sync service's heartbeat table (entities/cosell-heartbeat.ts) as a custom table of
 * customizations.xml. No form: the rows are the service's, shown on the Sync health page.
 */
import { COSELL_HEARTBEAT_COLUMNS, COSELL_HEARTBEAT_NAME_COLUMN, CoSellHeartbeatTable } from "../../entities";
import { writeCustomEntity } from "./custom-entity";
import type { XMLBuilder } from "./xml-helpers";

export function writeHeartbeatEntity(entities: XMLBuilder, introducedVersion: string): void {
  writeCustomEntity(entities, { table: CoSellHeartbeatTable, nameColumn: COSELL_HEARTBEAT_NAME_COLUMN, columns: COSELL_HEARTBEAT_COLUMNS }, introducedVersion);
}
