/**
 * Reads what the checker needs of the org's metadata: every column of opportunity, account and
 * contact with its AttributeType (EntityDefinitions(...)/Attributes), and the options of the choice
 * columns the rows name (the typed PicklistAttributeMetadata cast with its OptionSet).
 */
import { Tables } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { odataString } from "../dataverse/odata-rows";
import type { OrgColumn, OrgColumns } from "./mapping-checker";
import type { MappableTable } from "./mappable-fields";

const TABLES: readonly MappableTable[] = ["opportunity", "account", "contact"];

type Transport = Pick<DataverseClient, "transport">;

async function columnsOf(dataverse: Transport, table: MappableTable): Promise<Map<string, OrgColumn>> {
  const path = `EntityDefinitions(LogicalName=${odataString(Tables[table].logicalName)})/Attributes?$select=LogicalName,AttributeType`;
  const result = await dataverse.transport.call("GET", path);
  const rows = (result.json as { value?: { LogicalName?: string; AttributeType?: string }[] }).value ?? [];
  return new Map(rows.filter((r) => r.LogicalName && r.AttributeType).map((r) => [r.LogicalName!.toLowerCase(), { type: r.AttributeType! }]));
}

async function optionsOf(dataverse: Transport, table: MappableTable, column: string): Promise<number[]> {
  const path =
    `EntityDefinitions(LogicalName=${odataString(Tables[table].logicalName)})/Attributes(LogicalName=${odataString(column)})` +
    "/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet";
  const result = await dataverse.transport.call("GET", path);
  const options = (result.json as { OptionSet?: { Options?: { Value?: number }[] } }).OptionSet?.Options ?? [];
  return options.map((o) => o.Value).filter((v): v is number => typeof v === "number");
}

/** `choiceColumns`: per table, the Picklist columns whose options are wanted. */
export async function readOrgColumns(dataverse: Transport, choiceColumns: Readonly<Record<MappableTable, readonly string[]>>): Promise<OrgColumns> {
  const [opportunity, account, contact] = await Promise.all(TABLES.map((table) => columnsOf(dataverse, table)));
  const org = { opportunity: opportunity!, account: account!, contact: contact! };
  for (const table of TABLES) {
    for (const column of new Set(choiceColumns[table])) {
      const known = org[table].get(column);
      if (known?.type !== "Picklist") continue;
      org[table].set(column, { ...known, options: await optionsOf(dataverse, table, column) });
    }
  }
  return org;
}
